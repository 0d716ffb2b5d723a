/* gaborcore: STFT kernel body, included by gc_stft.c once per precision.
   Expects GC_REAL, GC_SUF(name), GC_API_SUF(name), GC_SQRT and GC_POW to be defined. */
#include <limits.h>

struct GC_SUF(gc_stft_plan) {
    ptrdiff_t n_fft, n_freq, hop;
    ptrdiff_t zdist;     /* complex numbers between the spectra of two frames in a block */
    ptrdiff_t lo, hi;    /* the window is zero outside [lo, hi): those samples are never touched */
    GC_REAL *window;     /* analysis window, length n_fft */
    GC_REAL *synth;      /* window / n_fft: synthesis window with the inverse FFT's scaling */
    gc_fftw_plan fwd, inv;
    gc_pool *pool;       /* per-thread block buffers: frames; spectra at z_offset bytes; then
                            room for a filter bank's power row and band block (n_freq bands) */
    size_t z_offset, fb_offset;
    GC_API_SUF(gc_execute_r2c) exec_fwd;
    GC_API_SUF(gc_execute_c2r) exec_inv;
    gc_destroy_plan_t destroy;
};

void GC_SUF(gc_stft_plan_done)(GC_SUF(gc_stft_plan) *p) {
    if (!p) return;
    if (p->fwd) p->destroy(p->fwd);
    if (p->inv) p->destroy(p->inv);
    gc_aligned_free(p->window);
    gc_aligned_free(p->synth);
    gc_pool_free(p->pool);
    free(p);
}

gc_status GC_SUF(gc_stft_plan_init)(GC_SUF(gc_stft_plan) **plan, const gc_fftw_api *api,
                                     ptrdiff_t n_fft, ptrdiff_t hop, const GC_REAL *window,
                                     unsigned flags) {
    GC_SUF(gc_stft_plan) *p;
    GC_REAL *in, *out;
    ptrdiff_t j;
    int n;
    if (!plan || !api || !window) return GC_ENULL;
    *plan = NULL;
    if (n_fft < 1 || hop < 1 || n_fft > INT_MAX / (2 * GC_BLOCK)) return GC_EBADSIZE;
    p = (GC_SUF(gc_stft_plan) *)calloc(1, sizeof *p);
    if (!p) return GC_ENOMEM;
    p->n_fft = n_fft;
    p->n_freq = n_fft / 2 + 1;
    p->hop = hop;
    /* Spectra of one block are read across frames (the output is frequency-major).  With a
       distance of a power of two bytes all frames' values of one frequency fall into the same
       cache set; an odd number of cache lines between frames spreads them over the sets. */
    p->zdist = (p->n_freq + 7) / 8 * 8;
    if ((p->zdist / 8) % 2 == 0) p->zdist += 8;
    p->exec_fwd = api->GC_API_SUF(execute_r2c);
    p->exec_inv = api->GC_API_SUF(execute_c2r);
    p->destroy = api->GC_API_SUF(destroy_plan);
    p->window = (GC_REAL *)gc_aligned_alloc((size_t)n_fft * sizeof(GC_REAL));
    p->synth = (GC_REAL *)gc_aligned_alloc((size_t)n_fft * sizeof(GC_REAL));
    if (!p->window || !p->synth) {
        GC_SUF(gc_stft_plan_done)(p);
        return GC_ENOMEM;
    }
    p->lo = n_fft;
    p->hi = 0;
    for (j = 0; j < n_fft; ++j) {
        p->window[j] = window[j];
        p->synth[j] = window[j] / (GC_REAL)n_fft;
        if (window[j] != 0) {
            if (j < p->lo) p->lo = j;
            p->hi = j + 1;
        }
    }
    if (p->hi == 0) p->lo = 0;
    in = (GC_REAL *)gc_aligned_alloc((size_t)GC_BLOCK * n_fft * sizeof(GC_REAL));
    out = (GC_REAL *)gc_aligned_alloc((size_t)GC_BLOCK * p->zdist * 2 * sizeof(GC_REAL));
    if (!in || !out) {
        gc_aligned_free(in);
        gc_aligned_free(out);
        GC_SUF(gc_stft_plan_done)(p);
        return GC_ENOMEM;
    }
    n = (int)n_fft;
    p->fwd = api->GC_API_SUF(plan_many_r2c)(1, &n, GC_BLOCK, in, NULL, 1, n, out, NULL, 1,
                                            (int)p->zdist, flags);
    p->inv = api->GC_API_SUF(plan_many_c2r)(1, &n, GC_BLOCK, out, NULL, 1, (int)p->zdist, in,
                                            NULL, 1, n, flags | GC_FFTW_DESTROY_INPUT);
    gc_aligned_free(in);
    gc_aligned_free(out);
    if (!p->fwd || !p->inv) {
        GC_SUF(gc_stft_plan_done)(p);
        return GC_EPLAN;
    }
    p->z_offset = ((size_t)GC_BLOCK * n_fft * sizeof(GC_REAL) + GC_ALIGN - 1) / GC_ALIGN * GC_ALIGN;
    p->fb_offset = p->z_offset + (size_t)GC_BLOCK * p->zdist * 2 * sizeof(GC_REAL);
    p->pool = gc_pool_new(p->fb_offset + (size_t)(GC_BLOCK + 1) * p->n_freq * sizeof(GC_REAL));
    if (!p->pool) {
        GC_SUF(gc_stft_plan_done)(p);
        return GC_ENOMEM;
    }
    *plan = p;
    return GC_OK;
}

