/* gaborcore: CNN kernel bodies, included by gc_nn.c once per precision and instruction set.
   Expects GC_REAL, GC_SUF(name), GC_VBYTES (bytes per vector register), the register tiles of the
   micro-kernels (GC_MRMAX output rows x GC_NVMAX vectors; GC_NV4, GC_NV2, GC_NV1 vectors for 4, 2
   and 1 rows; GC_NVBUF >= all of them, at most 8), GC_SQRT, GC_POW, GC_FABS, GC_EXP, GC_TANH,
   GC_LOG1P, and GC_NN_VECEXT (1: GNU C vector extensions, 0: one value per "vector").

   Convolution as an implicit GEMM
   -------------------------------
   For a band of output rows of one image, the padded input rows the band needs are copied once
   into a scratch buffer, split into the sh x sw stride phases: plane (rh, rw) of channel c holds
   xp[c, r*sh + rh, q*sw + rw] at row r, column q (Wq = ceil(Wp / sw) columns).  Output pixel
   (i, j) and tap (u, v) then read plane ((u*dh) % sh, (v*dw) % sw) at row i + (u*dh)/sh, column
   j + (v*dw)/sw: with the band's pixels numbered p = i*Wq + j ("padded width", the Wq - out_w
   columns at the end of each row are computed and discarded), tap k of pixel p sits at
   buf[off[k] + p] for a fixed table off[] of the c_in*kh*kw taps.  So every column of the
   im2col matrix is a contiguous run of the buffer whatever the stride, dilation and padding,
   and the layer is the matrix product  Y[o, p] = sum_k W[o, k] * buf[off[k] + p]  computed
   without materialising im2col: a register tile of mr output channels x nr consecutive pixels
   accumulates over all k (weights broadcast, input vectors loaded unaligned) and is written once,
   with bias and activation, to the output.  With few input channels (first layers: k = kh*kw)
   this is a register-blocked direct convolution; with many it is a GEMM whose B panel is read in
   place.  Every output value is bias + sum over k in the same order, whichever tile, band or
   thread computes it, so results do not depend on the thread count. */

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

/* ---- convolution --------------------------------------------------------------------------- */

/* Bytes of input band copied per work item: the band, the weights of a channel block and a tile
   stay in L2 while every channel block sweeps over it. */
#define GC_NN_BAND_BYTES ((ptrdiff_t)192 * 1024)

static ptrdiff_t GC_SUF(wrap)(ptrdiff_t i, ptrdiff_t n) {
    ptrdiff_t m = i % n;
    return m < 0 ? m + n : m;
}

/* Copy plane rows [r0, r0 + nrows) of every stride phase of channel plane `src` (in_h x in_w)
   into dst (sh*sw planes of nrows x wq, plane after plane).  colmap[rw*wq + q] is the input
   column of padded column q*sw + rw, or -1 for a zero. */
static void GC_SUF(fill_band)(const gc_nn_conv2d_desc *d, const GC_REAL *src, ptrdiff_t r0,
                              ptrdiff_t nrows, ptrdiff_t wq, const ptrdiff_t *colmap,
                              GC_REAL *dst) {
    const ptrdiff_t sh = d->stride_h, sw = d->stride_w, in_h = d->in_h, in_w = d->in_w;
    const ptrdiff_t hp = in_h + d->pad_top + d->pad_bottom;
    const int unit_zero = sw == 1 && d->pad_mode == GC_NN_PAD_ZEROS;
    ptrdiff_t rh, rw, r, q;
    for (rh = 0; rh < sh; ++rh) {
        for (rw = 0; rw < sw; ++rw) {
            GC_REAL *plane = dst + (rh * sw + rw) * nrows * wq;
            const ptrdiff_t *cm = colmap + rw * wq;
            for (r = 0; r < nrows; ++r) {
                GC_REAL *row = plane + r * wq;
                ptrdiff_t pr = (r0 + r) * sh + rh, ir = pr - d->pad_top;
                const GC_REAL *srow;
                if (pr >= hp) {
                    memset(row, 0, (size_t)wq * sizeof(GC_REAL));
                    continue;
                }
                if (d->pad_mode == GC_NN_PAD_CIRCULAR) {
                    ir = GC_SUF(wrap)(ir, in_h);
                } else if (ir < 0 || ir >= in_h) {
                    memset(row, 0, (size_t)wq * sizeof(GC_REAL));
                    continue;
                }
                srow = src + ir * in_w;
                if (unit_zero) {
                    /* columns: pad_left zeros, the row, zeros up to wq */
                    ptrdiff_t pl = d->pad_left, n = in_w;
                    if (pl > wq) pl = wq;
                    if (n > wq - pl) n = wq - pl;
                    memset(row, 0, (size_t)pl * sizeof(GC_REAL));
                    memcpy(row + pl, srow, (size_t)n * sizeof(GC_REAL));
                    memset(row + pl + n, 0, (size_t)(wq - pl - n) * sizeof(GC_REAL));
                } else {
                    for (q = 0; q < wq; ++q) row[q] = cm[q] >= 0 ? srow[cm[q]] : 0;
                }
            }
        }
    }
}

