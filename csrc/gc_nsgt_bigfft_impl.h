/* gaborcore: the whole-signal FFT of a real NSGT plan, split into tasks that threads share,
   included by gc_nsgt.c once per precision between gc_nsgt_plan_impl.h (the plan struct) and
   gc_nsgt_impl.h (the execution).  Expects GC_REAL, GC_SUF(name) and GC_API_SUF(name).

   The r2c spectrum X[k] = sum_n x[n] W_L^(kn) (W_N = exp(-2 pi i/N), FFTW's forward sign) of
   a real signal x of length L = r Q, Q even, by one decimation in time of the real signal:
   with the real sub-sequences x_q[m] = x[r m + q] (m < Q, q < r) and their r2c spectra
   R_q = DFT_Q(x_q) (bins 0 .. Q/2), n = r m + q gives W_L^(k(rm+q)) = W_Q^(km) W_L^(kq), so
     X[k' + jQ] = sum_q W_r^(qj) (W_L^(qk') R_q[k']),   k' = 0 .. Q/2, j = 0 .. r-1
   (W_L^(qjQ) = W_r^(qj)): for each column k' an r-point DFT of the twiddled R_q[k'].  These
   r (Q/2 + 1) values hold every bin 0 .. L/2 once, through X[L - k] = conj X[k]: the value of
   k = k' + jQ is stored at k when k <= L/2, else conjugated at L - k when 0 < k' < Q/2 (L - k
   then has the residue Q - k' in (Q/2, Q), never a column's own; for k' = 0 or Q/2 the bin
   L - k is column k' itself at another j, stored directly; L/2 = (r/2) Q or ((r-1)/2) Q + Q/2
   has the residue 0 or Q/2 and is stored directly).  No packing of sample pairs, no real
   post-processing: the column DFTs are the last arithmetic.
   Three steps, each a list of fixed pieces: (a) the r sub-sequences gathered from x into
   aligned rows (64 pieces), (b) their r r2c FFTs of length Q (one FFTW_ESTIMATE plan, executed
   r times on equally aligned rows), each row then multiplied by its twiddles W_L^(qk') while
   it is in cache (a table of (r-1) (Q/2+1) complex, 4.5 MB at 60 s in float32: computing
   each as a product of two small tables' entries took 0.46 ms instead of 0.20 at 60 s),
   (c) the columns k' in chunks of GC_NSGT_BF_CHUNK: the r-point DFTs of the chunk, read from
   the r rows (an FFTW plan for the full chunk, one for the last, shorter one), and the stores
   into the spectrum.  The pieces, their plans and their order of operations do not depend on
   who runs them, and every bin is written by one piece: every thread count, and a whole row on
   one thread, give the same bits.

   Whether to split, and the radix, follow from L alone (gc_nsgt_bf_radix), never from timing.
   Other plans (complex, odd or short L, sizes with a large prime factor) keep the single r2c
   transform; the inverse of a split plan is split alike (gc_nsgt_bigifft_impl.h).

   When to split.  The forward (84 constant-Q bins from 32.7 Hz, 22,050 Hz, float32) split and
   whole (one r2c plan), in ms, fastest of 180 runs in 12 processes alternating the builds on a
   shared 2-core machine; w1, w2: one signal on 1 or 2 threads, b2: per signal of a batch of 2
   on 2 threads (one signal per thread, each split on its own thread):
                       split w1 / whole   split w2 / whole   split b2 / whole
       66,150 (3 s)    0.329 / 0.329      0.212 / 0.257      0.171 / 0.170
      132,300 (6 s)    0.664 / 0.668      0.388 / 0.508      0.344 / 0.349
      264,600 (12 s)   1.293 / 1.254      0.726 / 0.884      0.668 / 0.649   (not split)
      661,500 (30 s)   4.171 / 4.089      2.255 / 2.972      2.309 / 2.305
    1,323,000 (60 s)   8.585 / 8.470      4.588 / 5.469      4.641 / 4.531
   The split's own passes (gather, twiddles, column DFTs and stores) cost about 0.6 ns a sample
   (60 s: 0.24 + 0.20 + 0.38 ms); it pays where the r sub-FFTs beat FFTW's plan of L by as
   much.  They did for every length tried with at most two factors of two (3, 5, 6, 7, 10 and
   30 s at 22,050 Hz: one thread within 2 %, two threads 17 to 28 % faster), not for those
   with more, whose single plan is fast (4 s: 88,200 +8 %, 96,000 +9 %, 12 s +3 to 5 %,
   441,000 +4 %, 2^18 +5 %; 2^16 and 2^17 -3 to -6 %), except long ones (60 s +1.4 to 3 %,
   2,880,000 -2 %), where two threads gain 16 to 19 % on a signal that is more often
   transformed alone: split from GC_NSGT_BF_BIG = 2^20 whatever the factors of two.  Below
   GC_NSGT_BF_MIN = 65,536 the fixed costs dominate (1 s +3.5 %, 2 s +9 %, 61,740 +5 %). */

