/* gaborcore: the synthesis tail of a real NSGT plan split into tasks that threads share (the
   sums of the synthesis values into the half spectrum, then its c2r transform of length L),
   the mirror of gc_nsgt_bigfft_impl.h's forward, with its radix r, sub-length Q, chunks and
   twiddles; included by gc_nsgt.c once per precision after it.  Expects GC_REAL, GC_SUF(name)
   and GC_API_SUF(name).

   x[n] = (1/L) sum_k X[k] W_L^(-kn) (k < L, X[L - k] = conj X[k]; X: the half spectrum h
   and its mirror).  With n = j + r m (j < r, m < Q) and k = k' + Q k2 (k' < Q, k2 < r),
   W_L^(-kn) = W_Q^(-k'm) W_L^(-k'j) W_r^(-k2 j), so
     x[j + r m] = (1/L) sum_k' W_Q^(-k'm) Y_j[k'],
     Y_j[k'] = W_L^(-k'j) sum_k2 W_r^(-k2 j) X[k' + Q k2],
   and x_j[m] = x[j + r m] being real, Y_j is Hermitian in k': a c2r of its columns 0 .. Q/2
   gives x_j.  Four steps of fixed pieces:
   (s) the sums of the synthesis values into h in GC_NSGT_BF_ACC ranges of bins, each range
       zeroed and summed by one piece from runs of items with consecutive bins (made at plan
       time: the old loop over items scattered into all of h, 5 MB at 60 s, and could not be
       shared without each thread reading every item);
   (c) the columns k' in the forward's chunks: the r values X[k' + Q k2] of each column read
       from h into a chunk buffer (bins above L/2 as conjugates of L - k; the imaginary parts
       of bins 0 and L/2 dropped, as a c2r of length L does), their r-point DFTs (exponent +1,
       one FFTW plan for the full chunk, one for the last) into the rows of Y (in the input's
       scratch, Hp complex apart);
   (r) for each row j, its values times their twiddles W_L^(-k'j) (the conjugates of the
       forward's table), then its c2r transform of length Q (one FFTW_ESTIMATE plan) into the
       rows x_j (in the spectrum's scratch: h is no longer needed);
   (o) the interleaved stores x[j + r m] = x_j[m] / L in 64 ranges of m (the scaling that the
       single transform needed as a pass of its own comes with them).
   Each value is computed by one piece, in an order that does not depend on who runs it:
   every thread count, and a whole row on one thread, give the same bits.  Plans without a
   split (complex, or a length gc_nsgt_bf_radix does not split) sum by step (s) too, on one
   thread, into their single transform of length L (big_inv), then scale.

   Measured (84 constant-Q bins from 32.7 Hz, 22,050 Hz, float32, plan.inverse, fastest of 360
   runs in 24 processes per build alternating with the build without the split and the one
   before this file, on the shared 2-vCPU machine, whose per-process minima spread 15 to 60 %
   above these), in ms, split / one c2r transform (same sums) / before (one transform and a
   loop over the items scattering into all of h):
                       1 thread               2 threads              batch of 2, per signal
       66,150 (3 s)    0.73 / 0.76 / 0.82     0.69 / 0.70 / 0.77     0.43 / 0.47 / 0.51
      132,300 (6 s)    1.47 / 1.58 / 1.67     1.19 / 1.36 / 1.41     0.89 / 0.98 / 0.97
      661,500 (30 s)   9.78 / 10.28 / 11.06   5.90 / 8.00 / 8.35     5.33 / 5.87 / 5.99
    1,323,000 (60 s)   18.96 / 19.73 / 21.03  11.59 / 15.06 / 16.45  10.74 / 11.90 / 12.76
   (this session's machine ran the forward about twice as slowly as the forward's table).  At
   60 s on one thread the tail took 7.4 ms: sums 1.2 (the old zeroing and loop 2.4 to 3.1),
   steps (c) 0.9, (r) 5.0 (c2r of 189,000: 0.67 ms, FFTW_ESTIMATE; the r2c 0.47), (o) 0.4,
   where the c2r of L took 6.4 to 8.4 and its scaling 0.4; on two threads 4.5 to 4.7 (the
   seven c2r tasks: four on one thread, three on the other).  The twiddles in step (c),
   chunk by chunk, cost 0.3 ms more than in step (r). */

#ifndef GC_NSGT_BFI_ONCE
#define GC_NSGT_BFI_ONCE
#ifndef GC_NSGT_BF_ACC
#define GC_NSGT_BF_ACC 64 /* bin ranges of the synthesis sums (step (s)) */
#endif

/* The range of bin k among GC_NSGT_BF_ACC ranges of ns bins: the n with
   ns n / np <= k < ns (n + 1) / np (integer division, as the pieces cut them). */