/* Write an mr x nr tile of band pixels [p0, p0 + nr) (clipped to P) to the output channels
   y_ch, y_ch + cstride, ... of the band (rows of out_w values), skipping the padded-width
   columns, applying the activation on the way. */
static void GC_SUF(store_tile)(const GC_REAL *tile, int mr, ptrdiff_t nr, ptrdiff_t p0,
                               ptrdiff_t P, ptrdiff_t wq, ptrdiff_t out_w, GC_REAL *y_ch,
                               ptrdiff_t cstride, int act, GC_REAL param) {
    ptrdiff_t p = p0, end = p0 + nr < P ? p0 + nr : P;
    while (p < end) {
        ptrdiff_t row = p / wq, col = p - row * wq, n = wq - col, nv;
        int m;
        if (n > end - p) n = end - p;
        nv = col < out_w ? (out_w - col < n ? out_w - col : n) : 0;
        for (m = 0; m < mr && nv > 0; ++m)
            GC_SUF(act_copy)(y_ch + m * cstride + row * out_w + col, tile + m * nr + (p - p0), nv,
                             act, param);
        p += n;
    }
}

static gc_status GC_SUF(gc_nn_conv2d)(const gc_nn_conv2d_desc *d, const GC_REAL *x, const GC_REAL *w,
                               const GC_REAL *bias, GC_REAL *y, int act, GC_REAL param,
                               int n_threads) {
    ptrdiff_t hp, wp, wq, eh, K, n_phase, band, n_bands, cgroup, n_cgroups, n_items, nr_buf, ps, cs;
    ptrdiff_t buf_len;
    ptrdiff_t *off = NULL, *colmap = NULL;
    ptrdiff_t ci, u, v, q, rw;
    gc_status st = GC_OK;
    int nt;
    if (!d || !x || !w || !y) return GC_ENULL;
    if (d->n_batch < 0 || d->c_in < 1 || d->c_out < 1 || d->in_h < 1 || d->in_w < 1 ||
        d->k_h < 1 || d->k_w < 1 || d->stride_h < 1 || d->stride_w < 1 || d->dil_h < 1 ||
        d->dil_w < 1 || d->pad_top < 0 || d->pad_bottom < 0 || d->pad_left < 0 ||
        d->pad_right < 0)
        return GC_EBADSIZE;
    if (d->pad_mode != GC_NN_PAD_ZEROS && d->pad_mode != GC_NN_PAD_CIRCULAR) return GC_EBADARG;
    if (act < GC_NN_ACT_NONE || act > GC_NN_ACT_LOG1P) return GC_EBADARG;
    hp = d->in_h + d->pad_top + d->pad_bottom;
    wp = d->in_w + d->pad_left + d->pad_right;
    if (hp < d->dil_h * (d->k_h - 1) + 1 || wp < d->dil_w * (d->k_w - 1) + 1) return GC_EBADSIZE;
    /* a stride beyond the padded extent gives one output, as the extent does; refusing it keeps
       the products of strides and widths below (buffer sizes) from overflowing */
    if (d->stride_h > hp || d->stride_w > wp) return GC_EBADSIZE;
    if (d->out_h != (hp - d->dil_h * (d->k_h - 1) - 1) / d->stride_h + 1 ||
        d->out_w != (wp - d->dil_w * (d->k_w - 1) - 1) / d->stride_w + 1)
        return GC_EBADSIZE;
    if (d->n_batch == 0) return GC_OK;

    wq = (wp + d->stride_w - 1) / d->stride_w;
    eh = d->dil_h * (d->k_h - 1) / d->stride_h;
    K = d->c_in * d->k_h * d->k_w;
    n_phase = d->stride_h * d->stride_w;
    band = GC_NN_BAND_BYTES / ((ptrdiff_t)sizeof(GC_REAL) * d->c_in * n_phase * wq) - eh;
    if (band < eh) band = eh; /* at most half of what is copied is the halo below the band */
    if (band < 1) band = 1;
    if (band > d->out_h) band = d->out_h;
    n_bands = (d->out_h + band - 1) / band;
    /* Too few items to keep the threads busy (a small batch): split the output channels into
       groups (of whole register blocks), then the rows into thinner bands.  Either way every
       output value is computed exactly as before. */
    cgroup = d->c_out;
    if (n_threads > 1 && d->n_batch * n_bands < 4 * (ptrdiff_t)n_threads) {
        const ptrdiff_t want = 4 * (ptrdiff_t)n_threads;
        const ptrdiff_t n_blk = (d->c_out + GC_MRMAX - 1) / GC_MRMAX;
        ptrdiff_t n_cg = (want + d->n_batch * n_bands - 1) / (d->n_batch * n_bands);
        if (n_cg > n_blk) n_cg = n_blk;
        cgroup = (n_blk + n_cg - 1) / n_cg * GC_MRMAX;
        n_cg = (d->c_out + cgroup - 1) / cgroup;
        if (d->n_batch * n_bands * n_cg < want) {
            ptrdiff_t rows_wanted = (want + d->n_batch * n_cg - 1) / (d->n_batch * n_cg);
            band = (d->out_h + rows_wanted - 1) / rows_wanted;
            n_bands = (d->out_h + band - 1) / band;
        }
    }
    n_cgroups = (d->c_out + cgroup - 1) / cgroup;
    n_items = d->n_batch * n_bands * n_cgroups;
    nr_buf = band + eh;
    ps = nr_buf * wq;
    cs = n_phase * ps;
    /* slack: the padded-width columns of the last row read up to wq - 1 past it, a strip up to
       GC_NN_MAXNR - 1 past the last pixel */
    buf_len = d->c_in * cs + wq + GC_NN_MAXNR + VL;

    off = (ptrdiff_t *)malloc((size_t)K * sizeof(ptrdiff_t));
    colmap = (ptrdiff_t *)malloc((size_t)(d->stride_w * wq) * sizeof(ptrdiff_t));
    if (!off || !colmap) {
        free(off);
        free(colmap);
        return GC_ENOMEM;
    }
    for (ci = 0; ci < d->c_in; ++ci)
        for (u = 0; u < d->k_h; ++u)
            for (v = 0; v < d->k_w; ++v) {
                /* weight (u, v) multiplies tap (u, v), or (kh-1-u, kw-1-v) for the convolution */
                ptrdiff_t tu = d->flip ? d->k_h - 1 - u : u, tv = d->flip ? d->k_w - 1 - v : v;
                ptrdiff_t ru = tu * d->dil_h, rv = tv * d->dil_w;
                off[(ci * d->k_h + u) * d->k_w + v] =
                    ci * cs + ((ru % d->stride_h) * d->stride_w + rv % d->stride_w) * ps +
                    (ru / d->stride_h) * wq + rv / d->stride_w;
            }
    for (rw = 0; rw < d->stride_w; ++rw)
        for (q = 0; q < wq; ++q) {
            ptrdiff_t pc = q * d->stride_w + rw, ic = pc - d->pad_left;
            if (pc >= wp)
                ic = -1;
            else if (d->pad_mode == GC_NN_PAD_CIRCULAR)
                ic = GC_SUF(wrap)(ic, d->in_w);
            else if (ic < 0 || ic >= d->in_w)
                ic = -1;
            colmap[rw * wq + q] = ic;
        }

    nt = gc_threads(n_threads, n_items);
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        GC_REAL *buf = (GC_REAL *)gc_aligned_alloc((size_t)buf_len * sizeof(GC_REAL));
        GC_REAL *tile = (GC_REAL *)gc_aligned_alloc((size_t)GC_NN_MAXTILE * sizeof(GC_REAL));
        const ptrdiff_t plane_out = d->out_h * d->out_w;
        int ok = buf != NULL && tile != NULL;
        ptrdiff_t item;
        if (ok) {
            memset(buf + d->c_in * cs, 0, (size_t)(buf_len - d->c_in * cs) * sizeof(GC_REAL));
        } else {
#if GC_OMP
#pragma omp critical(gc_nn_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (item = 0; item < n_items; ++item) {
            const ptrdiff_t cg = item % n_cgroups, bb = item / n_cgroups;
            const ptrdiff_t b = bb / n_bands, i0 = (bb % n_bands) * band;
            const ptrdiff_t rows = d->out_h - i0 < band ? d->out_h - i0 : band, P = rows * wq;
            const ptrdiff_t co_end = (cg + 1) * cgroup < d->c_out ? (cg + 1) * cgroup : d->c_out;
            const GC_REAL *xb = x + b * d->c_in * d->in_h * d->in_w;
            GC_REAL *yb = y + b * d->c_out * plane_out + i0 * d->out_w;
            ptrdiff_t co0, p0, c;
            if (!ok) continue;
            for (c = 0; c < d->c_in; ++c)
                GC_SUF(fill_band)(d, xb + c * d->in_h * d->in_w, i0, nr_buf, wq, colmap,
                                  buf + c * cs);
            for (co0 = cg * cgroup; co0 < co_end;) {
                const int mr = GC_SUF(block_rows)(co_end - co0);
                GC_SUF(ukernel_fn) fn;
                ptrdiff_t nr;
                GC_SUF(block_kernel)(mr, &fn, &nr);
                for (p0 = 0; p0 < P; p0 += nr) {
                    fn(K, w + co0 * K, K, buf + p0, off, bias ? bias + co0 : NULL, tile);
                    GC_SUF(store_tile)(tile, mr, nr, p0, P, wq, d->out_w, yb + co0 * plane_out,
                                       plane_out, act, param);
                }
                co0 += mr;
            }
        }
        gc_aligned_free(buf);
        gc_aligned_free(tile);
    }
    free(off);
    free(colmap);
    return st;
}