#ifndef GC_NSGT_BF_ONCE
#define GC_NSGT_BF_ONCE
#ifndef GC_NSGT_BF_MIN
/* shorter signals keep the single r2c transform (see "When to split" above);
   -DGC_NSGT_BF_MIN=<huge> turns the split off */
#define GC_NSGT_BF_MIN 65536
#endif
#ifndef GC_NSGT_BF_BIG
/* below it, only lengths with at most two factors of two are split (see above) */
#define GC_NSGT_BF_BIG 1048576
#endif

/* Largest prime factor of n is at most 13 (FFTW has codelets for those factors). */
static int gc_nsgt_bf_smooth(ptrdiff_t n) {
    static const int primes[6] = {2, 3, 5, 7, 11, 13};
    int i;
    for (i = 0; i < 6; ++i)
        while (n % primes[i] == 0) n /= primes[i];
    return n == 1;
}

/* The radix of the split of a real signal of length L, 0 for none: L even, at least
   GC_NSGT_BF_MIN, with v2(L) <= 2 (v2: the exponent of 2) or at least GC_NSGT_BF_BIG (see
   "When to split" above), and the first r of 7, 5, 9, 8, 3 that divides L and leaves Q = L/r
   even, 13-smooth and with at least min(2, v2(L)) factors of two (an odd r keeps all of
   them).  Sub-lengths that lose factors of two were up to twice as slow (FFTW_ESTIMATE,
   float32: r2c(330,750) 0.85 ms against r2c(189,000) 0.27 ms); at 60 s (L = 1,323,000) the
   three steps took 2.9 ms with r = 7, 3.0 with 9 and 3.1 with 5 (at 12 s and 30 s r = 5 or
   9 were 0.04 to 0.1 ms faster than 7: no rule from L alone picked the best everywhere).
   6 is no candidate (3 divides L whenever 6 does, keeping the same factors), nor 4 (it would
   serve only products of 16 with 11s and 13s).  -DGC_NSGT_BF_RADIX=<r> forces r
   (measurements only). */
static int gc_nsgt_bf_radix(ptrdiff_t L) {
#ifdef GC_NSGT_BF_RADIX
    static const int order[1] = {GC_NSGT_BF_RADIX};
    const int n_order = 1;
#else
    static const int order[5] = {7, 5, 9, 8, 3};
    const int n_order = 5;
#endif
    ptrdiff_t m;
    int v2 = 0, i;
    if (L < GC_NSGT_BF_MIN || L % 2 != 0) return 0;
    for (m = L; m % 2 == 0; m /= 2) ++v2;
    if (v2 > 2 && L < GC_NSGT_BF_BIG) return 0;
    for (i = 0; i < n_order; ++i) {
        const ptrdiff_t Q = L / order[i];
        int q2 = 0;
        if (L % order[i] != 0 || Q % 2 != 0 || !gc_nsgt_bf_smooth(Q)) continue;
        for (m = Q; m % 2 == 0; m /= 2) ++q2;
        if (q2 < (v2 < 2 ? v2 : 2)) continue;
        return order[i];
    }
    return 0;
}

/* exp(-2 pi i m / n) into w[0], w[1]: the angle from m mod n in double, rounded once. */
static void gc_nsgt_bf_root(double *w, ptrdiff_t m, ptrdiff_t n) {
    const double a = 6.283185307179586476925286766559 * (double)(m % n) / (double)n;
    w[0] = cos(a);
    w[1] = -sin(a);
}
#endif

/* Chooses the split for plan p (bf_r = 0: none) and makes its twiddles (complex, at bf_tw:
   row q - 1, Hp apart, holds W_L^(qk') for k' = 0 .. Q/2, q = 1 .. r-1) and FFTW plans. */
