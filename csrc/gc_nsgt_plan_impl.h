/* gaborcore: NSGT plan (its struct, init and done), included by gc_nsgt.c once per precision
   before gc_nsgt_impl.h (the execution).  Expects GC_REAL, GC_SUF(name) and GC_API_SUF(name).
   Complex numbers are interleaved pairs. */
#include <limits.h>
#include <math.h>

#ifndef GC_NSGT_MAX_SIZE_ONCE
#define GC_NSGT_MAX_SIZE_ONCE
static size_t gc_max_size(size_t a, size_t b) { return a > b ? a : b; }
#endif

#ifndef GC_NSGT_SPLIT
/* Groups of one band with an even M of at least this many coefficients (the wide top or DC
   bands: 864,000 of the 1.36 million coefficients of 60 s of 84 constant-Q bands) run their
   FFT as two half-length FFTs (even and odd samples) and a combining pass, always, so that the
   result does not depend on the thread count; when several threads share one row, they share
   this work too. */
#define GC_NSGT_SPLIT 32768
#endif
#ifndef GC_NSGT_BF_CHUNK
#define GC_NSGT_BF_CHUNK 256 /* columns per chunk of the split whole-signal FFT's step (c) */
#endif

struct GC_SUF(gc_nsgt_plan) {
    ptrdiff_t L, n_spec, total, max_group, n_items;
    int real;
    gc_nsgt_tables t;
    const GC_REAL *w, *dual;
    gc_fftw_plan *gbwd, *gfwd; /* per group: in-place batched c2c, +1 and -1 exponent */
    gc_fftw_plan big_fwd, big_inv;
    GC_API_SUF(gc_execute_r2c) exec_r2c;
    GC_API_SUF(gc_execute_c2r) exec_c2r;
    gc_execute_dft_t exec_dft;
    gc_destroy_plan_t destroy;
    /* scratch owned by the plan (execute calls take and give back, so a loop allocates and
       page-faults nothing per call; a 60 s signal's buffers are tens of MB): whole-row scratch
       (input, spectrum, group buffer, synthesis values at the offsets below) and group buffers
       for the threads that share a row */
    size_t off_spec, off_gbuf, off_vals, off_half;
    gc_pool *rows, *groups;
    /* per group: 1 for a split group (see GC_NSGT_SPLIT), 2 for a split group whose gathered
       buffer is Hermitian (a real plan's band centred at DC or Nyquist with a symmetric
       window: its coefficients are real), whose analysis is one real-output (c2r) transform
       of the buffer's first half; its synthesis uses the two halves like the others */
    unsigned char *split;
    gc_fftw_plan *hbwd, *hfwd; /* per group: [2g] even, [2g+1] odd half-length transforms */
    ptrdiff_t *tw_off, max_split;
    GC_REAL *tw;               /* per split group from tw_off[g]: exp(+2 pi i k / M), k < M/2 */
    /* per split group: the slots no support bin lands on, as at most two runs (start, length,
       start, length) at [4g]; the gather stores into the others (no zeroing of the whole band) */
    ptrdiff_t *zrun;
    /* per split group at [2g]: the items the forward gathers (all, or the first half's for
       split == 2), and the c2r transforms of split == 2 groups */
    ptrdiff_t *fitem;
    gc_fftw_plan *hc2r;
    /* the tasks of a row on several threads: the split groups, then the other groups by
       decreasing size (the order only balances the threads; every value is computed alike) */
    ptrdiff_t *task, n_split;
    ptrdiff_t others_half; /* other tasks before about half of their work (sizes nb * M) */
    /* the whole-signal FFT of a real plan split into pieces (gc_nsgt_bigfft_impl.h): radix
       bf_r (0: one r2c transform, big_fwd), sub-length Q (real rows Qp reals apart, their
       spectra Hp complex apart), nc chunks of step (c), the last of bf_tail columns; the
       sub-FFT and chunk plans, the twiddles */
    int bf_r;
    ptrdiff_t bf_Q, bf_Qp, bf_Hp, bf_nc, bf_tail;
    gc_fftw_plan bf_sub, bf_col, bf_ctail;
    GC_REAL *bf_tw;
    /* its inverse (gc_nsgt_bigifft_impl.h; big_inv unused): the column DFTs of a full and of
       the last chunk, the rows' c2r */
    gc_fftw_plan bf_icol, bf_ictail, bf_isub;
    /* every plan's synthesis sums (gc_nsgt_bigifft_impl.h): the runs of items of bin range n
       at sum_run[4 sum_at[n]] .. [4 sum_at[n + 1]] */
    ptrdiff_t *sum_at, *sum_run;
};

