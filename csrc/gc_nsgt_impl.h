/* gaborcore: NSGT execution (scratch, gather, group transforms, synthesis, the threaded
   driver), included by gc_nsgt.c once per precision after gc_nsgt_plan_impl.h (the plan
   struct).  Expects GC_REAL, GC_SUF(name) and GC_API_SUF(name).  Complex numbers are
   interleaved pairs. */
/* Per-thread scratch: one block from the plan's row pool, cut at the plan's offsets. */
typedef struct {
    char *mem;
    GC_REAL *in, *spec, *gbuf, *vals, *half;
} GC_SUF(nsgt_scratch);

static void GC_SUF(scratch_free)(const GC_SUF(gc_nsgt_plan) *p, GC_SUF(nsgt_scratch) *s) {
    gc_pool_put(p->rows, s->mem);
    s->mem = NULL;
}

static int GC_SUF(scratch_alloc)(const GC_SUF(gc_nsgt_plan) *p, GC_SUF(nsgt_scratch) *s) {
    s->mem = (char *)gc_pool_get(p->rows);
    if (!s->mem) return 0;
    s->in = (GC_REAL *)s->mem;
    s->spec = (GC_REAL *)(s->mem + p->off_spec);
    s->gbuf = (GC_REAL *)(s->mem + p->off_gbuf);
    s->vals = (GC_REAL *)(s->mem + p->off_vals);
    s->half = (GC_REAL *)(s->mem + p->off_half);
    return 1;
}

/* The signal's spectrum (into s->spec) from one input row (already copied into s->in when
   xrow is NULL). */
static void GC_SUF(row_spectrum)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *xrow,
                                  GC_SUF(nsgt_scratch) *s) {
    if (xrow) memcpy(s->in, xrow, (size_t)p->L * (p->real ? 1 : 2) * sizeof(GC_REAL));
    if (p->real)
        p->exec_r2c(p->big_fwd, s->in, s->spec);
    else
        p->exec_dft(p->big_fwd, s->in, s->spec);
}

/* The two half-length transforms of split group g (which = 0: even samples, 1: odd), from the
   group buffer x into the halves of h.  dir: 0 backward (+i, analysis), 1 forward. */
static void GC_SUF(split_half)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g, int dir, int which,
                               const GC_REAL *x, GC_REAL *h) {
    const ptrdiff_t M = p->t.grp_M[g];
    p->exec_dft((dir ? p->hfwd : p->hbwd)[2 * g + which], (void *)(x + 2 * which),
                h + M * which);
}

/* X[k] = E[k] + w^k O[k], X[k + M/2] = E[k] - w^k O[k] for k0 <= k < k1 (w = exp(+-2 pi i/M)). */
static void GC_SUF(split_combine)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g, int dir,
                                  const GC_REAL *h, GC_REAL *out, ptrdiff_t k0, ptrdiff_t k1) {
    const ptrdiff_t M = p->t.grp_M[g], H = M / 2;
    const GC_REAL *tw = p->tw + 2 * p->tw_off[g], *E = h, *O = h + M;
    const GC_REAL sgn = dir ? (GC_REAL)-1 : (GC_REAL)1;
    ptrdiff_t k;
    for (k = k0; k < k1; ++k) {
        const GC_REAL wr = tw[2 * k], wi = sgn * tw[2 * k + 1];
        const GC_REAL tr = wr * O[2 * k] - wi * O[2 * k + 1];
        const GC_REAL ti = wr * O[2 * k + 1] + wi * O[2 * k];
        const GC_REAL er = E[2 * k], ei = E[2 * k + 1];
        out[2 * k] = er + tr;
        out[2 * k + 1] = ei + ti;
        out[2 * (k + H)] = er - tr;
        out[2 * (k + H) + 1] = ei - ti;
    }
}

/* The real coefficients of a split == 2 group (c2r of the slots 0 .. M/2 of x into h), and
   their complex form (imaginary parts 0) for n0 <= n < n1 into out. */
static void GC_SUF(split_real)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g, GC_REAL *x,
                               GC_REAL *h) {
    p->exec_c2r(p->hc2r[g], x, h);
}