/* Window one frame that starts at signal sample s0 into dst[lo:hi). */
static void GC_SUF(frame_fill)(const GC_SUF(gc_stft_plan) *p, GC_REAL *dst, const GC_REAL *xrow,
                                ptrdiff_t n, ptrdiff_t s0, int pad_mode) {
    const GC_REAL *w = p->window;
    ptrdiff_t j, lo = p->lo, hi = p->hi;
    if (s0 + lo >= 0 && s0 + hi <= n) {
        const GC_REAL *src = xrow + s0;
        for (j = lo; j < hi; ++j) dst[j] = w[j] * src[j];
        return;
    }
    for (j = lo; j < hi; ++j) {
        ptrdiff_t s = s0 + j;
        GC_REAL v;
        if (s >= 0 && s < n)
            v = xrow[s];
        else if (pad_mode == GC_PAD_CONSTANT)
            v = 0;
        else
            v = xrow[gc_pad_index(s, n, pad_mode)];
        dst[j] = w[j] * v;
    }
}

/* Window frames g0 .. g0+nb of the flattened (signal, frame) index into buf and transform them
   into the block spectra z (frame-major, p->zdist complex numbers apart). */
static void GC_SUF(analyse_block)(const GC_SUF(gc_stft_plan) *p, const GC_REAL *x,
                                   ptrdiff_t n_samples, ptrdiff_t x_bstride, ptrdiff_t pad,
                                   int pad_mode, ptrdiff_t n_frames, ptrdiff_t g0, ptrdiff_t nb,
                                   GC_REAL *buf, GC_REAL *z) {
    const ptrdiff_t n_fft = p->n_fft;
    ptrdiff_t i;
    for (i = 0; i < nb; ++i) {
        ptrdiff_t g = g0 + i, b = g / n_frames, t = g % n_frames;
        GC_SUF(frame_fill)(p, buf + i * n_fft, x + b * x_bstride, n_samples, t * p->hop - pad,
                           pad_mode);
    }
    for (i = nb; i < GC_BLOCK; ++i)
        memset(buf + i * n_fft + p->lo, 0, (size_t)(p->hi - p->lo) * sizeof(GC_REAL));
    p->exec_fwd(p->fwd, buf, z);
}

/* Write `run` consecutive frames of one signal from the block spectrum z (frame-major) into the
   frequency-major output, starting at frame t of row `orow`. */
static void GC_SUF(write_run)(const GC_SUF(gc_stft_plan) *p, const GC_REAL *z, ptrdiff_t run,
                               GC_REAL *orow, ptrdiff_t fstride, ptrdiff_t t, int kind,
                               GC_REAL power) {
    const ptrdiff_t nf = p->n_freq, zs = 2 * p->zdist;
    ptrdiff_t k, i;
    if (kind == GC_OUT_COMPLEX) {
        for (k = 0; k < nf; ++k) {
            GC_REAL *dst = orow + 2 * (k * fstride + t);
            const GC_REAL *src = z + 2 * k;
            for (i = 0; i < run; ++i) {
                dst[2 * i] = src[i * zs];
                dst[2 * i + 1] = src[i * zs + 1];
            }
        }
        return;
    }
    for (k = 0; k < nf; ++k) {
        GC_REAL *dst = orow + k * fstride + t;
        const GC_REAL *src = z + 2 * k;
        for (i = 0; i < run; ++i) {
            GC_REAL re = src[i * zs], im = src[i * zs + 1];
            dst[i] = re * re + im * im;
        }
        if (kind == GC_OUT_MAGNITUDE) {
            for (i = 0; i < run; ++i) dst[i] = GC_SQRT(dst[i]);
        } else if (kind == GC_OUT_POW) {
            const GC_REAL half = power / 2;
            for (i = 0; i < run; ++i) dst[i] = GC_POW(dst[i], half);
        }
    }
}