static gc_status GC_SUF(bigfft_init)(GC_SUF(gc_nsgt_plan) *p, const gc_fftw_api *api);
static void GC_SUF(bigfft_done)(GC_SUF(gc_nsgt_plan) *p);
static gc_status GC_SUF(bigifft_init)(GC_SUF(gc_nsgt_plan) *p, const gc_fftw_api *api);
static void GC_SUF(bigifft_done)(GC_SUF(gc_nsgt_plan) *p);

/* Coefficients of group g: its number of bands times M (the work proxy of the task order). */
static ptrdiff_t GC_SUF(group_size)(const gc_nsgt_tables *t, ptrdiff_t g) {
    return t->grp_M[g] * (t->grp_band[g + 1] - t->grp_band[g]);
}

/* Split group g of a real plan (every item its own slot): is its gathered buffer Hermitian
   for every real signal?  Slots d and M - d must hold the same spectrum bin, once conjugated,
   with the same weight (a slot that is its own mirror: bin 0 or L/2, not conjugated, both real
   for a real signal).  Then the forward needs only the slots 0 .. M/2: their items must be one
   interval of the group's items, and the empty ones at most two runs.  Sets split[g] = 2,
   fitem and zrun when so; leaves the group as it is otherwise. */
static gc_status GC_SUF(check_hermitian)(GC_SUF(gc_nsgt_plan) *p, ptrdiff_t g) {
    const ptrdiff_t M = p->t.grp_M[g], i0 = p->t.grp_item[g], i1 = p->t.grp_item[g + 1];
    ptrdiff_t *at = (ptrdiff_t *)malloc((size_t)M * sizeof(ptrdiff_t));
    ptrdiff_t d, i, lo = i1, hi = i0, n_half = 0, runs = 0, z[4] = {0, 0, 0, 0};
    int ok = 1;
    if (!at) return GC_ENOMEM;
    for (d = 0; d < M; ++d) at[d] = -1;
    for (i = i0; i < i1; ++i) at[p->t.dst[i]] = i;
    for (i = i0; i < i1 && ok; ++i) {
        const ptrdiff_t di = p->t.dst[i], dm = (M - di) % M, im = at[dm];
        if (dm == di)
            ok = !p->t.conj[i] && (p->t.src[i] == 0 || 2 * (ptrdiff_t)p->t.src[i] == p->L);
        else
            ok = im >= 0 && p->t.src[im] == p->t.src[i] && p->t.conj[im] != p->t.conj[i] &&
                 p->w[im] == p->w[i];
        if (di <= M / 2) {
            ++n_half;
            if (i < lo) lo = i;
            if (i > hi) hi = i;
        }
    }
    for (d = 0; d <= M / 2 && ok; ++d) {
        if (at[d] >= 0 || (d > 0 && at[d - 1] < 0)) continue;
        if (runs == 2) {
            ok = 0;
            break;
        }
        z[2 * runs] = d;
        while (d <= M / 2 && at[d] < 0) ++d;
        z[2 * runs + 1] = d - z[2 * runs];
        ++runs;
    }
    free(at);
    if (!ok || n_half == 0 || hi - lo + 1 != n_half) return GC_OK;
    p->split[g] = 2;
    p->fitem[2 * g] = lo;
    p->fitem[2 * g + 1] = hi + 1;
    for (d = 0; d < 4; ++d) p->zrun[4 * g + d] = z[d];
    return GC_OK;
}

