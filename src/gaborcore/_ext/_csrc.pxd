# cython: language_level=3
"""Declarations of the C kernels in csrc/, the one place for them (all callable without the GIL)."""

from libc.stdint cimport int32_t, int64_t

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
    enum:
        GC_PAD_CONSTANT
        GC_PAD_REFLECT
        GC_PAD_WRAP
        GC_OUT_COMPLEX
        GC_OUT_POWER
        GC_OUT_MAGNITUDE
        GC_OUT_POW

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
        const Py_ssize_t *offset
        const int32_t *src
        const int32_t *dst
        const int32_t *t1
        const int32_t *t2
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

cdef extern from "gc_nn.h" nogil:
    enum:
        GC_NN_PAD_ZEROS
        GC_NN_PAD_CIRCULAR
        GC_NN_POOL_MAX
        GC_NN_POOL_AVG
        GC_NN_POOL_LP
        GC_NN_ACT_NONE
        GC_NN_ACT_LOG1P
        GC_NN_ISA_AUTO

    ctypedef struct gc_nn_conv2d_desc:
        Py_ssize_t n_batch, c_in, c_out
        Py_ssize_t in_h, in_w, k_h, k_w
        Py_ssize_t stride_h, stride_w, dil_h, dil_w
        Py_ssize_t pad_top, pad_bottom, pad_left, pad_right
        Py_ssize_t out_h, out_w
        int pad_mode
        int flip

    ctypedef struct gc_nn_pool2d_desc:
        Py_ssize_t n_planes, in_h, in_w, k_h, k_w
        Py_ssize_t stride_h, stride_w, pad_h, pad_w
        Py_ssize_t out_h, out_w
        int kind
        int count_include_pad
        double p

    int gc_nn_isa(int requested)

    gc_status gc_nn_conv2d_s(const gc_nn_conv2d_desc *d, const float *x, const float *w,
                             const float *bias, float *y, int act, float act_param,
                             int n_threads, int isa)
    gc_status gc_nn_conv2d_d(const gc_nn_conv2d_desc *d, const double *x, const double *w,
                             const double *bias, double *y, int act, double act_param,
                             int n_threads, int isa)
    gc_status gc_nn_dense_s(const float *x, Py_ssize_t n_batch, Py_ssize_t n_in, const float *w,
                            Py_ssize_t n_out, const float *bias, float *y, int act,
                            float act_param, int n_threads, int isa)
    gc_status gc_nn_dense_d(const double *x, Py_ssize_t n_batch, Py_ssize_t n_in,
                            const double *w, Py_ssize_t n_out, const double *bias, double *y,
                            int act, double act_param, int n_threads, int isa)
    gc_status gc_nn_pool2d_s(const gc_nn_pool2d_desc *d, const float *x, float *y,
                             int n_threads, int isa)
    gc_status gc_nn_pool2d_d(const gc_nn_pool2d_desc *d, const double *x, double *y,
                             int n_threads, int isa)
    gc_status gc_nn_activation_s(const float *x, float *y, Py_ssize_t n, int act,
                                 float act_param, int n_threads, int isa)
    gc_status gc_nn_activation_d(const double *x, double *y, Py_ssize_t n, int act,
                                 double act_param, int n_threads, int isa)

cdef extern from "gc_wav.h" nogil:
    enum:
        GC_WAV_I16
        GC_WAV_I32
        GC_WAV_F32
        GC_WAV_F64
        GC_WAV_DONE
        GC_WAV_OTHER
    ctypedef struct gc_wav_layout:
        int64_t sr, channels, sample, data_offset, frames, container
    int gc_wav_row_s(const char *path, int64_t sr, int64_t max_channels, float *row, int64_t n,
                     gc_wav_layout *layout)
    int gc_wav_row_d(const char *path, int64_t sr, int64_t max_channels, double *row, int64_t n,
                     gc_wav_layout *layout)