gc_status GC_SUF(gc_stft_forward)(const GC_SUF(gc_stft_plan) *p, const GC_REAL *x,
                                   ptrdiff_t n_batch, ptrdiff_t n_samples, ptrdiff_t x_bstride,
                                   ptrdiff_t pad, int pad_mode, ptrdiff_t n_frames, int kind,
                                   GC_REAL power, void *out, ptrdiff_t out_bstride,
                                   ptrdiff_t out_fstride, int n_threads) {
    ptrdiff_t total, n_blocks;
    gc_status st = GC_OK;
    int nt;
    if (!p || !x || !out) return GC_ENULL;
    if (n_batch < 0 || n_frames < 0 || n_samples < 1 || pad < 0) return GC_EBADSIZE;
    if (pad_mode < GC_PAD_CONSTANT || pad_mode > GC_PAD_WRAP) return GC_EBADARG;
    if (kind < GC_OUT_COMPLEX || kind > GC_OUT_POW) return GC_EBADARG;
    total = n_batch * n_frames;
    if (total == 0) return GC_OK;
    n_blocks = (total + GC_BLOCK - 1) / GC_BLOCK;
    nt = gc_threads(n_threads, n_blocks);
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        const ptrdiff_t n_fft = p->n_fft;
        char *mem = (char *)gc_pool_get(p->pool);
        GC_REAL *buf = (GC_REAL *)mem;
        GC_REAL *z = mem ? (GC_REAL *)(mem + p->z_offset) : NULL;
        int ok = mem != NULL;
        ptrdiff_t jb;
        if (ok) {
            memset(buf, 0, (size_t)GC_BLOCK * n_fft * sizeof(GC_REAL));
        } else {
#if GC_OMP
#pragma omp critical(gc_stft_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (jb = 0; jb < n_blocks; ++jb) {
            ptrdiff_t g0 = jb * GC_BLOCK, nb = total - g0, i;
            if (!ok) continue;
            if (nb > GC_BLOCK) nb = GC_BLOCK;
            GC_SUF(analyse_block)(p, x, n_samples, x_bstride, pad, pad_mode, n_frames, g0, nb,
                                  buf, z);
            for (i = 0; i < nb;) {
                ptrdiff_t g = g0 + i, b = g / n_frames, t = g % n_frames, run = nb - i;
                GC_REAL *orow = (GC_REAL *)out + (kind == GC_OUT_COMPLEX ? 2 : 1) * b * out_bstride;
                if (run > n_frames - t) run = n_frames - t;
                GC_SUF(write_run)(p, z + 2 * i * p->zdist, run, orow, out_fstride, t, kind,
                                  power);
                i += run;
            }
        }
        gc_pool_put(p->pool, mem);
    }
    return st;
}

/* Inverse FFT of frames [t0, t0+nb) of row b and overlap-add into the output row. */
static void GC_SUF(ola_block)(const GC_SUF(gc_stft_plan) *p, const GC_REAL *crow,
                               ptrdiff_t c_fstride, ptrdiff_t t0, ptrdiff_t nb, GC_REAL *buf,
                               GC_REAL *z, GC_REAL *orow, ptrdiff_t offset, ptrdiff_t n_out) {
    const ptrdiff_t nf = p->n_freq, zs = 2 * p->zdist, n_fft = p->n_fft;
    const GC_REAL *ws = p->synth;
    ptrdiff_t k, i, j;
    for (k = 0; k < nf; ++k) {
        const GC_REAL *src = crow + 2 * (k * c_fstride + t0);
        GC_REAL *dst = z + 2 * k;
        for (i = 0; i < nb; ++i) {
            dst[i * zs] = src[2 * i];
            dst[i * zs + 1] = src[2 * i + 1];
        }
    }
    if (nb < GC_BLOCK) memset(z + nb * zs, 0, (size_t)(GC_BLOCK - nb) * zs * sizeof(GC_REAL));
    p->exec_inv(p->inv, z, buf);
    for (i = 0; i < nb; ++i) {
        const GC_REAL *fr = buf + i * n_fft;
        ptrdiff_t s0 = (t0 + i) * p->hop - offset;
        if (s0 + p->lo >= 0 && s0 + p->hi <= n_out) {
            GC_REAL *dst = orow + s0;
            for (j = p->lo; j < p->hi; ++j) dst[j] += ws[j] * fr[j];
        } else {
            for (j = p->lo; j < p->hi; ++j) {
                ptrdiff_t s = s0 + j;
                if (s >= 0 && s < n_out) orow[s] += ws[j] * fr[j];
            }
        }
    }
}