/* ---- dense layer --------------------------------------------------------------------------- */

/* y[o] = act(bias[o] + sum_i w[o, i] x[i]) for mr consecutive outputs: dot products over the
   features, vectorised along them (lanes summed in order, then the remaining features). */
static GC_ALWAYS_INLINE void GC_SUF(dense_dots)(const int mr, const GC_REAL *restrict x,
                                                ptrdiff_t n_in, const GC_REAL *restrict w,
                                                const GC_REAL *restrict bias, GC_REAL *y,
                                                int act, GC_REAL param) {
    VEC acc[4];
    GC_REAL lanes[GC_VBYTES / sizeof(GC_REAL)];
    ptrdiff_t i = 0, t;
    int m;
    for (m = 0; m < mr; ++m) {
        VEC z = {0};
        acc[m] = z;
    }
    for (; i + VL <= n_in; i += VL) {
        const VEC xv = *(const VEC *)(x + i);
        for (m = 0; m < mr; ++m) acc[m] += *(const VEC *)(w + m * n_in + i) * xv;
    }
    for (m = 0; m < mr; ++m) {
        GC_REAL s = bias ? bias[m] : 0;
        memcpy(lanes, &acc[m], sizeof lanes);
        for (t = 0; t < VL; ++t) s += lanes[t];
        for (t = i; t < n_in; ++t) s += w[m * n_in + t] * x[t];
        y[m] = s;
    }
    GC_SUF(act_inplace)(y, mr, act, param);
}

