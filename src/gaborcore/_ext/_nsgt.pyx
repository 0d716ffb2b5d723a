# cython: language_level=3
"""Cython shim of the C NSGT kernels: tables in, GIL released, status mapped to an exception."""
cimport numpy as cnp
from libc.stdint cimport int32_t, uintptr_t

from ._csrc cimport *

cnp.import_array()

include "_common.pxi"

import threading

import numpy as np

from .. import _fftw
from .._numpy import _nsgt as _np_nsgt


cdef inline void *_data(cnp.ndarray a):
    return cnp.PyArray_DATA(a)


cdef class NsgtPlan:
    """Owns a C NSGT plan of one precision; keeps the tables it points into alive."""

    cdef gc_nsgt_plan_s *ps
    cdef gc_nsgt_plan_d *pd
    cdef readonly bint is_double, real
    cdef readonly Py_ssize_t length, total
    cdef dict _tables

    def __cinit__(self, Py_ssize_t length, bint real, Py_ssize_t total, dict tables,
                  bint measure=True):
        cdef gc_status st
        cdef gc_nsgt_tables t
        cdef unsigned flags = GC_FFTW_MEASURE if measure else GC_FFTW_ESTIMATE
        if not _api_ready:
            raise RuntimeError("the FFTW entry points are not installed")
        for names, dt in ((("grp_M", "grp_band", "grp_item", "offset"), np.int64),
                          (("src", "dst", "t1", "t2"), np.int32)):
            for name in names:
                a = tables[name]
                if a.dtype != dt or not a.flags.c_contiguous:
                    raise TypeError(f"table {name} must be contiguous {np.dtype(dt)}")
        if tables["conj"].dtype != np.uint8:
            raise TypeError("table conj must be uint8")
        w = tables["w"]
        if w.dtype.name not in ("float32", "float64") or tables["dual"].dtype != w.dtype:
            raise TypeError("tables w and dual must share a float dtype")
        n_items = tables["src"].shape[0]
        for name in ("conj", "dst", "t1", "t2", "w", "dual"):
            if tables[name].shape[0] != n_items:
                raise ValueError(f"table {name} has the wrong length")
        n_groups = tables["grp_M"].shape[0]
        if (tables["grp_band"].shape[0] != n_groups + 1 or tables["grp_item"].shape[0] !=
                n_groups + 1 or tables["grp_item"][n_groups] != n_items or
                tables["offset"].shape[0] != tables["grp_band"][n_groups]):
            raise ValueError("inconsistent group tables")
        self._tables = tables
        self.is_double = w.dtype.name == "float64"
        self.real = real
        self.length = length
        self.total = total
        t.n_groups = n_groups
        t.grp_M = <const Py_ssize_t *> _data(tables["grp_M"])
        t.grp_band = <const Py_ssize_t *> _data(tables["grp_band"])
        t.grp_item = <const Py_ssize_t *> _data(tables["grp_item"])
        t.src = <const int32_t *> _data(tables["src"])
        t.dst = <const int32_t *> _data(tables["dst"])
        t.t1 = <const int32_t *> _data(tables["t1"])
        t.t2 = <const int32_t *> _data(tables["t2"])
        t.offset = <const Py_ssize_t *> _data(tables["offset"])
        t.conj = <const unsigned char *> _data(tables["conj"])
        t.w = _data(w)
        t.dual = _data(tables["dual"])
        with _planner_lock:  # FFTW's planner is not thread-safe
            if self.is_double:
                st = gc_nsgt_plan_init_d(&self.pd, &_api, length, real, total, &t, flags)
            else:
                st = gc_nsgt_plan_init_s(&self.ps, &_api, length, real, total, &t, flags)
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
                gc_nsgt_plan_done_s(self.ps)
            if self.pd != NULL:
                gc_nsgt_plan_done_d(self.pd)
        finally:
            if lock is not None:
                lock.release()
        self.ps = NULL
        self.pd = NULL

    def forward(self, cnp.ndarray x, cnp.ndarray out, int n_threads):
        """x: (B, L) real (real plans) or complex, rows contiguous; out: (B, total) complex."""
        cdef gc_status st
        cdef Py_ssize_t n_batch = x.shape[0]
        if x.ndim != 2 or out.ndim != 2 or out.shape[0] != n_batch:
            raise ValueError("x and out must be 2-D with the same number of rows")
        if x.shape[1] != self.length or out.shape[1] != self.total:
            raise ValueError("x / out have the wrong length")
        if x.strides[1] != x.itemsize or out.strides[1] != out.itemsize:
            raise ValueError("rows must be contiguous")
        if (x.dtype.kind == "c") == self.real or out.dtype.kind != "c":
            raise TypeError("input kind does not match the plan")
        if (x.dtype.name in ("float64", "complex128")) != self.is_double or \
                (out.dtype.name == "complex128") != self.is_double:
            raise TypeError("wrong precision for this plan")
        cdef Py_ssize_t xb = x.strides[0] // x.itemsize, ob = out.strides[0] // out.itemsize
        cdef void *px = _data(x)
        cdef void *po = _data(out)
        with nogil:
            if self.is_double:
                st = gc_nsgt_forward_d(self.pd, <const double *> px, n_batch, xb,
                                       <double *> po, ob, n_threads)
            else:
                st = gc_nsgt_forward_s(self.ps, <const float *> px, n_batch, xb, <float *> po,
                                       ob, n_threads)
        check_status(st)
        return out

    def inverse(self, cnp.ndarray coef, cnp.ndarray out, int n_threads):
        """coef: (B, total) complex; out: (B, L) real (real plans) or complex."""
        cdef gc_status st
        cdef Py_ssize_t n_batch = coef.shape[0]
        if coef.ndim != 2 or out.ndim != 2 or out.shape[0] != n_batch:
            raise ValueError("coef and out must be 2-D with the same number of rows")
        if coef.shape[1] != self.total or out.shape[1] != self.length:
            raise ValueError("coef / out have the wrong length")
        if coef.strides[1] != coef.itemsize or out.strides[1] != out.itemsize:
            raise ValueError("rows must be contiguous")
        if (out.dtype.kind == "c") == self.real or coef.dtype.kind != "c":
            raise TypeError("output kind does not match the plan")
        if (coef.dtype.name == "complex128") != self.is_double:
            raise TypeError("wrong precision for this plan")
        cdef Py_ssize_t cb = coef.strides[0] // coef.itemsize, ob = out.strides[0] // out.itemsize
        cdef void *pc = _data(coef)
        cdef void *po = _data(out)
        with nogil:
            if self.is_double:
                st = gc_nsgt_inverse_d(self.pd, <const double *> pc, n_batch, cb,
                                       <double *> po, ob, n_threads)
            else:
                st = gc_nsgt_inverse_s(self.ps, <const float *> pc, n_batch, cb, <float *> po,
                                       ob, n_threads)
        check_status(st)
        return out