gc_status GC_SUF(gc_stft_inverse)(const GC_SUF(gc_stft_plan) *p, const void *coef,
                                   ptrdiff_t n_batch, ptrdiff_t n_frames, ptrdiff_t c_bstride,
                                   ptrdiff_t c_fstride, const GC_REAL *inv_diag, ptrdiff_t offset,
                                   GC_REAL *out, ptrdiff_t n_out, ptrdiff_t out_bstride,
                                   int n_threads) {
    ptrdiff_t span, sb, n_sb;
    gc_status st = GC_OK;
    int nt;
    if (!p || !coef || !inv_diag || !out) return GC_ENULL;
    if (n_batch < 0 || n_frames < 0 || n_out < 0) return GC_EBADSIZE;
    if (n_batch == 0 || n_out == 0) return GC_OK;
    /* Super-blocks of sb frames: two super-blocks of equal parity never write the same sample, so
       each parity runs in parallel and the summation order does not depend on the thread count. */
    span = (p->n_fft + p->hop - 1) / p->hop - 1;
    sb = (span + GC_BLOCK - 1) / GC_BLOCK * GC_BLOCK;
    if (sb < GC_BLOCK) sb = GC_BLOCK;
    n_sb = (n_frames + sb - 1) / sb;
    nt = gc_threads(n_threads, n_batch * (n_sb > 1 ? n_sb : 1));
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        char *mem = (char *)gc_pool_get(p->pool);
        GC_REAL *buf = (GC_REAL *)mem;
        GC_REAL *z = mem ? (GC_REAL *)(mem + p->z_offset) : NULL;
        int ok = mem != NULL, phase;
        ptrdiff_t b, item;
        if (!ok) {
#if GC_OMP
#pragma omp critical(gc_stft_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(static)
#endif
        for (b = 0; b < n_batch; ++b) memset(out + b * out_bstride, 0, (size_t)n_out * sizeof(GC_REAL));
        for (phase = 0; phase < 2; ++phase) {
            ptrdiff_t per_row = (n_sb + 1 - phase) / 2;
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (item = 0; item < n_batch * per_row; ++item) {
                ptrdiff_t row = item / per_row, sbi = 2 * (item % per_row) + phase;
                ptrdiff_t t, t_end = (sbi + 1) * sb;
                const GC_REAL *crow = (const GC_REAL *)coef + 2 * row * c_bstride;
                if (!ok) continue;
                if (t_end > n_frames) t_end = n_frames;
                for (t = sbi * sb; t < t_end; t += GC_BLOCK) {
                    ptrdiff_t nb = t_end - t < GC_BLOCK ? t_end - t : GC_BLOCK;
                    GC_SUF(ola_block)(p, crow, c_fstride, t, nb, buf, z, out + row * out_bstride,
                                      offset, n_out);
                }
            }
        }
#if GC_OMP
#pragma omp for schedule(static)
#endif
        for (b = 0; b < n_batch; ++b) {
            GC_REAL *orow = out + b * out_bstride;
            ptrdiff_t s;
            for (s = 0; s < n_out; ++s) orow[s] *= inv_diag[s];
        }
        gc_pool_put(p->pool, mem);
    }
    return st;
}

/* |X|^power of one frame's spectrum (z, n_freq complex) into pw (n_freq reals). */
static void GC_SUF(power_row)(const GC_REAL *z, ptrdiff_t nf, int kind, GC_REAL power,
                               GC_REAL *pw) {
    ptrdiff_t k;
    for (k = 0; k < nf; ++k) pw[k] = z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1];
    if (kind == GC_OUT_MAGNITUDE) {
        for (k = 0; k < nf; ++k) pw[k] = GC_SQRT(pw[k]);
    } else if (kind == GC_OUT_POW) {
        const GC_REAL half = power / 2;
        for (k = 0; k < nf; ++k) pw[k] = GC_POW(pw[k], half);
    }
}

