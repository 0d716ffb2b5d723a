/* gaborcore: shared definitions of the C kernels (no Python, no NumPy). */
#ifndef GC_COMMON_H
#define GC_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200112L /* posix_memalign under -std=c99 */
#endif

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifndef GC_HAVE_OPENMP
#define GC_HAVE_OPENMP 0
#endif
#if GC_HAVE_OPENMP && defined(_OPENMP)
#include <omp.h>
#define GC_OMP 1
#else
#define GC_OMP 0
#endif

/* Status codes: 0 is success, negatives name the failure. */
typedef enum {
    GC_OK = 0,
    GC_ENULL = -1,     /* a required pointer is NULL */
    GC_ENOMEM = -2,    /* allocation failed */
    GC_EBADSIZE = -3,  /* a size or stride is impossible */
    GC_EPLAN = -4,     /* the FFT library could not make a plan */
    GC_EBADARG = -5    /* an enumerated argument is out of range */
} gc_status;

/* GC_BLOCK, GC_PAD_* and GC_OUT_* have the same values as src/gaborcore/_codes.py (the Python
   side; tests/test_plan_cache.py checks that they agree). */

/* Frames per FFT block: a block of windowed frames stays in L2 cache for n_fft up to a few 1000. */
#define GC_BLOCK 32

/* Boundary handling of the virtual padding (the signal is never copied). */
enum { GC_PAD_CONSTANT = 0, GC_PAD_REFLECT = 1, GC_PAD_WRAP = 2 };

/* What the forward transform writes. */
enum { GC_OUT_COMPLEX = 0, GC_OUT_POWER = 1, GC_OUT_MAGNITUDE = 2, GC_OUT_POW = 3 };

#define GC_ALIGN 64

static inline void *gc_aligned_alloc(size_t nbytes) {
    void *p = NULL;
    if (nbytes == 0) nbytes = GC_ALIGN;
    if (posix_memalign(&p, GC_ALIGN, (nbytes + GC_ALIGN - 1) / GC_ALIGN * GC_ALIGN) != 0) return NULL;
    return p;
}

static inline void gc_aligned_free(void *p) { free(p); }

/* A small pool of equal-sized scratch buffers owned by a plan: execute calls take one per thread
   and give it back, so a loop over a data set allocates (and page-faults) nothing per call.  At
   most GC_POOL_SLOTS buffers are kept; more concurrent users get fresh ones, freed after use. */
#define GC_POOL_SLOTS 8
typedef struct gc_pool {
    void *slots[GC_POOL_SLOTS];
    int n;
    size_t bytes;
#if GC_OMP
    omp_lock_t lock;
#endif
} gc_pool;

static inline gc_pool *gc_pool_new(size_t bytes) {
    gc_pool *pl = (gc_pool *)calloc(1, sizeof *pl);
    if (!pl) return NULL;
    pl->bytes = bytes;
#if GC_OMP
    omp_init_lock(&pl->lock);
#endif
    return pl;
}

/* Without OpenMP there is no lock to guard the pool (several Python threads may execute one
   plan at once), so every call allocates its own buffers. */
static inline void *gc_pool_get(gc_pool *pl) {
    void *m = NULL;
#if !GC_OMP
    return gc_aligned_alloc(pl->bytes);
#endif
#if GC_OMP
    omp_set_lock(&pl->lock);
#endif
    if (pl->n > 0) m = pl->slots[--pl->n];
#if GC_OMP
    omp_unset_lock(&pl->lock);
#endif
    return m ? m : gc_aligned_alloc(pl->bytes);
}

static inline void gc_pool_put(gc_pool *pl, void *m) {
    if (!m) return;
#if !GC_OMP
    gc_aligned_free(m);
    return;
#endif
#if GC_OMP
    omp_set_lock(&pl->lock);
#endif
    if (pl->n < GC_POOL_SLOTS) {
        pl->slots[pl->n++] = m;
        m = NULL;
    }
#if GC_OMP
    omp_unset_lock(&pl->lock);
#endif
    gc_aligned_free(m);
}

static inline void gc_pool_free(gc_pool *pl) {
    int i;
    if (!pl) return;
    for (i = 0; i < pl->n; ++i) gc_aligned_free(pl->slots[i]);
#if GC_OMP
    omp_destroy_lock(&pl->lock);
#endif
    free(pl);
}

/* Map an index of the padded signal onto the signal [0, n) for reflect / wrap padding.
   Handles any distance from the signal (repeated reflections), so callers need no special case. */
static inline ptrdiff_t gc_pad_index(ptrdiff_t i, ptrdiff_t n, int mode) {
    if (mode == GC_PAD_WRAP) {
        ptrdiff_t m = i % n;
        return m < 0 ? m + n : m;
    }
    if (n == 1) return 0;
    {
        ptrdiff_t period = 2 * (n - 1);
        ptrdiff_t m = i % period;
        if (m < 0) m += period;
        return m < n ? m : period - m;
    }
}

/* Work items (blocks of frames) are handed out dynamically: on shared machines a thread that is
   descheduled for a while must not hold up the others.  Every item's result is computed the same
   way whichever thread takes it, so the output does not depend on the schedule or thread count. */
static inline int gc_threads(int requested, ptrdiff_t n_items) {
    int t = requested < 1 ? 1 : requested;
    if ((ptrdiff_t)t > n_items) t = (int)(n_items < 1 ? 1 : n_items);
    return t;
}

#endif