/* A batch smaller than one vector: rows times chunks of outputs, 4 outputs at a time. */
static gc_status GC_SUF(dense_small)(const GC_REAL *x, ptrdiff_t n_batch, ptrdiff_t n_in,
                                     const GC_REAL *w, ptrdiff_t n_out, const GC_REAL *bias,
                                     GC_REAL *y, int act, GC_REAL param, int n_threads) {
    const ptrdiff_t chunk = 64, n_chunks = (n_out + chunk - 1) / chunk;
    const ptrdiff_t n_items = n_batch * n_chunks;
    ptrdiff_t item;
    int nt = gc_threads(n_threads, n_items);
    (void)nt;
#if GC_OMP
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
#endif
    for (item = 0; item < n_items; ++item) {
        const ptrdiff_t b = item / n_chunks, o0 = (item % n_chunks) * chunk;
        const ptrdiff_t o1 = o0 + chunk < n_out ? o0 + chunk : n_out;
        const GC_REAL *xr = x + b * n_in;
        GC_REAL *yr = y + b * n_out;
        ptrdiff_t o = o0;
        for (; o + 4 <= o1; o += 4)
            GC_SUF(dense_dots)(4, xr, n_in, w + o * n_in, bias ? bias + o : NULL, yr + o, act,
                               param);
        for (; o < o1; ++o)
            GC_SUF(dense_dots)(1, xr, n_in, w + o * n_in, bias ? bias + o : NULL, yr + o, act,
                               param);
    }
    return GC_OK;
}

