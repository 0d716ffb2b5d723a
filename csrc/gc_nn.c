/* gaborcore: CNN kernels; one source (gc_nn_impl.h and the layer bodies it includes) compiled per
   precision and instruction set.

   With GCC on x86-64 the source is compiled three times: AVX-512 (32 vector registers of 64
   bytes: 8 x 3 register tile), AVX2 + FMA (16 registers of 32 bytes: 6 x 2) and the baseline
   (SSE2: 4 x 3), and each call picks the best variant the CPU supports (gc_nn_isa).  Elsewhere the
   baseline variant is the only one (GNU vector extensions where the compiler has them, plain
   loops otherwise).  Floating-point contraction is allowed in this file so that a*b + c becomes
   one fused multiply-add where the instruction set has it (ISO C mode turns it off by default). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

#include "gc_nn.h" /* first: gc_common.h sets _POSIX_C_SOURCE before any libc header */

#include <math.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GC_NN_MULTI_ISA 1
#else
#define GC_NN_MULTI_ISA 0
#endif

#if defined(__GNUC__)
#define GC_NN_VECEXT 1
#define GC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GC_NN_VECEXT 0
#define GC_ALWAYS_INLINE inline
#endif

#define GC_CAT_(a, b) a##b
#define GC_CAT(a, b) GC_CAT_(a, b)
#define GC_CAT3_(a, b, c) a##_##b##_##c
#define GC_CAT3(a, b, c) GC_CAT3_(a, b, c)

/* What gc_nn_impl.h expects, in terms of the precision (GC_PREC s/d, GC_MSUF f/empty: the
   suffix of the C math functions) and the instruction set (GC_ISA) of each instantiation. */
#define GC_SUF(name) GC_CAT3(name, GC_PREC, GC_ISA)
#define GC_SQRT GC_CAT(sqrt, GC_MSUF)
#define GC_POW GC_CAT(pow, GC_MSUF)
#define GC_FABS GC_CAT(fabs, GC_MSUF)
#define GC_EXP GC_CAT(exp, GC_MSUF)
#define GC_TANH GC_CAT(tanh, GC_MSUF)
#define GC_LOG1P GC_CAT(log1p, GC_MSUF)

/* ---- baseline: SSE2 on x86-64, NEON on arm64, ... (16-byte vectors), or plain loops -------- */
#define GC_ISA base
#if GC_NN_VECEXT
#define GC_VB_F 16
#define GC_VB_D 16
#define GC_MRMAX 4
#define GC_NVMAX 3
#else
#define GC_VB_F 4
#define GC_VB_D 8
#define GC_MRMAX 4
#define GC_NVMAX 4
#endif
#define GC_NV4 GC_NVMAX
#define GC_NV2 4
#define GC_NV1 4
#define GC_NVBUF 4
#define GC_REAL float
#define GC_PREC s
#define GC_MSUF f
#define GC_VBYTES GC_VB_F
#include "gc_nn_impl.h"
#undef GC_REAL
#undef GC_PREC
#undef GC_MSUF
#undef GC_VBYTES
#define GC_REAL double
#define GC_PREC d
#define GC_MSUF 
#define GC_VBYTES GC_VB_D
#include "gc_nn_impl.h"
#undef GC_REAL
#undef GC_PREC
#undef GC_MSUF
#undef GC_VBYTES
#undef GC_ISA
#undef GC_VB_F
#undef GC_VB_D
#undef GC_MRMAX
#undef GC_NVMAX
#undef GC_NV4
#undef GC_NV2
#undef GC_NV1
#undef GC_NVBUF

#if GC_NN_MULTI_ISA
/* ---- AVX2 + FMA: 16 registers of 32 bytes ----------------------------------------------------- */
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define GC_ISA avx2
#define GC_VB_F 32
#define GC_VB_D 32
#define GC_MRMAX 6
#define GC_NVMAX 2
#define GC_NV4 3
#define GC_NV2 4
#define GC_NV1 4
#define GC_NVBUF 4
#define GC_REAL float
#define GC_PREC s
#define GC_MSUF f
#define GC_VBYTES GC_VB_F
#include "gc_nn_impl.h"
#undef GC_REAL
#undef GC_PREC
#undef GC_MSUF
#undef GC_VBYTES
#define GC_REAL double
#define GC_PREC d
#define GC_MSUF 
#define GC_VBYTES GC_VB_D
#include "gc_nn_impl.h"
#undef GC_REAL
#undef GC_PREC
#undef GC_MSUF
#undef GC_VBYTES
#undef GC_ISA
#undef GC_VB_F
#undef GC_VB_D
#undef GC_MRMAX
#undef GC_NVMAX
#undef GC_NV4
#undef GC_NV2
#undef GC_NV1
#undef GC_NVBUF
#pragma GCC pop_options