void GC_SUF(gc_nsgt_plan_done)(GC_SUF(gc_nsgt_plan) *p) {
    ptrdiff_t g;
    if (!p) return;
    for (g = 0; g < p->t.n_groups; ++g) {
        if (p->gbwd && p->gbwd[g]) p->destroy(p->gbwd[g]);
        if (p->gfwd && p->gfwd[g]) p->destroy(p->gfwd[g]);
        if (p->hbwd && p->hbwd[2 * g]) p->destroy(p->hbwd[2 * g]);
        if (p->hbwd && p->hbwd[2 * g + 1]) p->destroy(p->hbwd[2 * g + 1]);
        if (p->hfwd && p->hfwd[2 * g]) p->destroy(p->hfwd[2 * g]);
        if (p->hfwd && p->hfwd[2 * g + 1]) p->destroy(p->hfwd[2 * g + 1]);
    }
    free(p->split);
    free(p->zrun);
    free(p->fitem);
    if (p->hc2r)
        for (g = 0; g < p->t.n_groups; ++g)
            if (p->hc2r[g]) p->destroy(p->hc2r[g]);
    free(p->hc2r);
    free(p->task);
    free(p->hbwd);
    free(p->hfwd);
    free(p->tw_off);
    gc_aligned_free(p->tw);
    GC_SUF(bigfft_done)(p);
    GC_SUF(bigifft_done)(p);
    if (p->big_fwd) p->destroy(p->big_fwd);
    if (p->big_inv) p->destroy(p->big_inv);
    free(p->gbwd);
    free(p->gfwd);
    gc_pool_free(p->rows);
    gc_pool_free(p->groups);
    free(p);
}