static ptrdiff_t gc_nsgt_bfi_range(ptrdiff_t k, ptrdiff_t ns) {
    const ptrdiff_t np = GC_NSGT_BF_ACC;
    ptrdiff_t n = k * np / ns;
    while (n + 1 < np && ns * (n + 1) / np <= k) ++n;
    while (n > 0 && ns * n / np > k) --n;
    return n;
}
#endif

/* The runs of step (s): maximal sequences of consecutive items whose bins t1 rise by one
   (their values added) or whose bins t2 fall by one (their conjugates added), within one
   range of bins, in the order they close.  Counts each range's runs into at[n + 1] (run ==
   NULL) or stores them, 4 ptrdiff_t each (first item, count, first bin, +1 or -1), from
   run + 4 pos[n] on (pos advanced). */
static void GC_SUF(bfi_runs)(const GC_SUF(gc_nsgt_plan) *p, ptrdiff_t *at, ptrdiff_t *pos,
                             ptrdiff_t *run) {
    ptrdiff_t u[2][4] = {{0}}; /* the open run of each kind: first item, count, bin, range */
    ptrdiff_t i, e;
    for (i = 0; i <= p->n_items; ++i) {
        for (e = 0; e < 2; ++e) {
            ptrdiff_t *c = u[e];
            const ptrdiff_t k = i == p->n_items ? -1 : e == 0 ? p->t.t1[i] : p->t.t2[i];
            const ptrdiff_t s = e == 0 ? 1 : -1, n = k < 0 ? -1 : gc_nsgt_bfi_range(k, p->n_spec);
            if (c[1] > 0 && k == c[2] + s * c[1] && n == c[3]) {
                ++c[1]; /* items are consecutive: i == c[0] + c[1] while the run is open */
                continue;
            }
            if (c[1] > 0 && !run) {
                ++at[c[3] + 1];
            } else if (c[1] > 0) {
                ptrdiff_t *o = run + 4 * pos[c[3]]++;
                o[0] = c[0];
                o[1] = c[1];
                o[2] = c[2];
                o[3] = s;
            }
            c[0] = i;
            c[1] = k < 0 ? 0 : 1;
            c[2] = k;
            c[3] = n;
        }
    }
}

/* The runs of step (s), for every plan, and for a plan whose forward is split (p->bf_r) the
   inverse's FFT plans: the column DFTs of a full and of the last chunk, the rows' c2r. */
static gc_status GC_SUF(bigifft_init)(GC_SUF(gc_nsgt_plan) *p, const gc_fftw_api *api) {
    const ptrdiff_t C = GC_NSGT_BF_CHUNK, np = GC_NSGT_BF_ACC;
    int r = p->bf_r, iq = (int)p->bf_Q, hm = (int)C, hp = (int)p->bf_Hp;
    GC_REAL *a = NULL, *b = NULL;
    ptrdiff_t *pos = (ptrdiff_t *)malloc((size_t)np * sizeof(ptrdiff_t)), n;
    gc_status st = GC_OK;
    p->sum_at = (ptrdiff_t *)calloc((size_t)(np + 1), sizeof(ptrdiff_t));
    if (!p->sum_at || !pos) {
        st = GC_ENOMEM;
        goto done;
    }
    GC_SUF(bfi_runs)(p, p->sum_at, NULL, NULL);
    for (n = 0; n < np; ++n) {
        p->sum_at[n + 1] += p->sum_at[n];
        pos[n] = p->sum_at[n];
    }
    p->sum_run = (ptrdiff_t *)malloc((size_t)(4 * p->sum_at[np] + 1) * sizeof(ptrdiff_t));
    if (!p->sum_run) {
        st = GC_ENOMEM;
        goto done;
    }
    GC_SUF(bfi_runs)(p, p->sum_at, pos, p->sum_run);
    if (!r) goto done;
    /* a: the rows x_j, or a chunk's buffer; b: the rows Y_j */
    a = (GC_REAL *)gc_aligned_alloc(gc_max_size((size_t)(r * p->bf_Qp), (size_t)(2 * r * C)) *
                                    sizeof(GC_REAL));
    b = (GC_REAL *)gc_aligned_alloc((size_t)(r * p->bf_Hp) * 2 * sizeof(GC_REAL));
    if (!a || !b) {
        st = GC_ENOMEM;
        goto done;
    }
    /* from a chunk's buffer (rows of w complex) into the rows Y_j (Hp complex apart) */
    p->bf_icol = api->GC_API_SUF(plan_many_dft)(1, &r, hm, a, NULL, hm, 1, b, NULL, hp, 1,
                                                GC_FFTW_BACKWARD, GC_FFTW_ESTIMATE);
    hm = (int)p->bf_tail;
    p->bf_ictail = api->GC_API_SUF(plan_many_dft)(1, &r, hm, a, NULL, hm, 1, b, NULL, hp, 1,
                                                  GC_FFTW_BACKWARD, GC_FFTW_ESTIMATE);
    p->bf_isub = api->GC_API_SUF(plan_many_c2r)(1, &iq, 1, b, NULL, 1, (int)(iq / 2 + 1), a,
                                                NULL, 1, iq,
                                                GC_FFTW_ESTIMATE | GC_FFTW_DESTROY_INPUT);
    if (!p->bf_icol || !p->bf_ictail || !p->bf_isub) st = GC_EPLAN;
done:
    free(pos);
    gc_aligned_free(a);
    gc_aligned_free(b);
    return st;
}