static void GC_SUF(split_expand)(const GC_REAL *h, GC_REAL *out, ptrdiff_t n0, ptrdiff_t n1) {
    ptrdiff_t n;
    for (n = n0; n < n1; ++n) {
        out[2 * n] = h[n];
        out[2 * n + 1] = 0;
    }
}

/* Gather F * conj(G) of items i0 .. i1-1 into the group buffer: added (bands of a group may
   share slots), or stored (store: a split group, whose items each have their own slot). */
static void GC_SUF(gather)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *spec, GC_REAL *gbuf,
                           ptrdiff_t i0, ptrdiff_t i1, int store) {
    ptrdiff_t i;
    for (i = i0; i < i1; ++i) {
        const ptrdiff_t s = 2 * (ptrdiff_t)p->t.src[i], d = 2 * (ptrdiff_t)p->t.dst[i];
        const GC_REAL wi = p->w[i];
        const GC_REAL re = spec[s] * wi, im = (p->t.conj[i] ? -spec[s + 1] : spec[s + 1]) * wi;
        if (store) {
            gbuf[d] = re;
            gbuf[d + 1] = im;
        } else {
            gbuf[d] += re;
            gbuf[d + 1] += im;
        }
    }
}

/* Zero the slots of split group g that no item covers (its zrun). */
static void GC_SUF(split_zero)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g, GC_REAL *gbuf) {
    const ptrdiff_t *z = p->zrun + 4 * g;
    memset(gbuf + 2 * z[0], 0, (size_t)z[1] * 2 * sizeof(GC_REAL));
    memset(gbuf + 2 * z[2], 0, (size_t)z[3] * 2 * sizeof(GC_REAL));
}

/* Synthesis values of items i0 .. i1-1 from the transformed group buffer. */
static void GC_SUF(values)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *gbuf, GC_REAL *vals,
                           ptrdiff_t i0, ptrdiff_t i1) {
    ptrdiff_t i;
    for (i = i0; i < i1; ++i) {
        const ptrdiff_t d = 2 * (ptrdiff_t)p->t.dst[i];
        vals[2 * i] = gbuf[d] * p->dual[i];
        vals[2 * i + 1] = gbuf[d + 1] * p->dual[i];
    }
}

/* Coefficients of group g from the spectrum: gather, weight, batched inverse DFT, store.
   `half` is scratch for split groups. */
static void GC_SUF(group_forward)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g,
                                   const GC_REAL *spec, GC_REAL *gbuf, GC_REAL *half,
                                   GC_REAL *orow) {
    const ptrdiff_t M = p->t.grp_M[g], b0 = p->t.grp_band[g], nb = p->t.grp_band[g + 1] - b0;
    ptrdiff_t r;
    if (p->split[g]) {
        GC_SUF(split_zero)(p, g, gbuf);
        GC_SUF(gather)(p, spec, gbuf, p->fitem[2 * g], p->fitem[2 * g + 1], 1);
        if (p->split[g] == 2) {
            GC_SUF(split_real)(p, g, gbuf, half);
            GC_SUF(split_expand)(half, orow + 2 * p->t.offset[b0], 0, M);
            return;
        }
        GC_SUF(split_half)(p, g, 0, 0, gbuf, half);
        GC_SUF(split_half)(p, g, 0, 1, gbuf, half);
        GC_SUF(split_combine)(p, g, 0, half, orow + 2 * p->t.offset[b0], 0, M / 2);
        return;
    }
    memset(gbuf, 0, (size_t)(nb * M) * 2 * sizeof(GC_REAL));
    GC_SUF(gather)(p, spec, gbuf, p->t.grp_item[g], p->t.grp_item[g + 1], 0);
    p->exec_dft(p->gbwd[g], gbuf, gbuf);
    for (r = 0; r < nb; ++r)
        memcpy(orow + 2 * p->t.offset[b0 + r], gbuf + 2 * r * M, (size_t)M * 2 * sizeof(GC_REAL));
}