gc_status GC_SUF(gc_nsgt_plan_init)(GC_SUF(gc_nsgt_plan) **plan, const gc_fftw_api *api,
                                     ptrdiff_t L, int real, ptrdiff_t total,
                                     const gc_nsgt_tables *tables, unsigned flags) {
    GC_SUF(gc_nsgt_plan) *p;
    GC_REAL *buf = NULL, *in = NULL, *spec = NULL, *half = NULL;
    ptrdiff_t g, i;
    gc_status st = GC_OK;
    int n;
    if (!plan || !api || !tables) return GC_ENULL;
    *plan = NULL;
    if (L < 1 || L > INT_MAX || total < 0 || tables->n_groups < 0) return GC_EBADSIZE;
    p = (GC_SUF(gc_nsgt_plan) *)calloc(1, sizeof *p);
    if (!p) return GC_ENOMEM;
    p->L = L;
    p->real = real != 0;
    p->n_spec = p->real ? L / 2 + 1 : L;
    p->total = total;
    p->t = *tables;
    p->w = (const GC_REAL *)tables->w;
    p->dual = (const GC_REAL *)tables->dual;
    p->exec_r2c = api->GC_API_SUF(execute_r2c);
    p->exec_c2r = api->GC_API_SUF(execute_c2r);
    p->exec_dft = api->GC_API_SUF(execute_dft);
    p->destroy = api->GC_API_SUF(destroy_plan);
    p->n_items = tables->n_groups ? tables->grp_item[tables->n_groups] : 0;
    /* validate the tables once, so the execute loops need no checks */
    for (g = 0; g < p->t.n_groups; ++g) {
        ptrdiff_t M = p->t.grp_M[g], nb = p->t.grp_band[g + 1] - p->t.grp_band[g];
        if (M < 1 || M > INT_MAX || nb < 1 || p->t.grp_item[g + 1] < p->t.grp_item[g]) {
            st = GC_EBADSIZE;
            goto fail;
        }
        if (nb * M > p->max_group) p->max_group = nb * M;
        for (i = p->t.grp_band[g]; i < p->t.grp_band[g + 1]; ++i)
            if (p->t.offset[i] < 0 || p->t.offset[i] + M > total) {
                st = GC_EBADSIZE;
                goto fail;
            }
        for (i = p->t.grp_item[g]; i < p->t.grp_item[g + 1]; ++i)
            if (p->t.src[i] < 0 || p->t.src[i] >= p->n_spec || p->t.dst[i] < 0 ||
                p->t.dst[i] >= nb * M || p->t.t1[i] >= p->n_spec || p->t.t2[i] >= p->n_spec) {
                st = GC_EBADSIZE;
                goto fail;
            }
    }
    p->split = (unsigned char *)calloc((size_t)(p->t.n_groups + 1), 1);
    p->tw_off = (ptrdiff_t *)calloc((size_t)(p->t.n_groups + 1), sizeof(ptrdiff_t));
    p->hbwd = (gc_fftw_plan *)calloc((size_t)(2 * p->t.n_groups + 1), sizeof(gc_fftw_plan));
    p->hfwd = (gc_fftw_plan *)calloc((size_t)(2 * p->t.n_groups + 1), sizeof(gc_fftw_plan));
    p->zrun = (ptrdiff_t *)calloc((size_t)(4 * p->t.n_groups + 1), sizeof(ptrdiff_t));
    p->task = (ptrdiff_t *)calloc((size_t)(p->t.n_groups + 1), sizeof(ptrdiff_t));
    p->fitem = (ptrdiff_t *)calloc((size_t)(2 * p->t.n_groups + 1), sizeof(ptrdiff_t));
    p->hc2r = (gc_fftw_plan *)calloc((size_t)(p->t.n_groups + 1), sizeof(gc_fftw_plan));
    if (!p->split || !p->tw_off || !p->hbwd || !p->hfwd || !p->zrun || !p->task || !p->fitem ||
        !p->hc2r) {
        st = GC_ENOMEM;
        goto fail;
    }
    {
        ptrdiff_t n_tw = 0, n_task = 0;
        for (g = 0; g < p->t.n_groups; ++g) {
            const ptrdiff_t M = p->t.grp_M[g];
            /* one band, even M, and no folding (W <= M: every bin lands on its own slot, so
               the gather can be shared between threads and stores instead of adding) */
            if (p->t.grp_band[g + 1] - p->t.grp_band[g] == 1 && M % 2 == 0 &&
                M >= GC_NSGT_SPLIT && p->t.grp_item[g + 1] - p->t.grp_item[g] <= M) {
                /* the slots the items do not cover: at most two runs (a cyclic interval's
                   complement), every covered slot once; otherwise the group is not split */
                unsigned char *seen = (unsigned char *)calloc((size_t)M, 1);
                ptrdiff_t k, runs = 0, ok = 1;
                if (!seen) {
                    st = GC_ENOMEM;
                    goto fail;
                }
                for (i = p->t.grp_item[g]; i < p->t.grp_item[g + 1] && ok; ++i)
                    ok = seen[p->t.dst[i]]++ == 0;
                for (k = 0; k < M && ok; ++k) {
                    if (seen[k] || (k > 0 && !seen[k - 1])) continue;
                    if (runs == 2) {
                        ok = 0;
                        break;
                    }
                    p->zrun[4 * g + 2 * runs] = k;
                    while (k < M && !seen[k]) ++k;
                    p->zrun[4 * g + 2 * runs + 1] = k - p->zrun[4 * g + 2 * runs];
                    ++runs;
                }
                free(seen);
                if (!ok) continue;
                p->split[g] = 1;
                p->fitem[2 * g] = p->t.grp_item[g];
                p->fitem[2 * g + 1] = p->t.grp_item[g + 1];
                if (p->real) {
                    st = GC_SUF(check_hermitian)(p, g);
                    if (st != GC_OK) goto fail;
                }
                p->tw_off[g] = n_tw;
                n_tw += M / 2;
                if (M > p->max_split) p->max_split = M;
                p->task[n_task++] = g;
            }
        }
        p->n_split = n_task;
        for (g = 0; g < p->t.n_groups; ++g) {
            /* the other groups by decreasing size (insertion: a few hundred groups at most) */
            ptrdiff_t j;
            if (p->split[g]) continue;
            j = n_task++;
            while (j > p->n_split &&
                   GC_SUF(group_size)(&p->t, p->task[j - 1]) < GC_SUF(group_size)(&p->t, g)) {
                p->task[j] = p->task[j - 1];
                --j;
            }
            p->task[j] = g;
        }
        {
            /* others_half: the other groups before half of their coefficients */
            ptrdiff_t all = 0, part = 0, j;
            for (j = p->n_split; j < n_task; ++j) all += GC_SUF(group_size)(&p->t, p->task[j]);
            for (j = p->n_split; j < n_task && 2 * part < all; ++j)
                part += GC_SUF(group_size)(&p->t, p->task[j]);
            p->others_half = j - p->n_split;
        }
        p->tw = (GC_REAL *)gc_aligned_alloc((size_t)(n_tw + 1) * 2 * sizeof(GC_REAL));
        if (!p->tw) {
            st = GC_ENOMEM;
            goto fail;
        }
        for (g = 0; g < p->t.n_groups; ++g) {
            ptrdiff_t k, M = p->t.grp_M[g];
            if (!p->split[g]) continue;
            for (k = 0; k < M / 2; ++k) {
                /* k / M in [0, 1/2): the angle in double, then rounded once */
                const double a = 6.283185307179586476925286766559 * (double)k / (double)M;
                p->tw[2 * (p->tw_off[g] + k)] = (GC_REAL)cos(a);
                p->tw[2 * (p->tw_off[g] + k) + 1] = (GC_REAL)sin(a);
            }
        }
    }
    st = GC_SUF(bigfft_init)(p, api);
    if (st == GC_OK) st = GC_SUF(bigifft_init)(p, api);
    if (st != GC_OK) goto fail;
    {
        const size_t a = GC_ALIGN, r = sizeof(GC_REAL);
        /* the split whole-signal FFT: its r real rows (Qp reals) in the spectrum scratch, their
           spectra (Hp complex) in the input scratch, a chunk (r GC_NSGT_BF_CHUNK complex) in
           the group buffers */
        const size_t bf_a = (size_t)(p->bf_r * p->bf_Qp) * r;
        const size_t bf_b = (size_t)(p->bf_r * p->bf_Hp) * 2 * r;
        const size_t bc = (size_t)(p->bf_r * GC_NSGT_BF_CHUNK) * 2 * r;
        const size_t in_b = (gc_max_size((size_t)L * (p->real ? 1 : 2) * r, bf_b) + a - 1) / a * a;
        const size_t spec_b = (gc_max_size((size_t)p->n_spec * 2 * r, bf_a) + a - 1) / a * a;
        const size_t g_b = (gc_max_size((size_t)(p->max_group + 1) * 2 * r, bc) + a - 1) / a * a;
        const size_t v_b = ((size_t)(p->n_items + 1) * 2 * r + a - 1) / a * a;
        const size_t h_b = (size_t)(p->max_split + 1) * 2 * r;
        p->off_spec = in_b;
        p->off_gbuf = in_b + spec_b;
        p->off_vals = in_b + spec_b + g_b;
        p->off_half = in_b + spec_b + g_b + v_b;
        p->rows = gc_pool_new(p->off_half + h_b);
        p->groups = gc_pool_new(g_b);
        if (!p->rows || !p->groups) {
            st = GC_ENOMEM;
            goto fail;
        }
    }
    p->gbwd = (gc_fftw_plan *)calloc((size_t)(p->t.n_groups + 1), sizeof(gc_fftw_plan));
    p->gfwd = (gc_fftw_plan *)calloc((size_t)(p->t.n_groups + 1), sizeof(gc_fftw_plan));
    buf = (GC_REAL *)gc_aligned_alloc((size_t)(p->max_group + 1) * 2 * sizeof(GC_REAL));
    in = (GC_REAL *)gc_aligned_alloc((size_t)L * (p->real ? 1 : 2) * sizeof(GC_REAL));
    spec = (GC_REAL *)gc_aligned_alloc((size_t)p->n_spec * 2 * sizeof(GC_REAL));
    half = (GC_REAL *)gc_aligned_alloc((size_t)(p->max_split + 1) * 2 * sizeof(GC_REAL));
    if (!p->gbwd || !p->gfwd || !buf || !in || !spec || !half) {
        st = GC_ENOMEM;
        goto fail;
    }
    for (g = 0; g < p->t.n_groups; ++g) {
        int M = (int)p->t.grp_M[g], nb = (int)(p->t.grp_band[g + 1] - p->t.grp_band[g]);
        /* measuring costs ~0.2 s per mid-size transform (86 bands: 16 s; even small ones add up
           to seconds) and gained nothing in execution time here (13.0 vs 13.2 ms for 84 CQ
           bands on 60 s): the groups are always estimated */
        unsigned gflags = GC_FFTW_ESTIMATE;
        (void)flags;
        if (p->split[g]) {
            /* even samples from buf, odd from buf + 1 complex (stride 2), into the two halves
               of `half`; at run time the same offsets of equally aligned buffers are used */
            int h = M / 2, e;
            for (e = 0; e < 2; ++e) {
                p->hbwd[2 * g + e] = api->GC_API_SUF(plan_many_dft)(
                    1, &h, 1, buf + 2 * e, NULL, 2, 2 * h, half + 2 * h * e, NULL, 1, h,
                    GC_FFTW_BACKWARD, gflags);
                p->hfwd[2 * g + e] = api->GC_API_SUF(plan_many_dft)(
                    1, &h, 1, buf + 2 * e, NULL, 2, 2 * h, half + 2 * h * e, NULL, 1, h,
                    GC_FFTW_FORWARD, gflags);
                if (!p->hbwd[2 * g + e] || !p->hfwd[2 * g + e]) {
                    st = GC_EPLAN;
                    goto fail;
                }
            }
            if (p->split[g] == 2) {
                /* the first half of buf (slots 0 .. M/2) into M real coefficients in half */
                p->hc2r[g] = api->GC_API_SUF(plan_many_c2r)(1, &M, 1, buf, NULL, 1, M / 2 + 1,
                                                            half, NULL, 1, M,
                                                            gflags | GC_FFTW_DESTROY_INPUT);
                if (!p->hc2r[g]) {
                    st = GC_EPLAN;
                    goto fail;
                }
            }
            continue;
        }
        p->gbwd[g] = api->GC_API_SUF(plan_many_dft)(1, &M, nb, buf, NULL, 1, M, buf, NULL, 1, M,
                                                     GC_FFTW_BACKWARD, gflags);
        p->gfwd[g] = api->GC_API_SUF(plan_many_dft)(1, &M, nb, buf, NULL, 1, M, buf, NULL, 1, M,
                                                     GC_FFTW_FORWARD, gflags);
        if (!p->gbwd[g] || !p->gfwd[g]) {
            st = GC_EPLAN;
            goto fail;
        }
    }
    n = (int)L;
    {
        /* measuring a transform of a whole signal takes seconds (L = 7919: 2.3 s, 44100: 1.8 s)
           for a few per cent of execution time, and fills FFTW's planner memory with one entry
           per length: only small lengths are measured */
        unsigned big = L > 2048 ? GC_FFTW_ESTIMATE : flags;
        if (p->real) {
            /* with a split (bf_r), both are gc_nsgt_bigfft_impl.h's and bigifft_impl.h's */
            if (!p->bf_r)
                p->big_fwd = api->GC_API_SUF(plan_many_r2c)(1, &n, 1, in, NULL, 1, n, spec, NULL,
                                                            1, (int)p->n_spec, big);
            if (!p->bf_r)
                p->big_inv = api->GC_API_SUF(plan_many_c2r)(
                    1, &n, 1, spec, NULL, 1, (int)p->n_spec, in, NULL, 1, n,
                    big | GC_FFTW_DESTROY_INPUT);
        } else {
            p->big_fwd = api->GC_API_SUF(plan_many_dft)(1, &n, 1, in, NULL, 1, n, spec, NULL, 1,
                                                        n, GC_FFTW_FORWARD, big);
            p->big_inv = api->GC_API_SUF(plan_many_dft)(1, &n, 1, spec, NULL, 1, n, in, NULL, 1,
                                                        n, GC_FFTW_BACKWARD,
                                                        big | GC_FFTW_DESTROY_INPUT);
        }
    }
    if ((!p->big_fwd || !p->big_inv) && !p->bf_r) {
        st = GC_EPLAN;
        goto fail;
    }
    gc_aligned_free(buf);
    gc_aligned_free(in);
    gc_aligned_free(spec);
    gc_aligned_free(half);
    *plan = p;
    return GC_OK;
fail:
    gc_aligned_free(buf);
    gc_aligned_free(in);
    gc_aligned_free(spec);
    gc_aligned_free(half);
    GC_SUF(gc_nsgt_plan_done)(p);
    return st;
}