/* The same micro-kernel with the batch as the pixel axis: Y^T[o, b] = sum_i W[o, i] X^T[i, b]
   (X^T copied once, rows of n_batch values); work items are blocks of output features times
   groups of batch rows.  A batch smaller than one vector takes dot products instead. */
static gc_status GC_SUF(gc_nn_dense)(const GC_REAL *x, ptrdiff_t n_batch, ptrdiff_t n_in,
                              const GC_REAL *w, ptrdiff_t n_out, const GC_REAL *bias,
                              GC_REAL *y, int act, GC_REAL param, int n_threads) {
    const ptrdiff_t group = 4 * GC_NN_MAXNR;
    ptrdiff_t *off, *blk_co, n_blocks, n_groups, n_items, i, co0;
    GC_REAL *xt;
    gc_status st = GC_OK;
    int nt;
    if (!x || !w || !y) return GC_ENULL;
    if (n_batch < 0 || n_in < 1 || n_out < 1) return GC_EBADSIZE;
    if (act < GC_NN_ACT_NONE || act > GC_NN_ACT_LOG1P) return GC_EBADARG;
    if (n_batch == 0) return GC_OK;
    if (n_batch < VL)
        return GC_SUF(dense_small)(x, n_batch, n_in, w, n_out, bias, y, act, param, n_threads);
    off = (ptrdiff_t *)malloc((size_t)n_in * sizeof(ptrdiff_t));
    blk_co = (ptrdiff_t *)malloc((size_t)(n_out + 1) * sizeof(ptrdiff_t));
    xt = (GC_REAL *)gc_aligned_alloc((size_t)(n_in * n_batch + GC_NN_MAXNR + VL) *
                                     sizeof(GC_REAL));
    if (!off || !blk_co || !xt) {
        free(off);
        free(blk_co);
        gc_aligned_free(xt);
        return GC_ENOMEM;
    }
    for (i = 0; i < n_in; ++i) off[i] = i * n_batch;
    n_blocks = 0;
    for (co0 = 0; co0 < n_out; co0 += GC_SUF(block_rows)(n_out - co0)) blk_co[n_blocks++] = co0;
    blk_co[n_blocks] = n_out;
    n_groups = (n_batch + group - 1) / group;
    n_items = n_blocks * n_groups;
    memset(xt + n_in * n_batch, 0, (size_t)(GC_NN_MAXNR + VL) * sizeof(GC_REAL));
    nt = gc_threads(n_threads, n_items);
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        GC_REAL *tile = (GC_REAL *)gc_aligned_alloc((size_t)GC_NN_MAXTILE * sizeof(GC_REAL));
        ptrdiff_t bi, item;
        if (!tile) {
#if GC_OMP
#pragma omp critical(gc_nn_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(static)
#endif
        for (bi = 0; bi < n_batch; ++bi) {
            const GC_REAL *xr = x + bi * n_in;
            ptrdiff_t k;
            for (k = 0; k < n_in; ++k) xt[k * n_batch + bi] = xr[k];
        }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (item = 0; item < n_items; ++item) {
            const ptrdiff_t blk = item / n_groups, g0 = (item % n_groups) * group;
            const ptrdiff_t c0 = blk_co[blk];
            const int mr = (int)(blk_co[blk + 1] - c0);
            const ptrdiff_t g1 = g0 + group < n_batch ? g0 + group : n_batch;
            GC_SUF(ukernel_fn) fn;
            ptrdiff_t nr, p0, t;
            int m;
            if (!tile) continue;
            GC_SUF(block_kernel)(mr, &fn, &nr);
            for (p0 = g0; p0 < g1; p0 += nr) {
                const ptrdiff_t n = g1 - p0 < nr ? g1 - p0 : nr;
                fn(n_in, w + c0 * n_in, n_in, xt + p0, off, bias ? bias + c0 : NULL, tile);
                for (m = 0; m < mr; ++m)
                    GC_SUF(act_inplace)(tile + m * nr, n, act, param);
                for (t = 0; t < n; ++t)
                    for (m = 0; m < mr; ++m) y[(p0 + t) * n_out + c0 + m] = tile[m * nr + t];
            }
        }
        gc_aligned_free(tile);
    }
    free(off);
    free(blk_co);
    gc_aligned_free(xt);
    return st;
}

