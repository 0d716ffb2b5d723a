"""Numba kernels with the same interfaces as the C ones (imported only when the numba backend is used)."""
