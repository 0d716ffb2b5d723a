/* gaborcore: STFT kernels; one source for both precisions (gc_stft_impl.h included twice). */
#include "gc_stft.h" /* first: gc_common.h sets _POSIX_C_SOURCE before any libc header */

#include <math.h>

#define GC_REAL float
#define GC_SUF(name) name##_s
#define GC_API_SUF(name) name##_f
#define GC_SQRT sqrtf
#define GC_POW powf
#include "gc_stft_impl.h"
#undef GC_REAL
#undef GC_SUF
#undef GC_API_SUF
#undef GC_SQRT
#undef GC_POW

#define GC_REAL double
#define GC_SUF(name) name##_d
#define GC_API_SUF(name) name##_d
#define GC_SQRT sqrt
#define GC_POW pow
#include "gc_stft_impl.h"
