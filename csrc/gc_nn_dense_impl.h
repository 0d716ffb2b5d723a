/* gaborcore: the dense layer's body, included by gc_nn_impl.h once per precision and
   instruction set (after the vector type, the nonlinearities and the micro-kernels). */

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
