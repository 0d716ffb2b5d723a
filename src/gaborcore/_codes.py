"""Codes and sizes shared by the public modules and every backend, in one place.

The C kernels use the same values from ``csrc/gc_common.h`` (C cannot import Python); the
compiled modules export theirs as ``C_CODES`` and a test checks that both agree.
"""

#: Boundary handling of the virtual padding (the signal is never copied).
PAD_CONSTANT, PAD_REFLECT, PAD_WRAP = 0, 1, 2
PAD_CODES = {"constant": PAD_CONSTANT, "reflect": PAD_REFLECT, "wrap": PAD_WRAP}

#: What the forward STFT writes: complex coefficients, |X|^2, |X|, |X|^power.
OUT_COMPLEX, OUT_POWER, OUT_MAGNITUDE, OUT_POW = 0, 1, 2, 3

#: Frames per FFT block in the C kernels: a block of windowed frames stays in L2 cache for
#: n_fft up to a few 1000.
BLOCK_FRAMES = 32
#: Frames per block in the Python-driven backends (NumPy, numba): twice the C block, because
#: each block there pays a Python call and FFT dispatch that larger blocks amortise.  Results do
#: not depend on the block size.
PY_BLOCK_FRAMES = 2 * BLOCK_FRAMES
