/* gaborcore: the few FFTW entry points the kernels use, as a table of function pointers.

   pyFFTW's wheels bundle libfftw3 / libfftw3f but no fftw3.h; the Python layer resolves these
   symbols from the library pyFFTW has loaded (dlopen RTLD_NOLOAD + dlsym) and hands the table in.
   The prototypes below restate FFTW's documented C API with opaque plan and complex pointers. */
#ifndef GC_FFTW_H
#define GC_FFTW_H

typedef void *gc_fftw_plan;

typedef gc_fftw_plan (*gc_plan_many_r2c_f)(int rank, const int *n, int howmany, float *in,
                                            const int *inembed, int istride, int idist, void *out,
                                            const int *onembed, int ostride, int odist,
                                            unsigned flags);
typedef gc_fftw_plan (*gc_plan_many_c2r_f)(int rank, const int *n, int howmany, void *in,
                                            const int *inembed, int istride, int idist, float *out,
                                            const int *onembed, int ostride, int odist,
                                            unsigned flags);
typedef void (*gc_execute_r2c_f)(const gc_fftw_plan p, float *in, void *out);
typedef void (*gc_execute_c2r_f)(const gc_fftw_plan p, void *in, float *out);

typedef gc_fftw_plan (*gc_plan_many_r2c_d)(int rank, const int *n, int howmany, double *in,
                                            const int *inembed, int istride, int idist, void *out,
                                            const int *onembed, int ostride, int odist,
                                            unsigned flags);
typedef gc_fftw_plan (*gc_plan_many_c2r_d)(int rank, const int *n, int howmany, void *in,
                                            const int *inembed, int istride, int idist, double *out,
                                            const int *onembed, int ostride, int odist,
                                            unsigned flags);
typedef void (*gc_execute_r2c_d)(const gc_fftw_plan p, double *in, void *out);
typedef void (*gc_execute_c2r_d)(const gc_fftw_plan p, void *in, double *out);
typedef void (*gc_destroy_plan_t)(gc_fftw_plan p);
typedef gc_fftw_plan (*gc_plan_many_dft_t)(int rank, const int *n, int howmany, void *in,
                                           const int *inembed, int istride, int idist, void *out,
                                           const int *onembed, int ostride, int odist, int sign,
                                           unsigned flags);
typedef void (*gc_execute_dft_t)(const gc_fftw_plan p, void *in, void *out);

typedef struct gc_fftw_api {
    gc_plan_many_r2c_f plan_many_r2c_f;
    gc_plan_many_c2r_f plan_many_c2r_f;
    gc_execute_r2c_f execute_r2c_f;
    gc_execute_c2r_f execute_c2r_f;
    gc_destroy_plan_t destroy_plan_f;
    gc_plan_many_r2c_d plan_many_r2c_d;
    gc_plan_many_c2r_d plan_many_c2r_d;
    gc_execute_r2c_d execute_r2c_d;
    gc_execute_c2r_d execute_c2r_d;
    gc_destroy_plan_t destroy_plan_d;
    gc_plan_many_dft_t plan_many_dft_f;
    gc_execute_dft_t execute_dft_f;
    gc_plan_many_dft_t plan_many_dft_d;
    gc_execute_dft_t execute_dft_d;
} gc_fftw_api;

#define GC_FFTW_FORWARD (-1)
#define GC_FFTW_BACKWARD (+1)

/* FFTW planner flags (values from FFTW's documented API). */
#define GC_FFTW_MEASURE (0U)
#define GC_FFTW_DESTROY_INPUT (1U << 0)
#define GC_FFTW_ESTIMATE (1U << 6)

#endif