/* Synthesis values of group g: batched DFT of its coefficients times the dual windows. */
static void GC_SUF(group_values)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g,
                                  const GC_REAL *crow, GC_REAL *gbuf, GC_REAL *half,
                                  GC_REAL *vals) {
    const ptrdiff_t M = p->t.grp_M[g], b0 = p->t.grp_band[g], nb = p->t.grp_band[g + 1] - b0;
    ptrdiff_t r;
    for (r = 0; r < nb; ++r)
        memcpy(gbuf + 2 * r * M, crow + 2 * p->t.offset[b0 + r], (size_t)M * 2 * sizeof(GC_REAL));
    if (p->split[g]) {
        GC_SUF(split_half)(p, g, 1, 0, gbuf, half);
        GC_SUF(split_half)(p, g, 1, 1, gbuf, half);
        GC_SUF(split_combine)(p, g, 1, half, gbuf, 0, M / 2);
    } else {
        p->exec_dft(p->gfwd[g], gbuf, gbuf);
    }
    GC_SUF(values)(p, gbuf, vals, p->t.grp_item[g], p->t.grp_item[g + 1]);
}

/* The whole job of one row with per-thread scratch s: analysis (signal row -> coefficient row) or
   synthesis (coefficient row -> signal row). */
static void GC_SUF(row_job)(const GC_SUF(gc_nsgt_plan) *p, int inverse, const GC_REAL *in,
                            GC_REAL *out, GC_SUF(nsgt_scratch) *s) {
    ptrdiff_t g;
    if (!inverse) {
        if (p->bf_r)
            GC_SUF(bf_serial)(p, in, s->spec, s->in, s->gbuf);
        else
            GC_SUF(row_spectrum)(p, in, s);
        for (g = 0; g < p->t.n_groups; ++g)
            GC_SUF(group_forward)(p, g, s->spec, s->gbuf, s->half, out);
        return;
    }
    for (g = 0; g < p->t.n_groups; ++g) GC_SUF(group_values)(p, g, in, s->gbuf, s->half, s->vals);
    /* the sums into the spectrum, its inverse FFT, scaled (gc_nsgt_bigifft_impl.h) */
    GC_SUF(bfi_serial)(p, s->vals, s->spec, s->in, s->gbuf, out);
}

/* Take tasks from list 0 (the two half transforms of split group g, or its one real transform
   in the analysis of a split == 2 group; none when g < 0) and list 1
   (the other groups, largest first) until both are empty.  The first thread (first = 0) takes
   the half transforms first; the others take other groups until about half of their work is
   taken (p->others_half), then a half transform, then the rest: on two threads each does one
   half transform and about half of the other groups, and the two long transforms overlap only
   in part. */
static void GC_SUF(take_tasks)(const GC_SUF(gc_nsgt_plan) *p, int inverse, const GC_REAL *in,
                               GC_REAL *out, ptrdiff_t g, GC_REAL *sh, GC_REAL *half,
                               GC_REAL *gbuf, ptrdiff_t *next, int first) {
    static const int order[2][3] = {{0, 1, 1}, {2, 0, 1}}; /* 2: list 1 up to others_half */
    const int real_out = g >= 0 && !inverse && p->split[g] == 2;
    const ptrdiff_t count[2] = {g < 0 ? 0 : real_out ? 1 : 2, p->t.n_groups - p->n_split};
    int stage;
    for (stage = 0; stage < 3; ++stage) {
        const int list = order[first][stage] == 0 ? 0 : 1;
        for (;;) {
            ptrdiff_t t;
#if GC_OMP
#pragma omp atomic capture
#endif
            t = next[list]++;
            if (t >= count[list]) break;
            if (list == 0 && real_out) {
                GC_SUF(split_real)(p, g, sh, half);
            } else if (list == 0) {
                GC_SUF(split_half)(p, g, inverse, (int)t, sh, half);
            } else if (gbuf) {
                const ptrdiff_t h = p->task[p->n_split + t];
                if (inverse)
                    GC_SUF(group_values)(p, h, in, gbuf, NULL, out);
                else
                    GC_SUF(group_forward)(p, h, in, gbuf, NULL, out);
            }
            if (order[first][stage] == 2 && t + 1 >= p->others_half) break;
        }
    }
}

