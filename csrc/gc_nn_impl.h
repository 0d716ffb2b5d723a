/* gaborcore: CNN kernel bodies, included by gc_nn.c once per precision and instruction set.
   Expects GC_REAL, GC_SUF(name), GC_VBYTES (bytes per vector register), the register tiles of the
   micro-kernels (GC_MRMAX output rows x GC_NVMAX vectors; GC_NV4, GC_NV2, GC_NV1 vectors for 4, 2
   and 1 rows; GC_NVBUF >= all of them, at most 8), GC_SQRT, GC_POW, GC_FABS, GC_EXP, GC_TANH,
   GC_LOG1P, and GC_NN_VECEXT (1: GNU C vector extensions, 0: one value per "vector").

   This file holds what every layer shares (the vector type, the elementwise nonlinearities,
   the register-tiled micro-kernels) and includes the layers' bodies: gc_nn_conv_impl.h
   (convolution), gc_nn_dense_impl.h (dense layer) and gc_nn_pool_impl.h (pooling), in this
   order, each relying on what the ones before it define. */

#define VEC GC_SUF(gc_vec)
#define VL ((ptrdiff_t)(GC_VBYTES / sizeof(GC_REAL)))

#if GC_NN_VECEXT
typedef GC_REAL VEC __attribute__((vector_size(GC_VBYTES), aligned(sizeof(GC_REAL)), may_alias));
#else
typedef GC_REAL VEC;
#endif

/* ---- elementwise nonlinearities ------------------------------------------------------------ */

static void GC_SUF(act_copy)(GC_REAL *restrict dst, const GC_REAL *restrict src, ptrdiff_t n,
                             int act, GC_REAL param) {
    ptrdiff_t t;
    switch (act) {
    case GC_NN_ACT_RELU:
        for (t = 0; t < n; ++t) dst[t] = src[t] > 0 ? src[t] : 0;
        break;
    case GC_NN_ACT_LEAKY_RELU:
        for (t = 0; t < n; ++t) dst[t] = src[t] > 0 ? src[t] : src[t] * param;
        break;
    case GC_NN_ACT_ABS:
        for (t = 0; t < n; ++t) dst[t] = GC_FABS(src[t]);
        break;
    case GC_NN_ACT_TANH:
        for (t = 0; t < n; ++t) dst[t] = GC_TANH(src[t]);
        break;
    case GC_NN_ACT_SIGMOID:
        for (t = 0; t < n; ++t) dst[t] = 1 / (1 + GC_EXP(-src[t]));
        break;
    case GC_NN_ACT_LOG1P:
        /* log1p of the ReLU: a total function (no NaN below -1 / param, NaN in gives 0) */
        for (t = 0; t < n; ++t) dst[t] = GC_LOG1P(param * (src[t] > 0 ? src[t] : 0));
        break;
    default:
        for (t = 0; t < n; ++t) dst[t] = src[t];
    }
}

/* In place (dst == src) allowed: the same loops, without the restrict promise. */
static void GC_SUF(act_inplace)(GC_REAL *v, ptrdiff_t n, int act, GC_REAL param) {
    ptrdiff_t t;
    switch (act) {
    case GC_NN_ACT_RELU:
        for (t = 0; t < n; ++t) v[t] = v[t] > 0 ? v[t] : 0;
        break;
    case GC_NN_ACT_LEAKY_RELU:
        for (t = 0; t < n; ++t) v[t] = v[t] > 0 ? v[t] : v[t] * param;
        break;
    case GC_NN_ACT_ABS:
        for (t = 0; t < n; ++t) v[t] = GC_FABS(v[t]);
        break;
    case GC_NN_ACT_TANH:
        for (t = 0; t < n; ++t) v[t] = GC_TANH(v[t]);
        break;
    case GC_NN_ACT_SIGMOID:
        for (t = 0; t < n; ++t) v[t] = 1 / (1 + GC_EXP(-v[t]));
        break;
    case GC_NN_ACT_LOG1P:
        for (t = 0; t < n; ++t) v[t] = GC_LOG1P(param * (v[t] > 0 ? v[t] : 0));
        break;
    default:
        break;
    }
}

static gc_status GC_SUF(gc_nn_activation)(const GC_REAL *x, GC_REAL *y, ptrdiff_t n, int act,
                                   GC_REAL param, int n_threads) {
    const ptrdiff_t chunk = 1 << 15;
    ptrdiff_t n_chunks, ic;
    int nt;
    if (!x || !y) return GC_ENULL;
    if (n < 0) return GC_EBADSIZE;
    if (act < GC_NN_ACT_NONE || act > GC_NN_ACT_LOG1P) return GC_EBADARG;
    if (n == 0) return GC_OK;
    n_chunks = (n + chunk - 1) / chunk;
    nt = gc_threads(n_threads, n_chunks);
    (void)nt;
#if GC_OMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
    for (ic = 0; ic < n_chunks; ++ic) {
        ptrdiff_t s = ic * chunk, len = n - s < chunk ? n - s : chunk;
        if (x == y)
            GC_SUF(act_inplace)(y + s, len, act, param);
        else
            GC_SUF(act_copy)(y + s, x + s, len, act, param);
    }
    return GC_OK;
}

