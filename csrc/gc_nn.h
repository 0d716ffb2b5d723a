/* gaborcore: CNN front-end kernels (float and double).

   Convolution layer (one call = a whole batch):

       y[b, o, i, j] = act(bias[o] + sum_{c, u, v} xp[b, c, i*sh + u*dh, j*sw + v*dw] * w[o, c, u', v'])

   with xp the input padded by (pad_top, pad_bottom, pad_left, pad_right) samples, zeros or
   circularly wrapped (indices mod the input size), and (u', v') = (u, v) for the CNN-style
   correlation or (kh-1-u, kw-1-v) for the true convolution (flip = 1).  x is contiguous
   (n_batch, c_in, in_h, in_w), w contiguous (c_out, c_in, kh, kw), y contiguous
   (n_batch, c_out, out_h, out_w) with out_h = (in_h + pad_top + pad_bottom - dh*(kh-1) - 1)/sh + 1
   (and likewise out_w).  bias may be NULL.

   Dense layer: y[b, o] = act(bias[o] + sum_i x[b, i] * w[o, i]); x (n_batch, n_in), w (n_out, n_in),
   y (n_batch, n_out), all contiguous.

   Pooling over K x L blocks of every plane of x (n_planes, in_h, in_w), planes contiguous:
   max (padding counts as -inf), average (divisor as PyTorch's avg_pool2d), or the l^p norm
   (sum |v|^p)^(1/p) of the block for 1 <= p <= inf (padding contributes nothing).

   Activations are applied elementwise, optionally in place (x == y).

   All functions return a gc_status; they allocate only their own scratch, hold no global state,
   run on n_threads OpenMP threads (when compiled with OpenMP) and give results that do not depend
   on n_threads.  On x86-64 with GCC the kernels are compiled for AVX-512, AVX2+FMA and the
   baseline instruction set and chosen at run time from the CPU's features. */
#ifndef GC_NN_H
#define GC_NN_H

#include "gc_common.h"

/* Padding of the convolution input. */
enum { GC_NN_PAD_ZEROS = 0, GC_NN_PAD_CIRCULAR = 1 };

/* Elementwise nonlinearity; param is the negative slope (leaky ReLU) or the gain (log1p). */
enum {
    GC_NN_ACT_NONE = 0,
    GC_NN_ACT_RELU = 1,
    GC_NN_ACT_LEAKY_RELU = 2,
    GC_NN_ACT_ABS = 3,
    GC_NN_ACT_TANH = 4,
    GC_NN_ACT_SIGMOID = 5,
    GC_NN_ACT_LOG1P = 6 /* log(1 + param * max(x, 0)) */
};

/* Pooling rule. */
enum { GC_NN_POOL_MAX = 0, GC_NN_POOL_AVG = 1, GC_NN_POOL_LP = 2 };

typedef struct {
    ptrdiff_t n_batch, c_in, c_out;
    ptrdiff_t in_h, in_w, k_h, k_w;
    ptrdiff_t stride_h, stride_w, dil_h, dil_w; /* strides at most the padded extents */
    ptrdiff_t pad_top, pad_bottom, pad_left, pad_right;
    ptrdiff_t out_h, out_w;
    int pad_mode; /* GC_NN_PAD_ZEROS or GC_NN_PAD_CIRCULAR */
    int flip;     /* 0: correlation (CNN layers), 1: true convolution */
} gc_nn_conv2d_desc;

typedef struct {
    ptrdiff_t n_planes, in_h, in_w, k_h, k_w;
    ptrdiff_t stride_h, stride_w, pad_h, pad_w; /* pad_h rows above and below, pad_w columns */
    ptrdiff_t out_h, out_w;
    int kind;              /* GC_NN_POOL_* */
    int count_include_pad; /* average pooling: divide by the window clipped to the padded input */
    double p;              /* GC_NN_POOL_LP: 1 <= p <= inf */
} gc_nn_pool2d_desc;

/* Instruction sets of the kernels.  Every function takes an `isa` argument: GC_NN_ISA_AUTO picks
   the best one the CPU supports; a specific level is lowered to what the CPU supports (tests use
   it to check every compiled variant). */
enum { GC_NN_ISA_AUTO = -1, GC_NN_ISA_BASELINE = 0, GC_NN_ISA_AVX2 = 1, GC_NN_ISA_AVX512 = 2 };

/* The level that `requested` resolves to on this CPU and build. */
int gc_nn_isa(int requested);

gc_status gc_nn_conv2d_s(const gc_nn_conv2d_desc *d, const float *x, const float *w,
                         const float *bias, float *y, int act, float act_param, int n_threads,
                         int isa);
gc_status gc_nn_conv2d_d(const gc_nn_conv2d_desc *d, const double *x, const double *w,
                         const double *bias, double *y, int act, double act_param, int n_threads,
                         int isa);

gc_status gc_nn_dense_s(const float *x, ptrdiff_t n_batch, ptrdiff_t n_in, const float *w,
                        ptrdiff_t n_out, const float *bias, float *y, int act, float act_param,
                        int n_threads, int isa);
gc_status gc_nn_dense_d(const double *x, ptrdiff_t n_batch, ptrdiff_t n_in, const double *w,
                        ptrdiff_t n_out, const double *bias, double *y, int act, double act_param,
                        int n_threads, int isa);

gc_status gc_nn_pool2d_s(const gc_nn_pool2d_desc *d, const float *x, float *y, int n_threads,
                         int isa);
gc_status gc_nn_pool2d_d(const gc_nn_pool2d_desc *d, const double *x, double *y, int n_threads,
                         int isa);

gc_status gc_nn_activation_s(const float *x, float *y, ptrdiff_t n, int act, float act_param,
                             int n_threads, int isa);
gc_status gc_nn_activation_d(const double *x, double *y, ptrdiff_t n, int act, double act_param,
                             int n_threads, int isa);

#endif