class NsgtKernel:
    """The C backend's NSGT kernel for one design (plain arrays, as every backend's): one C plan
    per precision, made on first use under a lock (two threads never make two plans)."""

    def __init__(self, *, length, real, first, width, centre, M, offset, mirrored, windows,
                 diagonal):
        self._arrays = (first, width, centre, M, offset, mirrored, windows, diagonal)
        self.length, self.real = int(length), bool(real)
        self.total = int(np.sum(M))
        self._c = {}
        self._lock = threading.Lock()

    def _get(self, dtype):
        key = np.dtype(dtype).str
        with self._lock:
            c = self._c.get(key)
            if c is None:
                # the group tables are only the way to the flat ones: not kept (tens of MB
                # for a long signal)
                groups = _np_nsgt.group_tables(self.length, self.real, *self._arrays,
                                               np.dtype(dtype))
                flat = _np_nsgt.flat_tables(self.length, self.real, groups, np.dtype(dtype))
                # FFTW's estimate unless _fftw.MEASURE: timed plans differ between processes,
                # and with them the results' last bits (see gaborcore._fftw.MEASURE)
                c = self._c[key] = NsgtPlan(self.length, self.real, self.total, flat,
                                            measure=_fftw.MEASURE)
        return c

    def forward(self, y2, out, n_threads):
        return self._get(out.real.dtype).forward(y2, out, n_threads)

    def inverse(self, coefs, out, n_threads):
        return self._get(coefs.real.dtype).inverse(coefs, out, n_threads)


convert = _np_nsgt.convert
overlap_add = _np_nsgt.overlap_add
assemble = _np_nsgt.assemble
