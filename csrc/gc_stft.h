/* gaborcore: short-time Fourier transform kernels (float and double).

   A plan owns the window, two FFTW plans over a block of GC_BLOCK frames (forward r2c, inverse c2r)
   and a pool of scratch buffers (gc_pool, gc_common.h): each thread of an execute call takes one
   buffer from the pool and returns it, so one plan may be executed from many threads at once.  Making and destroying a plan calls FFTW's planner, which is
   not thread-safe: the caller serialises init/done (the Cython layer holds a lock).

   Forward: frame b, t of the (virtually padded) signal starts at sample t*hop - pad; its n_fft
   samples are multiplied by the window and transformed.  Coefficient k of frame t of signal b is
   written to out + b*out_bstride + k*out_fstride + t (complex: in units of complex numbers).

   Inverse: overlap-add of the windowed inverse FFTs, multiplied by inv_diag (one value per output
   sample: the reciprocal of the frame-operator diagonal), output sample s is padded sample s+offset. */
#ifndef GC_STFT_H
#define GC_STFT_H

#include "gc_common.h"
#include "gc_fftw.h"

typedef struct gc_stft_plan_s gc_stft_plan_s;
typedef struct gc_stft_plan_d gc_stft_plan_d;

gc_status gc_stft_plan_init_s(gc_stft_plan_s **plan, const gc_fftw_api *api, ptrdiff_t n_fft,
                              ptrdiff_t hop, const float *window, unsigned flags);
gc_status gc_stft_forward_s(const gc_stft_plan_s *plan, const float *x, ptrdiff_t n_batch,
                            ptrdiff_t n_samples, ptrdiff_t x_bstride, ptrdiff_t pad, int pad_mode,
                            ptrdiff_t n_frames, int kind, float power, void *out,
                            ptrdiff_t out_bstride, ptrdiff_t out_fstride, int n_threads);
gc_status gc_stft_inverse_s(const gc_stft_plan_s *plan, const void *coef, ptrdiff_t n_batch,
                            ptrdiff_t n_frames, ptrdiff_t c_bstride, ptrdiff_t c_fstride,
                            const float *inv_diag, ptrdiff_t offset, float *out, ptrdiff_t n_out,
                            ptrdiff_t out_bstride, int n_threads);
void gc_stft_plan_done_s(gc_stft_plan_s *plan);
/* Filter-bank projection of |X|^power, fused with the forward transform: per block of frames the
   power spectra are multiplied by the sparse filter bank (band b has weights
   fb_data[fb_offset[b] : fb_offset[b+1]] on the bins starting at fb_start[b]) while in cache.
   Band b of frame t of signal r is written to out + r*out_bstride + b*out_fstride + t.
   kind is GC_OUT_POWER (power 2), GC_OUT_MAGNITUDE (power 1) or GC_OUT_POW. */
gc_status gc_stft_filterbank_s(const gc_stft_plan_s *plan, const float *x, ptrdiff_t n_batch,
                               ptrdiff_t n_samples, ptrdiff_t x_bstride, ptrdiff_t pad,
                               int pad_mode, ptrdiff_t n_frames, int kind, float power,
                               const float *fb_data, const ptrdiff_t *fb_start,
                               const ptrdiff_t *fb_offset, ptrdiff_t n_bands, float *out,
                               ptrdiff_t out_bstride, ptrdiff_t out_fstride, int n_threads);

gc_status gc_stft_plan_init_d(gc_stft_plan_d **plan, const gc_fftw_api *api, ptrdiff_t n_fft,
                              ptrdiff_t hop, const double *window, unsigned flags);
gc_status gc_stft_forward_d(const gc_stft_plan_d *plan, const double *x, ptrdiff_t n_batch,
                            ptrdiff_t n_samples, ptrdiff_t x_bstride, ptrdiff_t pad, int pad_mode,
                            ptrdiff_t n_frames, int kind, double power, void *out,
                            ptrdiff_t out_bstride, ptrdiff_t out_fstride, int n_threads);
gc_status gc_stft_inverse_d(const gc_stft_plan_d *plan, const void *coef, ptrdiff_t n_batch,
                            ptrdiff_t n_frames, ptrdiff_t c_bstride, ptrdiff_t c_fstride,
                            const double *inv_diag, ptrdiff_t offset, double *out, ptrdiff_t n_out,
                            ptrdiff_t out_bstride, int n_threads);
void gc_stft_plan_done_d(gc_stft_plan_d *plan);
gc_status gc_stft_filterbank_d(const gc_stft_plan_d *plan, const double *x, ptrdiff_t n_batch,
                               ptrdiff_t n_samples, ptrdiff_t x_bstride, ptrdiff_t pad,
                               int pad_mode, ptrdiff_t n_frames, int kind, double power,
                               const double *fb_data, const ptrdiff_t *fb_start,
                               const ptrdiff_t *fb_offset, ptrdiff_t n_bands, double *out,
                               ptrdiff_t out_bstride, ptrdiff_t out_fstride, int n_threads);

#endif