/* ---- pooling ------------------------------------------------------------------------------- */

/* |v|^n for a whole row, n >= 1 an integer: repeated products (vectorised over the row). */
static void GC_SUF(pow_int_row)(GC_REAL *restrict dst, const GC_REAL *restrict src, ptrdiff_t n,
                                int e) {
    ptrdiff_t t;
    int k;
    for (t = 0; t < n; ++t) dst[t] = GC_FABS(src[t]);
    for (k = 1; k < e; ++k)
        for (t = 0; t < n; ++t) dst[t] *= GC_FABS(src[t]);
}

static gc_status GC_SUF(gc_nn_pool2d)(const gc_nn_pool2d_desc *d, const GC_REAL *x, GC_REAL *y,
                               int n_threads) {
    /* l^p flavours: 1, 2, inf, small integers (products), anything else (pow) */
    enum { LP1, LP2, LPINF, LPINT, LPGEN };
    const ptrdiff_t band = 16;
    ptrdiff_t n_bands, n_items;
    int flavour = LPGEN, e = 0, nt;
    gc_status st = GC_OK;
    if (!d || !x || !y) return GC_ENULL;
    if (d->n_planes < 0 || d->in_h < 1 || d->in_w < 1 || d->k_h < 1 || d->k_w < 1 ||
        d->stride_h < 1 || d->stride_w < 1 || d->pad_h < 0 || d->pad_w < 0 ||
        d->pad_h >= d->k_h || d->pad_w >= d->k_w || d->out_h < 1 || d->out_w < 1)
        return GC_EBADSIZE;
    /* every window must overlap the input */
    if ((d->out_h - 1) * d->stride_h - d->pad_h >= d->in_h ||
        (d->out_w - 1) * d->stride_w - d->pad_w >= d->in_w)
        return GC_EBADSIZE;
    if (d->kind < GC_NN_POOL_MAX || d->kind > GC_NN_POOL_LP) return GC_EBADARG;
    if (d->kind == GC_NN_POOL_LP) {
        if (!(d->p >= 1)) return GC_EBADARG;
        if (d->p == 1)
            flavour = LP1;
        else if (d->p == 2)
            flavour = LP2;
        else if (d->p > 1e300)
            flavour = LPINF;
        else if (d->p <= 16 && d->p == (double)(int)d->p) {
            flavour = LPINT;
            e = (int)d->p;
        }
    }
    if (d->n_planes == 0) return GC_OK;
    n_bands = (d->out_h + band - 1) / band;
    n_items = d->n_planes * n_bands;
    nt = gc_threads(n_threads, n_items);
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        const ptrdiff_t in_h = d->in_h, in_w = d->in_w, kh = d->k_h, kw = d->k_w;
        const ptrdiff_t sh = d->stride_h, sw = d->stride_w, ph = d->pad_h, pw = d->pad_w;
        const GC_REAL p = (GC_REAL)d->p, inv_p = (GC_REAL)(1 / d->p);
        GC_REAL *rb = (GC_REAL *)gc_aligned_alloc((size_t)(2 * in_w) * sizeof(GC_REAL));
        GC_REAL *tmp = rb + in_w;
        ptrdiff_t item;
        if (!rb) {
#if GC_OMP
#pragma omp critical(gc_nn_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (item = 0; item < n_items; ++item) {
            const ptrdiff_t plane = item / n_bands, i0 = (item % n_bands) * band;
            const ptrdiff_t i1 = i0 + band < d->out_h ? i0 + band : d->out_h;
            const GC_REAL *xp = x + plane * in_h * in_w;
            GC_REAL *yp = y + plane * d->out_h * d->out_w;
            ptrdiff_t i, j, t;
            if (!rb) continue;
            for (i = i0; i < i1; ++i) {
                const ptrdiff_t hs = i * sh - ph, he = hs + kh;
                const ptrdiff_t r0 = hs > 0 ? hs : 0, r1 = he < in_h ? he : in_h;
                const ptrdiff_t pool_h = (he < in_h + ph ? he : in_h + ph) - hs;
                ptrdiff_t r;
                GC_REAL *yrow = yp + i * d->out_w;
                /* vertical pass: reduce the window's rows, one contiguous sweep per row */
                for (r = r0; r < r1; ++r) {
                    const GC_REAL *xr = xp + r * in_w;
                    const int first = r == r0;
                    if (d->kind == GC_NN_POOL_MAX) {
                        if (first)
                            memcpy(rb, xr, (size_t)in_w * sizeof(GC_REAL));
                        else
                            for (t = 0; t < in_w; ++t) rb[t] = xr[t] > rb[t] ? xr[t] : rb[t];
                    } else if (d->kind == GC_NN_POOL_AVG) {
                        if (first)
                            memcpy(rb, xr, (size_t)in_w * sizeof(GC_REAL));
                        else
                            for (t = 0; t < in_w; ++t) rb[t] += xr[t];
                    } else if (flavour == LP1) {
                        if (first)
                            for (t = 0; t < in_w; ++t) rb[t] = GC_FABS(xr[t]);
                        else
                            for (t = 0; t < in_w; ++t) rb[t] += GC_FABS(xr[t]);
                    } else if (flavour == LP2) {
                        if (first)
                            for (t = 0; t < in_w; ++t) rb[t] = xr[t] * xr[t];
                        else
                            for (t = 0; t < in_w; ++t) rb[t] += xr[t] * xr[t];
                    } else if (flavour == LPINF) {
                        if (first)
                            for (t = 0; t < in_w; ++t) rb[t] = GC_FABS(xr[t]);
                        else
                            for (t = 0; t < in_w; ++t) {
                                GC_REAL a = GC_FABS(xr[t]);
                                rb[t] = a > rb[t] ? a : rb[t];
                            }
                    } else {
                        GC_REAL *dst = first ? rb : tmp;
                        if (flavour == LPINT)
                            GC_SUF(pow_int_row)(dst, xr, in_w, e);
                        else
                            for (t = 0; t < in_w; ++t) dst[t] = GC_POW(GC_FABS(xr[t]), p);
                        if (!first)
                            for (t = 0; t < in_w; ++t) rb[t] += tmp[t];
                    }
                }
                /* horizontal pass over the reduced row */
                for (j = 0; j < d->out_w; ++j) {
                    const ptrdiff_t ws = j * sw - pw, we = ws + kw;
                    const ptrdiff_t c0 = ws > 0 ? ws : 0, c1 = we < in_w ? we : in_w;
                    GC_REAL acc = rb[c0];
                    ptrdiff_t c;
                    if (d->kind == GC_NN_POOL_MAX || flavour == LPINF) {
                        for (c = c0 + 1; c < c1; ++c) acc = rb[c] > acc ? rb[c] : acc;
                        yrow[j] = acc;
                        continue;
                    }
                    for (c = c0 + 1; c < c1; ++c) acc += rb[c];
                    if (d->kind == GC_NN_POOL_AVG) {
                        ptrdiff_t div;
                        if (d->count_include_pad)
                            div = pool_h * ((we < in_w + pw ? we : in_w + pw) - ws);
                        else
                            div = (r1 - r0) * (c1 - c0);
                        yrow[j] = acc / (GC_REAL)div;
                    } else if (flavour == LP1) {
                        yrow[j] = acc;
                    } else if (flavour == LP2) {
                        yrow[j] = GC_SQRT(acc);
                    } else {
                        yrow[j] = GC_POW(acc, inv_p);
                    }
                }
            }
        }
        gc_aligned_free(rb);
    }
    return st;
}

#undef GC_NN_MAXNR
#undef GC_NN_MAXTILE
#undef GC_NN_BAND_BYTES
#undef VEC
#undef VL
