# cython: language_level=3
"""Cython shim of the C CNN kernels: arrays in, GIL released, status mapped to an exception.

Same functions and signatures as ``gaborcore._numba._nn`` and ``gaborcore._numpy._nn``.  No
defaults, no dtype policy, no axis handling: the public module :mod:`gaborcore.nn` passes
C-contiguous arrays of one precision with the right shapes (checked again here only as far as
memory safety requires).
"""
cimport numpy as cnp

from ._csrc cimport *

cnp.import_array()

include "_status.pxi"

# Instruction set of the kernels: GC_NN_ISA_AUTO (the best the CPU has) unless a test lowers it.
cdef int _isa = GC_NN_ISA_AUTO
_ISA_NAMES = {0: "baseline", 1: "avx2", 2: "avx512"}


def isa_levels():
    """The instruction-set levels this CPU and build can run, as ``{level: name}``."""
    best = gc_nn_isa(-1)
    return {level: name for level, name in _ISA_NAMES.items() if level <= best}


def set_isa(int level):
    """Run the kernels at instruction-set ``level`` (-1: the best available); returns the old one.

    For tests of every compiled variant; a level above what the CPU supports is lowered.
    """
    global _isa
    old = _isa
    _isa = level
    return old


def isa_name():
    """The instruction set the kernels run with now."""
    return _ISA_NAMES[gc_nn_isa(_isa)]


cdef inline void *_data(cnp.ndarray a):
    return cnp.PyArray_DATA(a)


cdef int _check(cnp.ndarray a, str name, int ndim, object dtype) except -1:
    if a.ndim != ndim or not a.flags.c_contiguous or a.dtype != dtype:
        raise ValueError(f"{name} must be a C-contiguous {ndim}-d {dtype} array")
    return 0


def conv2d(cnp.ndarray x, cnp.ndarray w, bias, cnp.ndarray out, tuple stride, tuple dilation,
           tuple pads, bint circular, bint flip, int act, double act_param, int n_threads):
    """x (N, C_in, H, W), w (C_out, C_in, kh, kw), bias (C_out,) or None, out (N, C_out, oh, ow)."""
    cdef gc_nn_conv2d_desc d
    cdef gc_status st
    cdef cnp.ndarray b
    cdef void *pb = NULL
    dt = x.dtype
    _check(x, "x", 4, dt)
    _check(w, "w", 4, dt)
    _check(out, "out", 4, dt)
    if dt.name not in ("float32", "float64"):
        raise TypeError("x must be float32 or float64")
    if w.shape[1] != x.shape[1] or out.shape[0] != x.shape[0] or out.shape[1] != w.shape[0]:
        raise ValueError("shape mismatch between x, w and out")
    if bias is not None:
        b = bias
        _check(b, "bias", 1, dt)
        if b.shape[0] != w.shape[0]:
            raise ValueError("bias must have one value per output channel")
        pb = _data(b)
    d.n_batch = x.shape[0]
    d.c_in = x.shape[1]
    d.in_h = x.shape[2]
    d.in_w = x.shape[3]
    d.c_out = w.shape[0]
    d.k_h = w.shape[2]
    d.k_w = w.shape[3]
    d.stride_h, d.stride_w = stride
    d.dil_h, d.dil_w = dilation
    d.pad_top, d.pad_bottom, d.pad_left, d.pad_right = pads
    d.out_h = out.shape[2]
    d.out_w = out.shape[3]
    d.pad_mode = GC_NN_PAD_CIRCULAR if circular else GC_NN_PAD_ZEROS
    d.flip = flip
    cdef void *px = _data(x)
    cdef void *pw = _data(w)
    cdef void *po = _data(out)
    cdef int isa = _isa
    cdef bint dbl = dt.itemsize == 8
    with nogil:
        if dbl:
            st = gc_nn_conv2d_d(&d, <const double *> px, <const double *> pw,
                                <const double *> pb, <double *> po, act, act_param, n_threads,
                                isa)
        else:
            st = gc_nn_conv2d_s(&d, <const float *> px, <const float *> pw, <const float *> pb,
                                <float *> po, act, <float> act_param, n_threads, isa)
    check_status(st)
    return out


