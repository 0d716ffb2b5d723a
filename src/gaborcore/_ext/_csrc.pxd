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
    ctypedef void *gc_plan_many_r2c_f
    ctypedef void *gc_plan_many_c2r_f
    ctypedef void *gc_execute_r2c_f
    ctypedef void *gc_execute_c2r_f
    ctypedef void *gc_plan_many_r2c_d
    ctypedef void *gc_plan_many_c2r_d
    ctypedef void *gc_execute_r2c_d
    ctypedef void *gc_execute_c2r_d
    ctypedef void *gc_destroy_plan_t
    ctypedef void *gc_plan_many_dft_t
    ctypedef void *gc_execute_dft_t
    ctypedef struct gc_fftw_api:
        gc_plan_many_r2c_f plan_many_r2c_f
        gc_plan_many_c2r_f plan_many_c2r_f
        gc_execute_r2c_f execute_r2c_f
        gc_execute_c2r_f execute_c2r_f
        gc_destroy_plan_t destroy_plan_f
        gc_plan_many_r2c_d plan_many_r2c_d
        gc_plan_many_c2r_d plan_many_c2r_d
        gc_execute_r2c_d execute_r2c_d
        gc_execute_c2r_d execute_c2r_d
        gc_destroy_plan_t destroy_plan_d
        gc_plan_many_dft_t plan_many_dft_f
        gc_execute_dft_t execute_dft_f
        gc_plan_many_dft_t plan_many_dft_d
        gc_execute_dft_t execute_dft_d
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

cdef extern from "gc_nsgt.h" nogil:
    ctypedef struct gc_nsgt_tables:
        Py_ssize_t n_groups
        const Py_ssize_t *grp_M
        const Py_ssize_t *grp_band
        const Py_ssize_t *grp_item
        const Py_ssize_t *src
        const Py_ssize_t *dst
        const Py_ssize_t *t1
        const Py_ssize_t *t2
        const Py_ssize_t *offset
        const unsigned char *conj
        const void *w
        const void *dual
    ctypedef struct gc_nsgt_plan_s:
        pass
    ctypedef struct gc_nsgt_plan_d:
        pass
    gc_status gc_nsgt_plan_init_s(gc_nsgt_plan_s **plan, const gc_fftw_api *api, Py_ssize_t L,
                                  int real, Py_ssize_t total, const gc_nsgt_tables *tables,
                                  unsigned flags)
    gc_status gc_nsgt_forward_s(const gc_nsgt_plan_s *plan, const float *x, Py_ssize_t n_batch,
                                Py_ssize_t x_bstride, float *out, Py_ssize_t out_bstride,
                                int n_threads)
    gc_status gc_nsgt_inverse_s(const gc_nsgt_plan_s *plan, const float *coef,
                                Py_ssize_t n_batch, Py_ssize_t c_bstride, float *out,
                                Py_ssize_t out_bstride, int n_threads)
    void gc_nsgt_plan_done_s(gc_nsgt_plan_s *plan)
    gc_status gc_nsgt_plan_init_d(gc_nsgt_plan_d **plan, const gc_fftw_api *api, Py_ssize_t L,
                                  int real, Py_ssize_t total, const gc_nsgt_tables *tables,
                                  unsigned flags)
    gc_status gc_nsgt_forward_d(const gc_nsgt_plan_d *plan, const double *x, Py_ssize_t n_batch,
                                Py_ssize_t x_bstride, double *out, Py_ssize_t out_bstride,
                                int n_threads)
    gc_status gc_nsgt_inverse_d(const gc_nsgt_plan_d *plan, const double *coef,
                                Py_ssize_t n_batch, Py_ssize_t c_bstride, double *out,
                                Py_ssize_t out_bstride, int n_threads)
    void gc_nsgt_plan_done_d(gc_nsgt_plan_d *plan)