static void GC_SUF(bigifft_done)(GC_SUF(gc_nsgt_plan) *p) {
    if (p->bf_icol) p->destroy(p->bf_icol);
    if (p->bf_ictail) p->destroy(p->bf_ictail);
    if (p->bf_isub) p->destroy(p->bf_isub);
    free(p->sum_at);
    free(p->sum_run);
}

/* Step (s), range n: its bins of h zeroed, then its runs of synthesis values v added. */
static void GC_SUF(bfi_sum)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *restrict v,
                            GC_REAL *restrict h, ptrdiff_t n) {
    const ptrdiff_t np = GC_NSGT_BF_ACC, k0 = p->n_spec * n / np;
    const ptrdiff_t *u = p->sum_run + 4 * p->sum_at[n];
    const ptrdiff_t *end = p->sum_run + 4 * p->sum_at[n + 1];
    ptrdiff_t t;
    memset(h + 2 * k0, 0, (size_t)(p->n_spec * (n + 1) / np - k0) * 2 * sizeof(GC_REAL));
    for (; u < end; u += 4) {
        const GC_REAL *restrict s = v + 2 * u[0];
        GC_REAL *restrict d = h + 2 * u[2];
        const ptrdiff_t c = u[1];
        if (u[3] > 0) {
            for (t = 0; t < 2 * c; ++t) d[t] += s[t];
        } else {
            for (t = 0; t < c; ++t) {
                d[-2 * t] += s[2 * t];
                d[1 - 2 * t] -= s[2 * t + 1];
            }
        }
    }
}

/* Step (c), chunk n: the columns k' = nC .. nC + w - 1 of X read from h into buf (row k2:
   X[k' + k2 Q], w complex), their r-point DFTs into the rows Y_j of B (Hp complex apart). */
static void GC_SUF(bfi_chunk)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *h, GC_REAL *B,
                              GC_REAL *buf, ptrdiff_t n) {
    const ptrdiff_t C = GC_NSGT_BF_CHUNK, r = p->bf_r, Q = p->bf_Q;
    const ptrdiff_t L = r * Q, half = L / 2, a = n * C;
    const ptrdiff_t w = n == p->bf_nc - 1 ? p->bf_tail : C;
    ptrdiff_t j, t;
    for (j = 0; j < r; ++j) {
        GC_REAL *restrict z = buf + 2 * j * w;
        const GC_REAL *restrict hs = h;
        const ptrdiff_t k0 = a + j * Q;                       /* bin of t = 0 */
        const ptrdiff_t nd = k0 > half ? 0 : half - k0 + 1 < w ? half - k0 + 1 : w; /* direct */
        if (nd > 0) memcpy(z, hs + 2 * k0, (size_t)nd * 2 * sizeof(GC_REAL));
        for (t = nd; t < w; ++t) { /* bin L - k0 - t */
            z[2 * t] = hs[2 * (L - k0 - t)];
            z[2 * t + 1] = -hs[2 * (L - k0 - t) + 1];
        }
        if (k0 <= half && half < k0 + w) z[2 * (half - k0) + 1] = 0;
    }
    if (a == 0) buf[1] = 0;
    p->exec_dft(w == C ? p->bf_icol : p->bf_ictail, buf, B + 2 * a);
}

/* Step (r), task j: row j of B times its twiddles W_L^(-k'j) (the conjugates of the forward's
   W_L^(jk')), in one pass over the row just before its transform reads it (see the top of
   this file), then its c2r transform into row j of A (Qp reals apart). */
static void GC_SUF(bfi_row)(const GC_SUF(gc_nsgt_plan) *p, GC_REAL *B, GC_REAL *A,
                            ptrdiff_t j) {
    const ptrdiff_t H = p->bf_Q / 2 + 1;
    GC_REAL *restrict e = B + 2 * j * p->bf_Hp;
    ptrdiff_t t;
    if (j > 0) { /* row 0: twiddles 1 */
        const GC_REAL *restrict tw = p->bf_tw + 2 * (j - 1) * p->bf_Hp;
        for (t = 0; t < H; ++t) {
            const GC_REAL twr = tw[2 * t], twi = tw[2 * t + 1];
            const GC_REAL xr = e[2 * t], xi = e[2 * t + 1];
            e[2 * t] = xr * twr + xi * twi;
            e[2 * t + 1] = xi * twr - xr * twi;
        }
    }
    p->exec_c2r(p->bf_isub, e, A + j * p->bf_Qp);
}

