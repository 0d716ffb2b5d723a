# cython: language_level=3
"""Declarations of the C CNN kernels in csrc/gc_nn.h (all callable without the GIL)."""

from ._csrc cimport gc_status


cdef extern from "gc_nn.h" nogil:
    enum:
        GC_NN_PAD_ZEROS
        GC_NN_PAD_CIRCULAR
        GC_NN_POOL_MAX
        GC_NN_POOL_AVG
        GC_NN_POOL_LP
        GC_NN_ACT_NONE
        GC_NN_ACT_LOG1P
        GC_NN_ISA_AUTO

    ctypedef struct gc_nn_conv2d_desc:
        Py_ssize_t n_batch, c_in, c_out
        Py_ssize_t in_h, in_w, k_h, k_w
        Py_ssize_t stride_h, stride_w, dil_h, dil_w
        Py_ssize_t pad_top, pad_bottom, pad_left, pad_right
        Py_ssize_t out_h, out_w
        int pad_mode
        int flip

    ctypedef struct gc_nn_pool2d_desc:
        Py_ssize_t n_planes, in_h, in_w, k_h, k_w
        Py_ssize_t stride_h, stride_w, pad_h, pad_w
        Py_ssize_t out_h, out_w
        int kind
        int count_include_pad
        double p

    int gc_nn_isa(int requested)

    gc_status gc_nn_conv2d_s(const gc_nn_conv2d_desc *d, const float *x, const float *w,
                             const float *bias, float *y, int act, float act_param,
                             int n_threads, int isa)
    gc_status gc_nn_conv2d_d(const gc_nn_conv2d_desc *d, const double *x, const double *w,
                             const double *bias, double *y, int act, double act_param,
                             int n_threads, int isa)
    gc_status gc_nn_dense_s(const float *x, Py_ssize_t n_batch, Py_ssize_t n_in, const float *w,
                            Py_ssize_t n_out, const float *bias, float *y, int act,
                            float act_param, int n_threads, int isa)
    gc_status gc_nn_dense_d(const double *x, Py_ssize_t n_batch, Py_ssize_t n_in,
                            const double *w, Py_ssize_t n_out, const double *bias, double *y,
                            int act, double act_param, int n_threads, int isa)
    gc_status gc_nn_pool2d_s(const gc_nn_pool2d_desc *d, const float *x, float *y,
                             int n_threads, int isa)
    gc_status gc_nn_pool2d_d(const gc_nn_pool2d_desc *d, const double *x, double *y,
                             int n_threads, int isa)
    gc_status gc_nn_activation_s(const float *x, float *y, Py_ssize_t n, int act,
                                 float act_param, int n_threads, int isa)
    gc_status gc_nn_activation_d(const double *x, double *y, Py_ssize_t n, int act,
                                 double act_param, int n_threads, int isa)
