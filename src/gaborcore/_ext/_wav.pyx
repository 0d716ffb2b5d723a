# cython: language_level=3
"""Cython shim of the C WAV row reader (``csrc/gc_wav.c``): a batch of files decoded into the rows
of one array, the GIL released for the whole batch.

No policy here: :func:`gaborcore.io.read_rows` decides which files to pass and reads the ones not
taken (status ``OTHER``) with its general reader.
"""
cimport numpy as cnp
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc

import os

import numpy as np

from ._csrc cimport GC_WAV_DONE, GC_WAV_OTHER, gc_wav_layout, gc_wav_row_d, gc_wav_row_s

cnp.import_array()

DONE = GC_WAV_DONE
OTHER = GC_WAV_OTHER
#: sample type codes of the ``sample`` column, in order
SAMPLES = ("PCM_16", "PCM_32", "FLOAT", "DOUBLE")
#: the columns of :func:`read_rows`' answer
COLUMNS = ("status", "frames", "sr", "channels", "sample", "container")


def read_rows(paths, cnp.ndarray out, int64_t sr, int64_t max_channels):
    """Decode file ``i`` of ``paths`` into ``out[i]`` (zeros after its frames) where it is taken.

    ``out`` is a C-contiguous float32 or float64 array ``(len(paths), n)``.  Returns an int64
    array ``(len(paths), 6)`` with the columns :data:`COLUMNS`.  The row of a file not taken
    (status ``OTHER``) may have been written in part (a NaN found midway), and its other columns
    are only what was parsed.
    """
    cdef Py_ssize_t i, count = len(paths)
    if out.ndim != 2 or out.shape[0] != count or not out.flags.c_contiguous \
            or not out.flags.writeable:
        raise ValueError("out must be a writeable C-contiguous array (len(paths), n)")
    cdef bint is_double = out.dtype == np.float64
    if not is_double and out.dtype != np.float32:
        raise TypeError("out must be float32 or float64")
    cdef int64_t n = out.shape[1]
    encoded = [os.fsencode(p) for p in paths]  # keeps the bytes alive while C reads them
    for p in encoded:
        if b"\0" in p:
            raise ValueError("a path contains a NUL byte")
    cdef cnp.ndarray info = np.zeros((count, 6), np.int64)
    cdef int64_t[:, ::1] res = info
    cdef const char **names = <const char **> malloc(max(count, 1) * sizeof(char *))
    cdef char *base = <char *> cnp.PyArray_DATA(out)
    cdef Py_ssize_t row_bytes = n * out.itemsize
    cdef gc_wav_layout L
    cdef int st
    if names == NULL:
        raise MemoryError()
    try:
        for i in range(count):
            names[i] = <const char *> (<bytes> encoded[i])
        with nogil:
            for i in range(count):
                if is_double:
                    st = gc_wav_row_d(names[i], sr, max_channels,
                                      <double *> (base + i * row_bytes), n, &L)
                else:
                    st = gc_wav_row_s(names[i], sr, max_channels,
                                      <float *> (base + i * row_bytes), n, &L)
                res[i, 0] = st
                res[i, 1] = L.frames
                res[i, 2] = L.sr
                res[i, 3] = L.channels
                res[i, 4] = L.sample
                res[i, 5] = L.container
    finally:
        free(names)
    return info