/* ---- the micro-kernel ---------------------------------------------------------------------- */

/* tile[m*nv*VL + t] = bias[m] + sum_k a[m*lda + k] * b[off[k] + t],  m < mr, t < nv*VL.
   mr and nv are compile-time constants in every caller, so the accumulators live in registers. */
static GC_ALWAYS_INLINE void GC_SUF(ukernel)(const int mr, const int nv, ptrdiff_t K,
                                             const GC_REAL *restrict a, ptrdiff_t lda,
                                             const GC_REAL *restrict b,
                                             const ptrdiff_t *restrict off,
                                             const GC_REAL *restrict bias,
                                             GC_REAL *restrict tile) {
    VEC acc[GC_MRMAX][GC_NVBUF];
    ptrdiff_t k;
    int m, v;
    for (m = 0; m < mr; ++m) {
        VEC z = {0};
        const GC_REAL b0 = bias ? bias[m] : 0;
        for (v = 0; v < nv; ++v) acc[m][v] = z + b0;
    }
    for (k = 0; k < K; ++k) {
        const GC_REAL *bp = b + off[k];
        VEC bv[GC_NVBUF];
        for (v = 0; v < nv; ++v) bv[v] = *(const VEC *)(bp + v * VL);
        for (m = 0; m < mr; ++m) {
            const GC_REAL s = a[m * lda + k];
            for (v = 0; v < nv; ++v) acc[m][v] += s * bv[v];
        }
    }
    for (m = 0; m < mr; ++m)
        for (v = 0; v < nv; ++v) *(VEC *)(tile + (m * nv + v) * VL) = acc[m][v];
}

typedef void (*GC_SUF(ukernel_fn))(ptrdiff_t, const GC_REAL *, ptrdiff_t, const GC_REAL *,
                                   const ptrdiff_t *, const GC_REAL *, GC_REAL *);

/* One function per register tile (the largest is named uk_GC_MRMAX: ## pastes before the
   argument expands). */
#define GC_NN_UKERNEL(MR, NV)                                                                   \
    static void GC_SUF(uk_##MR)(ptrdiff_t K, const GC_REAL *restrict a, ptrdiff_t lda,          \
                                const GC_REAL *restrict b, const ptrdiff_t *restrict off,       \
                                const GC_REAL *restrict bias, GC_REAL *restrict tile) {         \
        GC_SUF(ukernel)(MR, NV, K, a, lda, b, off, bias, tile);                                 \
    }
GC_NN_UKERNEL(GC_MRMAX, GC_NVMAX)
#if GC_MRMAX > 4
GC_NN_UKERNEL(4, GC_NV4)
#endif
GC_NN_UKERNEL(2, GC_NV2)
GC_NN_UKERNEL(1, GC_NV1)
#undef GC_NN_UKERNEL

/* Register tile for a block of mr output channels: blocks of GC_MRMAX, the rest in 4, 2, 1. */
static int GC_SUF(block_rows)(ptrdiff_t remaining) {
    if (remaining >= GC_MRMAX) return GC_MRMAX;
    if (remaining >= 4) return 4;
    return remaining >= 2 ? 2 : 1;
}

static void GC_SUF(block_kernel)(int mr, GC_SUF(ukernel_fn) *fn, ptrdiff_t *nr) {
#define GC_NN_PICK(MR, NV)                                                                      \
    if (mr == MR) {                                                                             \
        *fn = GC_SUF(uk_##MR);                                                                  \
        *nr = (NV) * VL;                                                                        \
        return;                                                                                 \
    }
    GC_NN_PICK(GC_MRMAX, GC_NVMAX)
#if GC_MRMAX > 4
    GC_NN_PICK(4, GC_NV4)
#endif
    GC_NN_PICK(2, GC_NV2)
    *fn = GC_SUF(uk_1);
    *nr = GC_NV1 * VL;
#undef GC_NN_PICK
}

/* Largest pixel strip of any kernel (buffer slack). */
#define GC_NN_MAXNR (VL * (GC_NVMAX > 8 ? GC_NVMAX : 8))
/* Largest tile of any kernel, in elements. */
#define GC_NN_MAXTILE (VL * (GC_MRMAX * GC_NVMAX > 32 ? GC_MRMAX * GC_NVMAX : 32))

#include "gc_nn_conv_impl.h"
#include "gc_nn_dense_impl.h"
#include "gc_nn_pool_impl.h"

#undef GC_NN_MAXNR
#undef GC_NN_MAXTILE
#undef VEC
#undef VL
