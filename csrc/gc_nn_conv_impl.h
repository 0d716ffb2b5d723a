/* gaborcore: the convolution layer's body, included by gc_nn_impl.h once per precision and
   instruction set (after the vector type, the nonlinearities and the micro-kernels).

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

#undef GC_NN_BAND_BYTES
