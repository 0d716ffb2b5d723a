/* gaborcore: non-stationary Gabor transform kernels (float and double).

   The plan is described by flat tables made by the Python layer (nsgt.py), grouped by equal
   number of coefficients M (one batched FFTW plan per group):

     group g: M = grp_M[g], bands grp_band[g] .. grp_band[g+1]-1, support entries
              grp_item[g] .. grp_item[g+1]-1
     entry i: src[i]   bin of the signal's spectrum (0..L/2 for real plans, 0..L-1 otherwise)
              conj[i]  take the conjugate of that bin (real plans: bins beyond L/2)
              dst[i]   position in the group's (n_bands, M) buffer: band_in_group * M + (j - j_k) mod M
              w[i]     analysis weight conj(G_k[j])
              t1[i], t2[i], dual[i]   synthesis: dual[i] * V is added to spectrum bin t1[i] and
                       conj(dual[i] * V) to bin t2[i] (-1: none) -- this folds the implied mirror
                       bands of real plans into the half spectrum
     band b:  offset[b] start of its M coefficients in the coefficient buffer

   The tables are owned by the caller and must outlive the plan.  Coefficients are
   c_k[n] = sum_j F[j] w_k[j] exp(+2 pi i n (j - j_k) / M_k) (unnormalised inverse DFT). */
#ifndef GC_NSGT_H
#define GC_NSGT_H

#include "gc_common.h" /* first: it sets _POSIX_C_SOURCE before any libc header */
#include <stdint.h>
#include "gc_fftw.h"

typedef struct gc_nsgt_tables_s {
    ptrdiff_t n_groups;
    const ptrdiff_t *grp_M, *grp_band, *grp_item;
    const ptrdiff_t *offset;
    /* per support entry: 32-bit indices (L and every group buffer stay below 2^31), so the
       gather and scatter loops read 13 bytes per entry instead of 21 */
    const int32_t *src, *dst, *t1, *t2;
    const unsigned char *conj;
    const void *w, *dual; /* float or double, as the plan */
} gc_nsgt_tables;

typedef struct gc_nsgt_plan_s gc_nsgt_plan_s;
typedef struct gc_nsgt_plan_d gc_nsgt_plan_d;

gc_status gc_nsgt_plan_init_s(gc_nsgt_plan_s **plan, const gc_fftw_api *api, ptrdiff_t L,
                              int real, ptrdiff_t total, const gc_nsgt_tables *tables,
                              unsigned flags);
gc_status gc_nsgt_forward_s(const gc_nsgt_plan_s *plan, const float *x, ptrdiff_t n_batch,
                            ptrdiff_t x_bstride, float *out, ptrdiff_t out_bstride, int n_threads);
gc_status gc_nsgt_inverse_s(const gc_nsgt_plan_s *plan, const float *coef, ptrdiff_t n_batch,
                            ptrdiff_t c_bstride, float *out, ptrdiff_t out_bstride, int n_threads);
void gc_nsgt_plan_done_s(gc_nsgt_plan_s *plan);

gc_status gc_nsgt_plan_init_d(gc_nsgt_plan_d **plan, const gc_fftw_api *api, ptrdiff_t L,
                              int real, ptrdiff_t total, const gc_nsgt_tables *tables,
                              unsigned flags);
gc_status gc_nsgt_forward_d(const gc_nsgt_plan_d *plan, const double *x, ptrdiff_t n_batch,
                            ptrdiff_t x_bstride, double *out, ptrdiff_t out_bstride,
                            int n_threads);
gc_status gc_nsgt_inverse_d(const gc_nsgt_plan_d *plan, const double *coef, ptrdiff_t n_batch,
                            ptrdiff_t c_bstride, double *out, ptrdiff_t out_bstride,
                            int n_threads);
void gc_nsgt_plan_done_d(gc_nsgt_plan_d *plan);

#endif