gc_status GC_SUF(gc_stft_filterbank)(const GC_SUF(gc_stft_plan) *p, const GC_REAL *x,
                                      ptrdiff_t n_batch, ptrdiff_t n_samples, ptrdiff_t x_bstride,
                                      ptrdiff_t pad, int pad_mode, ptrdiff_t n_frames, int kind,
                                      GC_REAL power, const GC_REAL *fb_data,
                                      const ptrdiff_t *fb_start, const ptrdiff_t *fb_offset,
                                      ptrdiff_t n_bands, GC_REAL *out, ptrdiff_t out_bstride,
                                      ptrdiff_t out_fstride, int n_threads) {
    ptrdiff_t total, n_blocks, m;
    gc_status st = GC_OK;
    int nt;
    if (!p || !x || !out || !fb_data || !fb_start || !fb_offset) return GC_ENULL;
    if (n_batch < 0 || n_frames < 0 || n_samples < 1 || pad < 0 || n_bands < 0)
        return GC_EBADSIZE;
    if (pad_mode < GC_PAD_CONSTANT || pad_mode > GC_PAD_WRAP) return GC_EBADARG;
    if (kind < GC_OUT_POWER || kind > GC_OUT_POW) return GC_EBADARG;
    for (m = 0; m < n_bands; ++m) {
        ptrdiff_t len = fb_offset[m + 1] - fb_offset[m];
        if (len < 0 || fb_start[m] < 0 || fb_start[m] + len > p->n_freq) return GC_EBADSIZE;
    }
    total = n_batch * n_frames;
    if (total == 0 || n_bands == 0) return GC_OK;
    n_blocks = (total + GC_BLOCK - 1) / GC_BLOCK;
    nt = gc_threads(n_threads, n_blocks);
    (void)nt;
#if GC_OMP
#pragma omp parallel num_threads(nt)
#endif
    {
        const ptrdiff_t n_fft = p->n_fft, nf = p->n_freq, zd = p->zdist;
        char *mem = (char *)gc_pool_get(p->pool);
        GC_REAL *buf = (GC_REAL *)mem;
        GC_REAL *z = mem ? (GC_REAL *)(mem + p->z_offset) : NULL;
        /* the power row and band block live in the pooled buffer (no per-thread malloc arena);
           only a user filter bank with more bands than bins needs its own allocation */
        const int own = n_bands > nf;
        GC_REAL *pw = mem ? (GC_REAL *)(mem + p->fb_offset) : NULL;
        GC_REAL *mb = own ? (GC_REAL *)malloc((size_t)n_bands * GC_BLOCK * sizeof(GC_REAL))
                          : (mem ? pw + nf : NULL);
        int ok = mem != NULL && mb != NULL;
        ptrdiff_t jb;
        if (ok) {
            memset(buf, 0, (size_t)GC_BLOCK * n_fft * sizeof(GC_REAL));
        } else {
#if GC_OMP
#pragma omp critical(gc_stft_status)
#endif
            st = GC_ENOMEM;
        }
#if GC_OMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (jb = 0; jb < n_blocks; ++jb) {
            ptrdiff_t g0 = jb * GC_BLOCK, nb = total - g0, i, band;
            if (!ok) continue;
            if (nb > GC_BLOCK) nb = GC_BLOCK;
            GC_SUF(analyse_block)(p, x, n_samples, x_bstride, pad, pad_mode, n_frames, g0, nb,
                                  buf, z);
            /* project each frame's power spectrum while it is in cache: the full spectrogram
               is never written */
            for (i = 0; i < nb; ++i) {
                GC_SUF(power_row)(z + 2 * i * zd, nf, kind, power, pw);
                for (band = 0; band < n_bands; ++band) {
                    const GC_REAL *w = fb_data + fb_offset[band];
                    const GC_REAL *v = pw + fb_start[band];
                    ptrdiff_t k, len = fb_offset[band + 1] - fb_offset[band];
                    GC_REAL acc = 0;
                    for (k = 0; k < len; ++k) acc += w[k] * v[k];
                    mb[band * GC_BLOCK + i] = acc;
                }
            }
            for (i = 0; i < nb;) {
                ptrdiff_t g = g0 + i, b = g / n_frames, t = g % n_frames, run = nb - i;
                if (run > n_frames - t) run = n_frames - t;
                for (band = 0; band < n_bands; ++band)
                    memcpy(out + b * out_bstride + band * out_fstride + t, mb + band * GC_BLOCK + i,
                           (size_t)run * sizeof(GC_REAL));
                i += run;
            }
        }
        gc_pool_put(p->pool, mem);
        if (own) free(mb);
    }
    return st;
}