/* The groups of one row on nt threads, every value computed as on one thread.  For each split
   group: its buffer (each thread a share of the gather, or of the copy of the coefficients),
   then a pool of tasks, its two half transforms, which the first thread takes first, and the
   other groups, which the other threads take first, so that the long half transforms run
   beside the small cache-resident ones (the first split group's pool takes every other group);
   then its combining pass (and synthesis values), shared.  Analysis from the signal row `in`
   (the threads share its copy, one of them transforms it into `whole`'s spectrum) into the
   coefficient row `out`, or synthesis values from the coefficient row `in` into `out`; `whole`
   is the caller's scratch (its group and half buffers are shared). */
static gc_status GC_SUF(groups_parallel)(const GC_SUF(gc_nsgt_plan) *p, int inverse,
                                         const GC_REAL *in, GC_REAL *out,
                                         GC_SUF(nsgt_scratch) *whole, int nt) {
    gc_status st = GC_OK;
    GC_REAL *sh = whole->gbuf, *half = whole->half;
    ptrdiff_t next[2] = {0, 0}; /* the next task of each list */
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        GC_REAL *gbuf = (GC_REAL *)gc_pool_get(p->groups);
        const GC_REAL *src = inverse ? in : whole->spec; /* what the groups read */
        ptrdiff_t s, c;
        const ptrdiff_t n_chunks = 64;
#if GC_OMP
        const int first = omp_get_thread_num() == 0 ? 0 : 1;
#else
        const int first = 0;
#endif
        if (!gbuf) {
#if GC_OMP
#pragma omp critical(gc_nsgt_status)
#endif
            st = GC_ENOMEM;
        }
        if (!inverse && p->bf_r) {
            /* the split whole-signal FFT (gc_nsgt_bigfft_impl.h), shared: gathered into the
               spectrum's scratch, transformed into the input's, combined into the spectrum */
            GC_SUF(bf_shared)(p, in, whole->spec, whole->in, gbuf);
        } else if (!inverse) {
            const ptrdiff_t n = p->L * (p->real ? 1 : 2);
#if GC_OMP
#pragma omp for schedule(static)
#endif
            for (c = 0; c < n_chunks; ++c)
                memcpy(whole->in + n * c / n_chunks, in + n * c / n_chunks,
                       (size_t)(n * (c + 1) / n_chunks - n * c / n_chunks) * sizeof(GC_REAL));
#if GC_OMP
#pragma omp single
#endif
            GC_SUF(row_spectrum)(p, NULL, whole);
        }
        for (s = 0; s < p->n_split; ++s) {
            const ptrdiff_t g = p->task[s], i0 = p->t.grp_item[g], i1 = p->t.grp_item[g + 1];
            const ptrdiff_t M = p->t.grp_M[g], off = 2 * p->t.offset[p->t.grp_band[g]];
            const ptrdiff_t f0 = p->fitem[2 * g], f1 = p->fitem[2 * g + 1];
#if GC_OMP
#pragma omp single nowait
#endif
            next[0] = 0; /* seen by all after the barrier that ends the next loop */
#if GC_OMP
#pragma omp for schedule(static)
#endif
            for (c = 0; c < n_chunks; ++c) {
                if (inverse) {
                    const ptrdiff_t a = 2 * M * c / n_chunks, b = 2 * M * (c + 1) / n_chunks;
                    memcpy(sh + a, src + off + a, (size_t)(b - a) * sizeof(GC_REAL));
                } else {
                    if (c == 0) GC_SUF(split_zero)(p, g, sh);
                    GC_SUF(gather)(p, src, sh, f0 + (f1 - f0) * c / n_chunks,
                                   f0 + (f1 - f0) * (c + 1) / n_chunks, 1);
                }
            }
            GC_SUF(take_tasks)(p, inverse, src, out, g, sh, half, gbuf, next, first);
#if GC_OMP
#pragma omp barrier
#endif
#if GC_OMP
#pragma omp for schedule(static)
#endif
            for (c = 0; c < n_chunks; ++c) {
                if (!inverse && p->split[g] == 2)
                    GC_SUF(split_expand)(half, out + off, M * c / n_chunks,
                                         M * (c + 1) / n_chunks);
                else
                    GC_SUF(split_combine)(p, g, inverse, half, inverse ? sh : out + off,
                                          M / 2 * c / n_chunks, M / 2 * (c + 1) / n_chunks);
            }
            if (inverse) {
#if GC_OMP
#pragma omp for schedule(static)
#endif
                for (c = 0; c < n_chunks; ++c)
                    GC_SUF(values)(p, sh, out, i0 + (i1 - i0) * c / n_chunks,
                                   i0 + (i1 - i0) * (c + 1) / n_chunks);
            }
        }
        if (p->n_split == 0) GC_SUF(take_tasks)(p, inverse, src, out, -1, sh, half, gbuf, next, 1);
        gc_pool_put(p->groups, gbuf);
    }
    return st;
}