static gc_status GC_SUF(bigfft_init)(GC_SUF(gc_nsgt_plan) *p, const gc_fftw_api *api) {
    const ptrdiff_t C = GC_NSGT_BF_CHUNK, per = GC_ALIGN / (ptrdiff_t)sizeof(GC_REAL);
    ptrdiff_t L = p->L, Q, H, t, q;
    GC_REAL *a = NULL, *b = NULL;
    double w[2];
    int r = p->real ? gc_nsgt_bf_radix(L) : 0, iq, hm, hp;
    gc_status st = GC_OK;
    p->bf_r = 0;
    if (!r) return GC_OK;
    Q = L / r;
    H = Q / 2 + 1; /* columns 0 .. Q/2 */
    p->bf_Q = Q;
    p->bf_Qp = (Q + per - 1) / per * per;                   /* reals */
    p->bf_Hp = (2 * H + per - 1) / per * per / 2;           /* complex */
    p->bf_nc = (H + C - 1) / C;
    p->bf_tail = H - (p->bf_nc - 1) * C;
    p->bf_tw = (GC_REAL *)gc_aligned_alloc((size_t)((r - 1) * p->bf_Hp) * 2 * sizeof(GC_REAL));
    /* a: the rows of A when planning the sub-FFTs, a chunk's output when planning the DFTs */
    a = (GC_REAL *)gc_aligned_alloc(gc_max_size((size_t)(r * p->bf_Qp), (size_t)(2 * r * C)) *
                                    sizeof(GC_REAL));
    b = (GC_REAL *)gc_aligned_alloc((size_t)(r * p->bf_Hp) * 2 * sizeof(GC_REAL));
    if (!p->bf_tw || !a || !b) {
        st = GC_ENOMEM;
        goto done;
    }
    p->bf_r = r;
    for (q = 1; q < r; ++q) {
        GC_REAL *T = p->bf_tw + 2 * (q - 1) * p->bf_Hp;
        for (t = 0; t < H; ++t) {
            gc_nsgt_bf_root(w, q * t, L);
            T[2 * t] = (GC_REAL)w[0];
            T[2 * t + 1] = (GC_REAL)w[1];
        }
    }
    iq = (int)Q;
    p->bf_sub = api->GC_API_SUF(plan_many_r2c)(1, &iq, 1, a, NULL, 1, iq, b, NULL, 1, (int)H,
                                               GC_FFTW_ESTIMATE);
    /* r-point DFTs of a chunk: from the rows of B (Hp complex apart) into rows of w complex */
    hm = (int)C;
    hp = (int)p->bf_Hp;
    p->bf_col = api->GC_API_SUF(plan_many_dft)(1, &r, hm, b, NULL, hp, 1, a, NULL, hm, 1,
                                               GC_FFTW_FORWARD, GC_FFTW_ESTIMATE);
    hm = (int)p->bf_tail;
    p->bf_ctail = api->GC_API_SUF(plan_many_dft)(1, &r, hm, b, NULL, hp, 1, a, NULL, hm, 1,
                                                 GC_FFTW_FORWARD, GC_FFTW_ESTIMATE);
    if (!p->bf_sub || !p->bf_col || !p->bf_ctail) st = GC_EPLAN;
done:
    gc_aligned_free(a);
    gc_aligned_free(b);
    return st;
}

static void GC_SUF(bigfft_done)(GC_SUF(gc_nsgt_plan) *p) {
    if (p->bf_sub) p->destroy(p->bf_sub);
    if (p->bf_col) p->destroy(p->bf_col);
    if (p->bf_ctail) p->destroy(p->bf_ctail);
    gc_aligned_free(p->bf_tw);
}

/* Step (a) for m0 <= m < m1: A_q[m] = x[r m + q] (row q at A + q * Qp reals), x read in
   order, with r a constant for the compiler (the radices of gc_nsgt_bf_radix). */
#define GC_BF_GATHER(R)                                                                \
    for (m = m0; m < m1; ++m) {                                                         \
        const GC_REAL *s = x + (R) * m;                                                 \
        for (q = 0; q < (R); ++q) A[q * Qp + m] = s[q];                                 \
    }                                                                                   \
    break
static void GC_SUF(bf_gather)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *restrict x,
                              GC_REAL *restrict A, ptrdiff_t m0, ptrdiff_t m1) {
    const ptrdiff_t Qp = p->bf_Qp;
    ptrdiff_t m, q;
    switch (p->bf_r) {
    case 3: GC_BF_GATHER(3);
    case 5: GC_BF_GATHER(5);
    case 7: GC_BF_GATHER(7);
    case 8: GC_BF_GATHER(8);
    case 9: GC_BF_GATHER(9);
    default: GC_BF_GATHER(p->bf_r);
    }
}
#undef GC_BF_GATHER

/* Step (b), task q: the r2c FFT of row q of A into row q of B (Hp complex apart), then, while
   it is in cache, R_q[k'] times its twiddle W_L^(qk'). */
