# cython: language_level=3
"""Declarations of the C kernels in csrc/ (all callable without the GIL)."""

cdef extern from "gc_common.h" nogil:
    ctypedef enum gc_status:
        GC_OK
        GC_ENULL
        GC_ENOMEM
        GC_EBADSIZE
        GC_EPLAN
        GC_EBADARG
    int GC_BLOCK
    int GC_OMP

cdef extern from "gc_fftw.h" nogil:
    ctypedef void *gc_fftw_plan
    ctypedef struct gc_fftw_api:
        void *plan_many_r2c_f
        void *plan_many_c2r_f
        void *execute_r2c_f
        void *execute_c2r_f
        void *destroy_plan_f
        void *plan_many_r2c_d
        void *plan_many_c2r_d
        void *execute_r2c_d
        void *execute_c2r_d
        void *destroy_plan_d
    unsigned GC_FFTW_MEASURE
    unsigned GC_FFTW_ESTIMATE

cdef extern from "gc_stft.h" nogil:
    ctypedef struct gc_stft_plan_s:
        pass
    ctypedef struct gc_stft_plan_d:
        pass
    gc_status gc_stft_plan_init_s(gc_stft_plan_s **plan, const gc_fftw_api *api, Py_ssize_t n_fft,
                                  Py_ssize_t hop, const float *window, unsigned flags)
    gc_status gc_stft_forward_s(const gc_stft_plan_s *plan, const float *x, Py_ssize_t n_batch,
                                Py_ssize_t n_samples, Py_ssize_t x_bstride, Py_ssize_t pad,
                                int pad_mode, Py_ssize_t n_frames, int kind, float power, void *out,
                                Py_ssize_t out_bstride, Py_ssize_t out_fstride, int n_threads)
    gc_status gc_stft_inverse_s(const gc_stft_plan_s *plan, const void *coef, Py_ssize_t n_batch,
                                Py_ssize_t n_frames, Py_ssize_t c_bstride, Py_ssize_t c_fstride,
                                const float *inv_diag, Py_ssize_t offset, float *out,
                                Py_ssize_t n_out, Py_ssize_t out_bstride, int n_threads)
    void gc_stft_plan_done_s(gc_stft_plan_s *plan)
    gc_status gc_stft_plan_init_d(gc_stft_plan_d **plan, const gc_fftw_api *api, Py_ssize_t n_fft,
                                  Py_ssize_t hop, const double *window, unsigned flags)
    gc_status gc_stft_forward_d(const gc_stft_plan_d *plan, const double *x, Py_ssize_t n_batch,
                                Py_ssize_t n_samples, Py_ssize_t x_bstride, Py_ssize_t pad,
                                int pad_mode, Py_ssize_t n_frames, int kind, double power,
                                void *out, Py_ssize_t out_bstride, Py_ssize_t out_fstride,
                                int n_threads)
    gc_status gc_stft_inverse_d(const gc_stft_plan_d *plan, const void *coef, Py_ssize_t n_batch,
                                Py_ssize_t n_frames, Py_ssize_t c_bstride, Py_ssize_t c_fstride,
                                const double *inv_diag, Py_ssize_t offset, double *out,
                                Py_ssize_t n_out, Py_ssize_t out_bstride, int n_threads)
    void gc_stft_plan_done_d(gc_stft_plan_d *plan)
    gc_status gc_stft_filterbank_s(const gc_stft_plan_s *plan, const float *x, Py_ssize_t n_batch,
                                   Py_ssize_t n_samples, Py_ssize_t x_bstride, Py_ssize_t pad,
                                   int pad_mode, Py_ssize_t n_frames, int kind, float power,
                                   const float *fb_data, const Py_ssize_t *fb_start,
                                   const Py_ssize_t *fb_offset, Py_ssize_t n_bands, float *out,
                                   Py_ssize_t out_bstride, Py_ssize_t out_fstride, int n_threads)
    gc_status gc_stft_filterbank_d(const gc_stft_plan_d *plan, const double *x,
                                   Py_ssize_t n_batch, Py_ssize_t n_samples, Py_ssize_t x_bstride,
                                   Py_ssize_t pad, int pad_mode, Py_ssize_t n_frames, int kind,
                                   double power, const double *fb_data,
                                   const Py_ssize_t *fb_start, const Py_ssize_t *fb_offset,
                                   Py_ssize_t n_bands, double *out, Py_ssize_t out_bstride,
                                   Py_ssize_t out_fstride, int n_threads)