/* Both directions: whole rows per thread when there are enough rows, else the groups of each
   row in parallel.  Strides are in GC_REAL units. */
static gc_status GC_SUF(nsgt_execute)(const GC_SUF(gc_nsgt_plan) *p, int inverse,
                                      const GC_REAL *in, ptrdiff_t in_stride, GC_REAL *out,
                                      ptrdiff_t out_stride, ptrdiff_t n_batch, int n_threads) {
    gc_status st = GC_OK;
    int nt = n_threads < 1 ? 1 : n_threads;
    ptrdiff_t r;
    if (n_batch >= nt) {
        nt = gc_threads(nt, n_batch);
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
        {
            GC_SUF(nsgt_scratch) s;
            int ok = GC_SUF(scratch_alloc)(p, &s);
            ptrdiff_t rr;
            if (!ok) {
#if GC_OMP
#pragma omp critical(gc_nsgt_status)
#endif
                st = GC_ENOMEM;
            }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (rr = 0; rr < n_batch; ++rr)
                if (ok) GC_SUF(row_job)(p, inverse, in + rr * in_stride, out + rr * out_stride, &s);
            if (ok) GC_SUF(scratch_free)(p, &s);
        }
        return st;
    }
    {
        GC_SUF(nsgt_scratch) whole;
        if (!GC_SUF(scratch_alloc)(p, &whole)) return GC_ENOMEM;
        for (r = 0; r < n_batch && st == GC_OK; ++r) {
            const GC_REAL *irow = in + r * in_stride;
            GC_REAL *orow = out + r * out_stride;
            /* never more threads than groups: a huge request must not start (or crash
               starting) threads with nothing to do */
            const int ng = gc_threads(nt, p->t.n_groups);
            if (!inverse) {
                st = GC_SUF(groups_parallel)(p, 0, irow, orow, &whole, ng);
            } else {
                st = GC_SUF(groups_parallel)(p, 1, irow, whole.vals, &whole, ng);
                /* sums, inverse FFT, scaling (gc_nsgt_bigifft_impl.h) */
                if (st == GC_OK && p->bf_r)
                    st = GC_SUF(bfi_parallel)(p, whole.vals, whole.spec, whole.in, orow, ng);
                else if (st == GC_OK)
                    GC_SUF(bfi_serial)(p, whole.vals, whole.spec, whole.in, NULL, orow);
            }
        }
        GC_SUF(scratch_free)(p, &whole);
    }
    return st;
}

gc_status GC_SUF(gc_nsgt_forward)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *x,
                                   ptrdiff_t n_batch, ptrdiff_t x_bstride, GC_REAL *out,
                                   ptrdiff_t out_bstride, int n_threads) {
    if (!p || !x || !out) return GC_ENULL;
    if (n_batch < 0) return GC_EBADSIZE;
    if (n_batch == 0) return GC_OK;
    return GC_SUF(nsgt_execute)(p, 0, x, (p->real ? 1 : 2) * x_bstride, out, 2 * out_bstride,
                                n_batch, n_threads);
}

gc_status GC_SUF(gc_nsgt_inverse)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *coef,
                                   ptrdiff_t n_batch, ptrdiff_t c_bstride, GC_REAL *out,
                                   ptrdiff_t out_bstride, int n_threads) {
    if (!p || !coef || !out) return GC_ENULL;
    if (n_batch < 0) return GC_EBADSIZE;
    if (n_batch == 0) return GC_OK;
    return GC_SUF(nsgt_execute)(p, 1, coef, 2 * c_bstride, out, (p->real ? 1 : 2) * out_bstride,
                                n_batch, n_threads);
}
