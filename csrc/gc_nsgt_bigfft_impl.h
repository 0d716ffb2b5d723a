/* gaborcore: the whole-signal FFT of a real NSGT plan, split into tasks that threads share,
   included by gc_nsgt.c once per precision between gc_nsgt_plan_impl.h (the plan struct) and
   gc_nsgt_impl.h (the execution).  Expects GC_REAL, GC_SUF(name) and GC_API_SUF(name).

   The r2c transform X of a real signal x of even length L is computed from the complex
   sequence z[n] = x[2n] + i x[2n+1] (x itself, read as interleaved pairs), M = L/2, as
     Z = DFT_M(z),  X[k] = (Z[k] + conj Z[M-k])/2 - i W_L^k (Z[k] - conj Z[M-k])/2, k = 0..M
   (Z[M] = Z[0], W_N = exp(-2 pi i/N), FFTW's forward sign), and Z by one decimation-in-time
   step of radix r, P = M/r:
     E_q = DFT_P(z[q], z[q+r], ...),  Z[k' + jP] = sum_q W_r^(qj) W_M^(qk') E_q[k'].
   Three steps, each a list of fixed pieces: (a) the r sub-sequences gathered from x (64
   pieces), (b) their r FFTs of length P (one FFTW_ESTIMATE plan, executed r times on equally
   aligned buffers), (c) the columns k' in chunks of GC_NSGT_BF_CHUNK, each with its mirror
   column P - k' (so that the chunk has every Z[M-k] that its post-processing needs):
   twiddles, the r-point DFTs of the chunk (an FFTW plan for the full chunk, one for the last,
   shorter one), and X.  The pieces, their plans and their order of operations do not depend
   on who runs them: every thread count, and a whole row on one thread, give the same bits.

   The radix is chosen from L alone (gc_nsgt_bf_radix), never by timing.  Other plans (complex,
   odd or short L, sizes with a large prime factor) keep the single r2c transform. */

#ifndef GC_NSGT_BF_ONCE
#define GC_NSGT_BF_ONCE
#ifndef GC_NSGT_BF_MIN
/* shorter signals keep the single r2c transform (a round bound, not measured: below it the
   signal's FFT is a small part of the forward; -DGC_NSGT_BF_MIN=<huge> turns the split off) */
#define GC_NSGT_BF_MIN 65536
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
   GC_NSGT_BF_MIN, and the first r of 8, 7, 5, 6, 3, 4 that divides M = L/2 and leaves
   P = M/r at least 2^2 of M's factors of two (a power of two or an odd sub-length was up to
   twice as slow: 165,375 points 0.81 ms against 94,500 points 0.24 ms), with P 13-smooth.
   Larger radices first: their r tasks balance better over threads (7: 4 and 3 on two). */