/* ---- AVX-512 (F, DQ, VL, BW): 32 registers of 64 bytes ------------------------------------------ */
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
#define GC_ISA avx512
#define GC_VB_F 64
#define GC_VB_D 64
#define GC_MRMAX 8
#define GC_NVMAX 3
#define GC_NV4 4
#define GC_NV2 6
#define GC_NV1 8
#define GC_NVBUF 8
#define GC_REAL float
#define GC_PREC s
#define GC_MSUF f
#define GC_VBYTES GC_VB_F
#include "gc_nn_impl.h"
#undef GC_REAL
#undef GC_PREC
#undef GC_MSUF
#undef GC_VBYTES
#define GC_REAL double
#define GC_PREC d
#define GC_MSUF 
#define GC_VBYTES GC_VB_D
#include "gc_nn_impl.h"
#undef GC_REAL
#undef GC_PREC
#undef GC_MSUF
#undef GC_VBYTES
#undef GC_ISA
#undef GC_VB_F
#undef GC_VB_D
#undef GC_MRMAX
#undef GC_NVMAX
#undef GC_NV4
#undef GC_NV2
#undef GC_NV1
#undef GC_NVBUF
#pragma GCC pop_options
#endif

/* ---- run-time dispatch ---------------------------------------------------------------------- */

int gc_nn_isa(int requested) {
    int best = GC_NN_ISA_BASELINE;
#if GC_NN_MULTI_ISA
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        best = GC_NN_ISA_AVX2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
            best = GC_NN_ISA_AVX512;
    }
#endif
    return requested < 0 || requested > best ? best : requested;
}

#if GC_NN_MULTI_ISA
#define GC_NN_DISPATCH(fn, args)                                                                 \
    switch (gc_nn_isa(isa)) {                                                                    \
    case GC_NN_ISA_AVX512:                                                                       \
        return fn##_avx512 args;                                                                 \
    case GC_NN_ISA_AVX2:                                                                         \
        return fn##_avx2 args;                                                                   \
    default:                                                                                     \
        return fn##_base args;                                                                   \
    }
#else
#define GC_NN_DISPATCH(fn, args)                                                                 \
    (void)isa;                                                                                   \
    return fn##_base args;
#endif

gc_status gc_nn_conv2d_s(const gc_nn_conv2d_desc *d, const float *x, const float *w,
                         const float *bias, float *y, int act, float act_param, int n_threads,
                         int isa) {
    GC_NN_DISPATCH(gc_nn_conv2d_s, (d, x, w, bias, y, act, act_param, n_threads))
}

gc_status gc_nn_conv2d_d(const gc_nn_conv2d_desc *d, const double *x, const double *w,
                         const double *bias, double *y, int act, double act_param, int n_threads,
                         int isa) {
    GC_NN_DISPATCH(gc_nn_conv2d_d, (d, x, w, bias, y, act, act_param, n_threads))
}

gc_status gc_nn_dense_s(const float *x, ptrdiff_t n_batch, ptrdiff_t n_in, const float *w,
                        ptrdiff_t n_out, const float *bias, float *y, int act, float act_param,
                        int n_threads, int isa) {
    GC_NN_DISPATCH(gc_nn_dense_s, (x, n_batch, n_in, w, n_out, bias, y, act, act_param, n_threads))
}

gc_status gc_nn_dense_d(const double *x, ptrdiff_t n_batch, ptrdiff_t n_in, const double *w,
                        ptrdiff_t n_out, const double *bias, double *y, int act, double act_param,
                        int n_threads, int isa) {
    GC_NN_DISPATCH(gc_nn_dense_d, (x, n_batch, n_in, w, n_out, bias, y, act, act_param, n_threads))
}

gc_status gc_nn_pool2d_s(const gc_nn_pool2d_desc *d, const float *x, float *y, int n_threads,
                         int isa) {
    GC_NN_DISPATCH(gc_nn_pool2d_s, (d, x, y, n_threads))
}

gc_status gc_nn_pool2d_d(const gc_nn_pool2d_desc *d, const double *x, double *y, int n_threads,
                         int isa) {
    GC_NN_DISPATCH(gc_nn_pool2d_d, (d, x, y, n_threads))
}

gc_status gc_nn_activation_s(const float *x, float *y, ptrdiff_t n, int act, float act_param,
                             int n_threads, int isa) {
    GC_NN_DISPATCH(gc_nn_activation_s, (x, y, n, act, act_param, n_threads))
}

gc_status gc_nn_activation_d(const double *x, double *y, ptrdiff_t n, int act, double act_param,
                             int n_threads, int isa) {
    GC_NN_DISPATCH(gc_nn_activation_d, (x, y, n, act, act_param, n_threads))
}