def dense(cnp.ndarray x, cnp.ndarray w, bias, cnp.ndarray out, int act, double act_param,
          int n_threads):
    """x (N, n_in), w (n_out, n_in), bias (n_out,) or None, out (N, n_out)."""
    cdef gc_status st
    cdef cnp.ndarray b
    cdef void *pb = NULL
    dt = x.dtype
    _check(x, "x", 2, dt)
    _check(w, "w", 2, dt)
    _check(out, "out", 2, dt)
    if dt.name not in ("float32", "float64"):
        raise TypeError("x must be float32 or float64")
    if w.shape[1] != x.shape[1] or out.shape[0] != x.shape[0] or out.shape[1] != w.shape[0]:
        raise ValueError("shape mismatch between x, w and out")
    if bias is not None:
        b = bias
        _check(b, "bias", 1, dt)
        if b.shape[0] != w.shape[0]:
            raise ValueError("bias must have one value per output")
        pb = _data(b)
    cdef Py_ssize_t n_batch = x.shape[0], n_in = x.shape[1], n_out = w.shape[0]
    cdef void *px = _data(x)
    cdef void *pw = _data(w)
    cdef void *po = _data(out)
    cdef int isa = _isa
    cdef bint dbl = dt.itemsize == 8
    with nogil:
        if dbl:
            st = gc_nn_dense_d(<const double *> px, n_batch, n_in, <const double *> pw, n_out,
                               <const double *> pb, <double *> po, act, act_param, n_threads,
                               isa)
        else:
            st = gc_nn_dense_s(<const float *> px, n_batch, n_in, <const float *> pw, n_out,
                               <const float *> pb, <float *> po, act, <float> act_param,
                               n_threads, isa)
    check_status(st)
    return out


def pool2d(cnp.ndarray x, cnp.ndarray out, int kind, tuple kernel, tuple stride, tuple padding,
           double p, bint count_include_pad, int n_threads):
    """x (P, H, W) planes, out (P, oh, ow); kind 0 max, 1 average, 2 l^p."""
    cdef gc_nn_pool2d_desc d
    cdef gc_status st
    dt = x.dtype
    _check(x, "x", 3, dt)
    _check(out, "out", 3, dt)
    if dt.name not in ("float32", "float64"):
        raise TypeError("x must be float32 or float64")
    if out.shape[0] != x.shape[0]:
        raise ValueError("x and out must have the same number of planes")
    d.n_planes = x.shape[0]
    d.in_h = x.shape[1]
    d.in_w = x.shape[2]
    d.k_h, d.k_w = kernel
    d.stride_h, d.stride_w = stride
    d.pad_h, d.pad_w = padding
    d.out_h = out.shape[1]
    d.out_w = out.shape[2]
    d.kind = kind
    d.count_include_pad = count_include_pad
    d.p = p
    cdef void *px = _data(x)
    cdef void *po = _data(out)
    cdef int isa = _isa
    cdef bint dbl = dt.itemsize == 8
    with nogil:
        if dbl:
            st = gc_nn_pool2d_d(&d, <const double *> px, <double *> po, n_threads, isa)
        else:
            st = gc_nn_pool2d_s(&d, <const float *> px, <float *> po, n_threads, isa)
    check_status(st)
    return out


def activation(cnp.ndarray x, cnp.ndarray out, int act, double act_param, int n_threads):
    """out = act(x) elementwise over C-contiguous arrays of the same size (out may be x)."""
    cdef gc_status st
    dt = x.dtype
    if not (x.flags.c_contiguous and out.flags.c_contiguous) or out.dtype != dt:
        raise ValueError("x and out must be C-contiguous arrays of one dtype")
    if dt.name not in ("float32", "float64"):
        raise TypeError("x must be float32 or float64")
    if x.size != out.size:
        raise ValueError("x and out must have the same size")
    cdef Py_ssize_t n = x.size
    cdef void *px = _data(x)
    cdef void *po = _data(out)
    cdef int isa = _isa
    cdef bint dbl = dt.itemsize == 8
    with nogil:
        if dbl:
            st = gc_nn_activation_d(<const double *> px, <double *> po, n, act, act_param,
                                    n_threads, isa)
        else:
            st = gc_nn_activation_s(<const float *> px, <float *> po, n, act,
                                    <float> act_param, n_threads, isa)
    check_status(st)
    return out
