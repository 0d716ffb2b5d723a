"""Compiled kernels (Cython shims over the C sources in ``csrc/``); optional at install time."""