static void GC_SUF(bf_sub)(const GC_SUF(gc_nsgt_plan) *p, GC_REAL *A, GC_REAL *B, ptrdiff_t q) {
    const ptrdiff_t H = p->bf_Q / 2 + 1;
    GC_REAL *restrict e = B + 2 * q * p->bf_Hp;
    const GC_REAL *restrict tw;
    ptrdiff_t t;
    p->exec_r2c(p->bf_sub, A + q * p->bf_Qp, e);
    if (q == 0) return; /* twiddles 1 */
    tw = p->bf_tw + 2 * (q - 1) * p->bf_Hp;
    for (t = 0; t < H; ++t) {
        const GC_REAL twr = tw[2 * t], twi = tw[2 * t + 1];
        const GC_REAL xr = e[2 * t], xi = e[2 * t + 1];
        e[2 * t] = xr * twr - xi * twi;
        e[2 * t + 1] = xr * twi + xi * twr;
    }
}

/* Step (c), chunk n: the r-point DFTs of the twiddled columns k' = nC .. nC + w - 1 of B
   into buf (row j: X[k' + jQ], w complex), then each row stored into the spectrum X: bins
   k <= L/2 as they are, the others conjugated at L - k except for the columns 0 and Q/2
   (see the top of this file). */
static void GC_SUF(bf_chunk)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *B, GC_REAL *X,
                             GC_REAL *buf, ptrdiff_t n) {
    const ptrdiff_t C = GC_NSGT_BF_CHUNK, r = p->bf_r, Q = p->bf_Q;
    const ptrdiff_t L = r * Q, half = L / 2, a = n * C;
    const ptrdiff_t w = n == p->bf_nc - 1 ? p->bf_tail : C;
    /* the mirrored stores skip column 0 (first chunk, t = 0) and column Q/2 (last, t = w-1) */
    const ptrdiff_t m0 = a == 0 ? 1 : 0, m1 = n == p->bf_nc - 1 ? w - 1 : w;
    ptrdiff_t j, t;
    p->exec_dft(w == C ? p->bf_col : p->bf_ctail, (GC_REAL *)(B + 2 * a), buf);
    for (j = 0; j < r; ++j) {
        const GC_REAL *restrict z = buf + 2 * j * w;
        const ptrdiff_t k0 = a + j * Q;                       /* bin of t = 0 */
        const ptrdiff_t nd = k0 > half ? 0 : half - k0 + 1 < w ? half - k0 + 1 : w; /* direct */
        if (nd > 0) memcpy(X + 2 * k0, z, (size_t)nd * 2 * sizeof(GC_REAL));
        for (t = nd > m0 ? nd : m0; t < m1; ++t) { /* bin L - k0 - t */
            X[2 * (L - k0 - t)] = z[2 * t];
            X[2 * (L - k0 - t) + 1] = -z[2 * t + 1];
        }
    }
}

/* The whole split transform of row x on one thread into X (A and B: scratch of r Qp reals and
   r Hp complex, buf a chunk's): the same pieces as the threaded driver, in order. */
static void GC_SUF(bf_serial)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *x, GC_REAL *A,
                              GC_REAL *B, GC_REAL *buf) {
    ptrdiff_t c, q;
    const ptrdiff_t n_chunks = 64;
    for (c = 0; c < n_chunks; ++c)
        GC_SUF(bf_gather)(p, x, A, p->bf_Q * c / n_chunks, p->bf_Q * (c + 1) / n_chunks);
    for (q = 0; q < p->bf_r; ++q) GC_SUF(bf_sub)(p, A, B, q);
    for (c = 0; c < p->bf_nc; ++c) GC_SUF(bf_chunk)(p, B, A, buf, c);
}

/* The pieces of bf_serial shared by the threads of the enclosing parallel region (each of them
   calls it; buf: its own chunk buffer, NULL if none could be had): never from a thread that
   runs a row of its own (row_job), whose loops would be shared with the others' rows. */
static void GC_SUF(bf_shared)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *x, GC_REAL *A,
                              GC_REAL *B, GC_REAL *buf) {
    const ptrdiff_t n_chunks = 64;
    ptrdiff_t c;
#if GC_OMP
#pragma omp for schedule(static)
#endif
    for (c = 0; c < n_chunks; ++c)
        GC_SUF(bf_gather)(p, x, A, p->bf_Q * c / n_chunks, p->bf_Q * (c + 1) / n_chunks);
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
    for (c = 0; c < p->bf_r; ++c) GC_SUF(bf_sub)(p, A, B, c);
#if GC_OMP
#pragma omp for schedule(dynamic, 16)
#endif
    for (c = 0; c < p->bf_nc; ++c)
        if (buf) GC_SUF(bf_chunk)(p, B, A, buf, c);
}
