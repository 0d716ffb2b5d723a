"""Vectorised NumPy kernels: always available, and the executable specification of the others."""
