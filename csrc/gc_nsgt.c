/* gaborcore: NSGT kernels; one source for both precisions (gc_nsgt_plan_impl.h, the plan,
   gc_nsgt_bigfft_impl.h and gc_nsgt_bigifft_impl.h, the whole-signal FFT and the synthesis
   tail in shared pieces, and gc_nsgt_impl.h, the execution, included twice). */
#include "gc_nsgt.h" /* first: gc_common.h sets _POSIX_C_SOURCE before any libc header */

#define GC_REAL float
#define GC_SUF(name) name##_s
#define GC_API_SUF(name) name##_f
#include "gc_nsgt_plan_impl.h"
#include "gc_nsgt_bigfft_impl.h"
#include "gc_nsgt_bigifft_impl.h"
#include "gc_nsgt_impl.h"
#undef GC_REAL
#undef GC_SUF
#undef GC_API_SUF

#define GC_REAL double
#define GC_SUF(name) name##_d
#define GC_API_SUF(name) name##_d
#include "gc_nsgt_plan_impl.h"
#include "gc_nsgt_bigfft_impl.h"
#include "gc_nsgt_bigifft_impl.h"
#include "gc_nsgt_impl.h"