/* Step (o) for m0 <= m < m1: x[r m + j] = A_j[m] / L (row j at A + j * Qp reals), x written in
   order, with r a constant for the compiler (the radices of gc_nsgt_bf_radix). */
#define GC_BFI_SCATTER(R)                                                               \
    for (m = m0; m < m1; ++m) {                                                         \
        GC_REAL *d = x + (R) * m;                                                       \
        for (j = 0; j < (R); ++j) d[j] = A[j * Qp + m] * scale;                         \
    }                                                                                   \
    break
static void GC_SUF(bfi_scatter)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *restrict A,
                                GC_REAL *restrict x, ptrdiff_t m0, ptrdiff_t m1) {
    const ptrdiff_t Qp = p->bf_Qp;
    const GC_REAL scale = (GC_REAL)1 / (GC_REAL)p->L;
    ptrdiff_t m, j;
    switch (p->bf_r) {
    case 3: GC_BFI_SCATTER(3);
    case 5: GC_BFI_SCATTER(5);
    case 7: GC_BFI_SCATTER(7);
    case 8: GC_BFI_SCATTER(8);
    case 9: GC_BFI_SCATTER(9);
    default: GC_BFI_SCATTER(p->bf_r);
    }
}
#undef GC_BFI_SCATTER

/* The synthesis tail of one row on one thread: synthesis values v, half spectrum (and rows x_j)
   in H, the input's scratch (rows Y_j, or the single transform's output) in B, chunk buffer
   buf (a split plan's), the signal into x; a split plan's are the pieces of bfi_parallel, in
   order; the others' sums go into their single transform (big_inv), then the scaling. */
static void GC_SUF(bfi_serial)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *v, GC_REAL *H,
                               GC_REAL *B, GC_REAL *buf, GC_REAL *x) {
    const ptrdiff_t n_chunks = 64, n = p->L * (p->real ? 1 : 2);
    const GC_REAL scale = (GC_REAL)1 / (GC_REAL)p->L;
    ptrdiff_t c;
    for (c = 0; c < GC_NSGT_BF_ACC; ++c) GC_SUF(bfi_sum)(p, v, H, c);
    if (!p->bf_r) {
        if (p->real)
            p->exec_c2r(p->big_inv, H, B);
        else
            p->exec_dft(p->big_inv, H, B);
        for (c = 0; c < n; ++c) x[c] = B[c] * scale;
        return;
    }
    for (c = 0; c < p->bf_nc; ++c) GC_SUF(bfi_chunk)(p, H, B, buf, c);
    for (c = 0; c < p->bf_r; ++c) GC_SUF(bfi_row)(p, B, H, c);
    for (c = 0; c < n_chunks; ++c)
        GC_SUF(bfi_scatter)(p, H, x, p->bf_Q * c / n_chunks, p->bf_Q * (c + 1) / n_chunks);
}

/* The same pieces on nt threads, each with a chunk buffer from the plan's group pool, for a
   split plan (the others run bfi_serial: their single transform is one piece, and a parallel
   region of its own cost small signals more than sharing their sums gained; 2,048 to 22,050
   samples on two threads: 0.05 to 0.06 ms). */
static gc_status GC_SUF(bfi_parallel)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *v,
                                      GC_REAL *H, GC_REAL *B, GC_REAL *x, int nt) {
    gc_status st = GC_OK;
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        GC_REAL *buf = (GC_REAL *)gc_pool_get(p->groups);
        const ptrdiff_t n_chunks = 64;
        ptrdiff_t c;
        if (!buf) {
#if GC_OMP
#pragma omp critical(gc_nsgt_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (c = 0; c < GC_NSGT_BF_ACC; ++c) GC_SUF(bfi_sum)(p, v, H, c);
#if GC_OMP
#pragma omp for schedule(dynamic, 16)
#endif
        for (c = 0; c < p->bf_nc; ++c)
            if (buf) GC_SUF(bfi_chunk)(p, H, B, buf, c);
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (c = 0; c < p->bf_r; ++c) GC_SUF(bfi_row)(p, B, H, c);
#if GC_OMP
#pragma omp for schedule(static)
#endif
        for (c = 0; c < n_chunks; ++c)
            GC_SUF(bfi_scatter)(p, H, x, p->bf_Q * c / n_chunks, p->bf_Q * (c + 1) / n_chunks);
        gc_pool_put(p->groups, buf);
    }
    return st;
}
