/* gaborcore: the pooling layers' body, included by gc_nn_impl.h once per precision and
   instruction set (after the vector type and the nonlinearities). */

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
