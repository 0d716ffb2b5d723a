/* gaborcore: plain WAV files decoded straight into rows of a batch, without the GIL.
 *
 * Only the plainest files are taken: RIFF/WAVE with one "fmt " chunk of PCM-16, PCM-32, IEEE
 * float 32 or 64 (plain or WAVE_FORMAT_EXTENSIBLE with the standard subformat GUID), one "data"
 * chunk and nothing after the last chunk, walked exactly as gaborcore.io's Python reader walks
 * them.  Anything else -- and anything doubtful: a short read, a NaN, a rate or a channel count
 * the caller does not take -- is answered GC_WAV_OTHER, and the caller reads the file with its
 * general (Python) reader, which gives the same samples or says what is wrong with the file.
 */
#ifndef GC_WAV_H
#define GC_WAV_H

#include <stdint.h>

/* Sample types of a file's data chunk. */
enum { GC_WAV_I16 = 0, GC_WAV_I32 = 1, GC_WAV_F32 = 2, GC_WAV_F64 = 3 };

/* What gc_wav_row_{s,d} did with a file. */
enum {
    GC_WAV_DONE = 0,  /* decoded into the row, zeros after its frames */
    GC_WAV_OTHER = 1  /* not taken: the caller reads it its own way */
};

typedef struct {
    int64_t sr, channels, sample; /* sample: GC_WAV_I16 ... GC_WAV_F64 */
    int64_t data_offset, frames;
    int64_t container;            /* 0: WAV, 1: WAVEX (WAVE_FORMAT_EXTENSIBLE) */
} gc_wav_layout;

/* Decode the file at ``path``: its samples, mixed down to mono (the mean of 1 or 2 channels, as
 * NumPy's mean in the output type gives it), into ``row[0 .. frames)`` and zeros after them.
 * Integer PCM is scaled by 2**-(bits - 1) after its conversion to the output type; float samples
 * are converted.  Taken only when the file's rate is ``sr`` (any rate when sr <= 0), it has at
 * most ``max_channels`` channels, 1 <= frames <= n and every sample (and every mean of two) is
 * finite: a row taken is finite throughout.  ``layout``
 * receives what was read of the header (also when the file is not taken, as far as known). */
int gc_wav_row_s(const char *path, int64_t sr, int64_t max_channels, float *row, int64_t n,
                 gc_wav_layout *layout);
int gc_wav_row_d(const char *path, int64_t sr, int64_t max_channels, double *row, int64_t n,
                 gc_wav_layout *layout);

#endif