static int gc_nsgt_bf_radix(ptrdiff_t L) {
    static const int order[6] = {8, 7, 5, 6, 3, 4}, twos[6] = {3, 0, 0, 1, 0, 2};
    ptrdiff_t M, m;
    int v2 = 0, i;
    if (L < GC_NSGT_BF_MIN || L % 2 != 0) return 0;
    M = L / 2;
    for (m = M; m % 2 == 0; m /= 2) ++v2;
    for (i = 0; i < 6; ++i) {
        if (M % order[i] != 0) continue;
        if (twos[i] > 0 && v2 - twos[i] < 2) continue;
        if (!gc_nsgt_bf_smooth(M / order[i])) return 0;
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

/* Tables of plan p (complex, at bf_tw): cR[j] = W_L^(jP) (r), Wr[q] = W_r^q (r),
   TL[t] = W_L^t (C), V[n] = W_L^(nC) (nc), Tq[q][t] = W_M^(qt) (r x C), Uq[q][n] = W_M^(qnC)
   (r x nc). */
#define GC_BF_CR(p) ((p)->bf_tw)
#define GC_BF_WR(p) ((p)->bf_tw + 2 * (p)->bf_r)
#define GC_BF_TL(p) ((p)->bf_tw + 4 * (p)->bf_r)
#define GC_BF_V(p) (GC_BF_TL(p) + 2 * GC_NSGT_BF_CHUNK)
#define GC_BF_TQ(p) (GC_BF_V(p) + 2 * (p)->bf_nc)
#define GC_BF_UQ(p) (GC_BF_TQ(p) + 2 * GC_NSGT_BF_CHUNK * (p)->bf_r)

/* Chooses the split for plan p (bf_r = 0: none) and makes its tables and FFTW plans. */
static gc_status GC_SUF(bigfft_init)(GC_SUF(gc_nsgt_plan) *p, const gc_fftw_api *api) {
    const ptrdiff_t C = GC_NSGT_BF_CHUNK, per = GC_ALIGN / (2 * (ptrdiff_t)sizeof(GC_REAL));
    ptrdiff_t L = p->L, M, P, nf, n, t, q;
    GC_REAL *a = NULL, *b = NULL;
    double w[2];
    int r = p->real ? gc_nsgt_bf_radix(L) : 0, ip, hm;
    gc_status st = GC_OK;
    p->bf_r = 0;
    if (!r) return GC_OK;
    M = L / 2;
    P = M / r;
    nf = P / 2 + 1; /* columns 0 .. P/2; the others are their mirrors */
    p->bf_P = P;
    p->bf_Pp = (P + per - 1) / per * per;
    p->bf_nc = (nf + C - 1) / C;
    p->bf_tail = nf - (p->bf_nc - 1) * C;
    p->bf_tw = (GC_REAL *)gc_aligned_alloc(
        (size_t)(2 * r + C + p->bf_nc + r * C + r * p->bf_nc) * 2 * sizeof(GC_REAL));
    a = (GC_REAL *)gc_aligned_alloc((size_t)(r * p->bf_Pp) * 2 * sizeof(GC_REAL));
    b = (GC_REAL *)gc_aligned_alloc((size_t)(r * p->bf_Pp) * 2 * sizeof(GC_REAL));
    if (!p->bf_tw || !a || !b) {
        st = GC_ENOMEM;
        goto done;
    }
    p->bf_r = r;
#define GC_BF_SET(dst, m, nn)                     \
    do {                                          \
        gc_nsgt_bf_root(w, (m), (nn));            \
        (dst)[0] = (GC_REAL)w[0];                 \
        (dst)[1] = (GC_REAL)w[1];                 \
    } while (0)
    for (q = 0; q < r; ++q) {
        GC_BF_SET(GC_BF_CR(p) + 2 * q, q * P, L);
        GC_BF_SET(GC_BF_WR(p) + 2 * q, q, r);
        for (t = 0; t < C; ++t) GC_BF_SET(GC_BF_TQ(p) + 2 * (q * C + t), q * t, M);
        for (n = 0; n < p->bf_nc; ++n)
            GC_BF_SET(GC_BF_UQ(p) + 2 * (q * p->bf_nc + n), q * n * C, M);
    }
    for (t = 0; t < C; ++t) GC_BF_SET(GC_BF_TL(p) + 2 * t, t, L);
    for (n = 0; n < p->bf_nc; ++n) GC_BF_SET(GC_BF_V(p) + 2 * n, n * C, L);
#undef GC_BF_SET
    ip = (int)P;
    p->bf_sub = api->GC_API_SUF(plan_many_dft)(1, &ip, 1, a, NULL, 1, ip, b, NULL, 1, ip,
                                               GC_FFTW_FORWARD, GC_FFTW_ESTIMATE);
    /* r-point DFTs of a chunk in place: row q at q * 2w (w columns, then their mirrors) */
    hm = (int)(2 * C);
    p->bf_col = api->GC_API_SUF(plan_many_dft)(1, &r, hm, a, NULL, hm, 1, a, NULL, hm, 1,
                                               GC_FFTW_FORWARD, GC_FFTW_ESTIMATE);
    hm = (int)(2 * p->bf_tail);
    p->bf_ctail = api->GC_API_SUF(plan_many_dft)(1, &r, hm, a, NULL, hm, 1, a, NULL, hm, 1,
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

/* Step (a) for m0 <= m < m1: E_q[m] = z[q + r m] (E_q at E + q * Pp complex), in blocks of
   256 m whose source stays in the first-level cache while the r rows are written. */
static void GC_SUF(bf_gather)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *x, GC_REAL *E,
                              ptrdiff_t m0, ptrdiff_t m1) {
    const ptrdiff_t r = p->bf_r, Pp = p->bf_Pp;
    ptrdiff_t b, m, q;
    for (b = m0; b < m1; b += 256) {
        const ptrdiff_t e = b + 256 < m1 ? b + 256 : m1;
        for (q = 0; q < r; ++q) {
            GC_REAL *dst = E + 2 * q * Pp;
            const GC_REAL *src = x + 2 * q;
            for (m = b; m < e; ++m) {
                dst[2 * m] = src[2 * r * m];
                dst[2 * m + 1] = src[2 * r * m + 1];
            }
        }
    }
}

/* Step (b), task q: the FFT of E_q (in E) into F_q (in F). */
static void GC_SUF(bf_sub)(const GC_SUF(gc_nsgt_plan) *p, GC_REAL *E, GC_REAL *F, ptrdiff_t q) {
    p->exec_dft(p->bf_sub, E + 2 * q * p->bf_Pp, F + 2 * q * p->bf_Pp);
}

/* Step (c), chunk n: columns f = nC .. nC + w - 1 of F and their mirrors P - f (read at
   (P - f) mod P: column P is column 0 with twiddles W_M^(qP) = W_r^q, its rows Z[(j+1)P]),
   twiddled into buf, their r-point DFTs, then X[k] and X[M - k] for k = f + jP into X.
   Mirror column P - f, row r-1-j, is Z[M - k]. */
static void GC_SUF(bf_chunk)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *F, GC_REAL *X,
                             GC_REAL *buf, ptrdiff_t n) {
    const ptrdiff_t C = GC_NSGT_BF_CHUNK, r = p->bf_r, P = p->bf_P, Pp = p->bf_Pp;
    const ptrdiff_t M = r * P, a = n * C, w = n == p->bf_nc - 1 ? p->bf_tail : C, s = 2 * w;
    const ptrdiff_t t0 = a == 0 ? 1 : 0; /* column 0's mirror is read at 0, not P */
    const GC_REAL *wr = GC_BF_WR(p), *cr = GC_BF_CR(p), *tl = GC_BF_TL(p);
    const GC_REAL *v = GC_BF_V(p) + 2 * n;
    ptrdiff_t q, j, t;
    for (q = 0; q < r; ++q) {
        const GC_REAL *e = F + 2 * q * Pp, *T = GC_BF_TQ(p) + 2 * q * C;
        const GC_REAL *u = GC_BF_UQ(p) + 2 * (q * p->bf_nc + n);
        /* um = W_r^q conj(u): the mirror's twiddle W_M^(q(P-f)) = um conj(T[t]) */
        const GC_REAL umr = wr[2 * q] * u[0] + wr[2 * q + 1] * u[1];
        const GC_REAL umi = wr[2 * q + 1] * u[0] - wr[2 * q] * u[1];
        const GC_REAL *em = e + 2 * (P - a); /* em[-2t]: column P - a - t */
        GC_REAL *row = buf + 2 * q * s, *mrow = row + 2 * w;
        if (t0) {
            mrow[0] = umr * e[0] - umi * e[1];
            mrow[1] = umr * e[1] + umi * e[0];
        }
        for (t = 0; t < w; ++t) {
            const GC_REAL twr = u[0] * T[2 * t] - u[1] * T[2 * t + 1];
            const GC_REAL twi = u[0] * T[2 * t + 1] + u[1] * T[2 * t];
            const GC_REAL xr = e[2 * (a + t)], xi = e[2 * (a + t) + 1];
            row[2 * t] = xr * twr - xi * twi;
            row[2 * t + 1] = xr * twi + xi * twr;
        }
        for (t = t0; t < w; ++t) {
            const GC_REAL twr = umr * T[2 * t] + umi * T[2 * t + 1];
            const GC_REAL twi = umi * T[2 * t] - umr * T[2 * t + 1];
            const GC_REAL xr = em[-2 * t], xi = em[-2 * t + 1];
            mrow[2 * t] = xr * twr - xi * twi;
            mrow[2 * t + 1] = xr * twi + xi * twr;
        }
    }
    p->exec_dft(w == C ? p->bf_col : p->bf_ctail, buf, buf);
    for (j = 0; j < r; ++j) {
        /* X[k] over Z[k] (row j), X[M - k] over Z[M - k] (row r-1-j's mirror part): each is
           read by this j alone; then both copied out (the second reversed) */
        const GC_REAL vr = cr[2 * j] * v[0] - cr[2 * j + 1] * v[1];
        const GC_REAL vi = cr[2 * j] * v[1] + cr[2 * j + 1] * v[0];
        GC_REAL *restrict zk = buf + 2 * j * s, *restrict zm = buf + 2 * (r - 1 - j) * s + 2 * w;
        for (t = 0; t < w; ++t) {
            const GC_REAL Wr = vr * tl[2 * t] - vi * tl[2 * t + 1];
            const GC_REAL Wi = vr * tl[2 * t + 1] + vi * tl[2 * t];
            const GC_REAL sr = zk[2 * t] + zm[2 * t], si = zk[2 * t + 1] - zm[2 * t + 1];
            const GC_REAL dr = zk[2 * t] - zm[2 * t], di = zk[2 * t + 1] + zm[2 * t + 1];
            const GC_REAL t1 = Wr * di + Wi * dr, t2 = Wi * di - Wr * dr;
            zk[2 * t] = (GC_REAL)0.5 * (sr + t1);
            zk[2 * t + 1] = (GC_REAL)0.5 * (si + t2);
            zm[2 * t] = (GC_REAL)0.5 * (sr - t1);
            zm[2 * t + 1] = (GC_REAL)0.5 * (t2 - si);
        }
    }
    for (j = 0; j < r; ++j) {
        const GC_REAL *zk = buf + 2 * j * s, *zm = buf + 2 * (r - 1 - j) * s + 2 * w;
        GC_REAL *xm = X + 2 * (M - a - j * P);
        memcpy(X + 2 * (a + j * P), zk, (size_t)w * 2 * sizeof(GC_REAL));
        for (t = 0; t < w; ++t) {
            xm[-2 * t] = zm[2 * t];
            xm[-2 * t + 1] = zm[2 * t + 1];
        }
    }
}

/* The whole split transform of row x on one thread, into s->spec (s->in and s->gbuf are
   scratch): the same pieces as the threaded driver, in order. */
static void GC_SUF(bf_serial)(const GC_SUF(gc_nsgt_plan) *p, const GC_REAL *x, GC_REAL *E,
                              GC_REAL *F, GC_REAL *buf) {
    ptrdiff_t c, q;
    const ptrdiff_t n_chunks = 64;
    for (c = 0; c < n_chunks; ++c)
        GC_SUF(bf_gather)(p, x, E, p->bf_P * c / n_chunks, p->bf_P * (c + 1) / n_chunks);
    for (q = 0; q < p->bf_r; ++q) GC_SUF(bf_sub)(p, E, F, q);
    for (c = 0; c < p->bf_nc; ++c) GC_SUF(bf_chunk)(p, F, E, buf, c);
}
