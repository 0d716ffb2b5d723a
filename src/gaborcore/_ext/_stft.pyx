# cython: language_level=3
"""Cython shim of the C STFT kernels: arrays in, GIL released, status mapped to an exception.

No defaults, no dtype policy, no axis handling: the public module prepares contiguous arrays of the
right dtype and shape (checked again here only as far as memory safety requires).
"""
cimport numpy as cnp
from libc.stdint cimport uintptr_t

from ._csrc cimport *

cnp.import_array()

include "_common.pxi"


cdef inline void *_data(cnp.ndarray a):
    return cnp.PyArray_DATA(a)


cdef class StftPlan:
    """Owns a C STFT plan (window + FFTW block plans) of one precision; freed on deallocation."""

    cdef gc_stft_plan_s *ps
    cdef gc_stft_plan_d *pd
    cdef readonly bint is_double
    cdef readonly Py_ssize_t n_fft, hop

    def __cinit__(self, Py_ssize_t n_fft, Py_ssize_t hop, cnp.ndarray window, bint measure=True):
        cdef gc_status st
        cdef unsigned flags = GC_FFTW_MEASURE if measure else GC_FFTW_ESTIMATE
        if not _api_ready:
            raise RuntimeError("the FFTW entry points are not installed")
        if window.ndim != 1 or window.shape[0] != n_fft or not window.flags.c_contiguous:
            raise ValueError("window must be a contiguous array of length n_fft")
        self.n_fft = n_fft
        self.hop = hop
        if window.dtype.name == "float64":
            self.is_double = True
        elif window.dtype.name == "float32":
            self.is_double = False
        else:
            raise TypeError("window must be float32 or float64")
        cdef void *pw = _data(window)
        with _planner_lock:  # FFTW's planner is not thread-safe: one lock for all of gaborcore
            if self.is_double:
                st = gc_stft_plan_init_d(&self.pd, &_api, n_fft, hop, <const double *> pw, flags)
            else:
                st = gc_stft_plan_init_s(&self.ps, &_api, n_fft, hop, <const float *> pw, flags)
        check_status(st)

    def __dealloc__(self):
        if self.ps == NULL and self.pd == NULL:
            return
        # at interpreter shutdown the module globals may already be None: no lock is needed then
        lock = _planner_lock
        if lock is not None:
            lock.acquire()
        try:
            if self.ps != NULL:
                gc_stft_plan_done_s(self.ps)
            if self.pd != NULL:
                gc_stft_plan_done_d(self.pd)
        finally:
            if lock is not None:
                lock.release()
        self.ps = NULL
        self.pd = NULL

    def forward(self, cnp.ndarray x, Py_ssize_t pad, int pad_mode, Py_ssize_t n_frames, int kind,
                double power, cnp.ndarray out, int n_threads):
        """x: (B, n) rows contiguous; out: (B, n_freq, n_frames) with contiguous frames."""
        cdef gc_status st
        cdef Py_ssize_t n_batch = x.shape[0], n = x.shape[1]
        cdef Py_ssize_t isz = x.itemsize, osz = out.itemsize
        cdef Py_ssize_t xb, ob, of
        if x.ndim != 2 or out.ndim != 3 or out.shape[0] != n_batch or out.shape[2] != n_frames:
            raise ValueError("shape mismatch between x and out")
        if out.shape[1] != self.n_fft // 2 + 1:
            raise ValueError("out has the wrong number of frequencies")
        if x.strides[1] != isz or (n_frames > 1 and out.strides[2] != osz):
            raise ValueError("x rows and out frames must be contiguous")
        if (x.dtype.name == "float64") != self.is_double:
            raise TypeError("x has the wrong precision for this plan")
        xb = x.strides[0] // isz
        ob = out.strides[0] // osz
        of = out.strides[1] // osz
        cdef void *px = _data(x)
        cdef void *po = _data(out)
        with nogil:
            if self.is_double:
                st = gc_stft_forward_d(self.pd, <const double *> px, n_batch, n, xb, pad, pad_mode,
                                       n_frames, kind, power, po, ob, of, n_threads)
            else:
                st = gc_stft_forward_s(self.ps, <const float *> px, n_batch, n, xb, pad, pad_mode,
                                       n_frames, kind, <float> power, po, ob, of, n_threads)
        check_status(st)
        return out

    def inverse(self, cnp.ndarray coef, cnp.ndarray inv_diag, Py_ssize_t offset, cnp.ndarray out,
                int n_threads):
        """coef: (B, n_freq, n_frames) complex, contiguous frames; out: (B, n_out) rows contiguous."""
        cdef gc_status st
        cdef Py_ssize_t n_batch = coef.shape[0], n_frames = coef.shape[2]
        cdef Py_ssize_t n_out = out.shape[1]
        cdef Py_ssize_t csz = coef.itemsize, osz = out.itemsize
        cdef Py_ssize_t cb, cf, ob
        if coef.ndim != 3 or out.ndim != 2 or out.shape[0] != n_batch:
            raise ValueError("shape mismatch between coef and out")
        if coef.shape[1] != self.n_fft // 2 + 1:
            raise ValueError("coef has the wrong number of frequencies")
        if inv_diag.ndim != 1 or inv_diag.shape[0] < n_out or not inv_diag.flags.c_contiguous:
            raise ValueError("inv_diag must be contiguous with one value per output sample")
        if (n_frames > 1 and coef.strides[2] != csz) or out.strides[1] != osz:
            raise ValueError("coef frames and out rows must be contiguous")
        if (out.dtype.name == "float64") != self.is_double or inv_diag.dtype != out.dtype:
            raise TypeError("out / inv_diag have the wrong precision for this plan")
        cb = coef.strides[0] // csz
        cf = coef.strides[1] // csz
        ob = out.strides[0] // osz
        cdef void *pc = _data(coef)
        cdef void *pd = _data(inv_diag)
        cdef void *po = _data(out)
        with nogil:
            if self.is_double:
                st = gc_stft_inverse_d(self.pd, pc, n_batch, n_frames, cb, cf, <const double *> pd,
                                       offset, <double *> po, n_out, ob, n_threads)
            else:
                st = gc_stft_inverse_s(self.ps, pc, n_batch, n_frames, cb, cf, <const float *> pd,
                                       offset, <float *> po, n_out, ob, n_threads)
        check_status(st)
        return out

    def filterbank(self, cnp.ndarray x, Py_ssize_t pad, int pad_mode, Py_ssize_t n_frames,
                   int kind, double power, cnp.ndarray fb_data, cnp.ndarray fb_start,
                   cnp.ndarray fb_offset, cnp.ndarray out, int n_threads):
        """Fused |STFT|^power and sparse filter-bank projection; out: (B, n_bands, n_frames)."""
        cdef gc_status st
        cdef Py_ssize_t n_batch = x.shape[0], n = x.shape[1], n_bands = fb_start.shape[0]
        cdef Py_ssize_t isz = x.itemsize, osz = out.itemsize
        cdef Py_ssize_t xb, ob, of
        if x.ndim != 2 or out.ndim != 3 or out.shape[0] != n_batch or out.shape[2] != n_frames:
            raise ValueError("shape mismatch between x and out")
        if out.shape[1] != n_bands or fb_offset.shape[0] != n_bands + 1:
            raise ValueError("out / fb_offset do not match the number of bands")
        if fb_start.dtype.name != "int64" or fb_offset.dtype.name != "int64":
            raise TypeError("fb_start and fb_offset must be int64")
        if fb_data.shape[0] < fb_offset[n_bands]:
            raise ValueError("fb_data is shorter than fb_offset says")
        if not (fb_data.flags.c_contiguous and fb_start.flags.c_contiguous
                and fb_offset.flags.c_contiguous):
            raise ValueError("filter-bank arrays must be contiguous")
        if x.strides[1] != isz or (n_frames > 1 and out.strides[2] != osz):
            raise ValueError("x rows and out frames must be contiguous")
        if ((x.dtype.name == "float64") != self.is_double or out.dtype != x.dtype
                or fb_data.dtype != x.dtype):
            raise TypeError("x, out and fb_data must have this plan's precision")
        xb = x.strides[0] // isz
        ob = out.strides[0] // osz
        of = out.strides[1] // osz
        cdef void *px = _data(x)
        cdef void *po = _data(out)
        cdef void *pdat = _data(fb_data)
        cdef const Py_ssize_t *pst = <const Py_ssize_t *> _data(fb_start)
        cdef const Py_ssize_t *pof = <const Py_ssize_t *> _data(fb_offset)
        with nogil:
            if self.is_double:
                st = gc_stft_filterbank_d(self.pd, <const double *> px, n_batch, n, xb, pad,
                                          pad_mode, n_frames, kind, power,
                                          <const double *> pdat, pst, pof, n_bands,
                                          <double *> po, ob, of, n_threads)
            else:
                st = gc_stft_filterbank_s(self.ps, <const float *> px, n_batch, n, xb, pad,
                                          pad_mode, n_frames, kind, <float> power,
                                          <const float *> pdat, pst, pof, n_bands,
                                          <float *> po, ob, of, n_threads)
        check_status(st)
        return out
