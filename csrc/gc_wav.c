/* gaborcore: plain WAV files decoded straight into rows of a batch (see gc_wav.h). */
#define _POSIX_C_SOURCE 200809L /* pread, O_CLOEXEC */

#include "gc_wav.h"

#include <float.h>
#include <math.h>
#include <string.h>

#if !defined(_WIN32) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GC_WAV_NATIVE 1
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#define GC_WAV_NATIVE 0 /* big-endian or Windows: every file goes to the general reader */
#endif

#define HEAD 4096          /* bytes read first: the header of nearly every file */
#define MAX_CHUNKS 1000    /* chunks walked before giving up */
#define MAX_CHANNELS 1024  /* libsndfile's limit */
#define BLOCK_BYTES 32768  /* raw samples read per system call */

static const unsigned char WAVEX_GUID_TAIL[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                  0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};
/* Top-level chunks the general reader (libsndfile) interprets or may refuse; "fmt ", "data",
 * "fact" and "PEAK" are checked one by one, "LIST" is left to the general reader here. */
static const char *const SPECIAL[] = {"RIFF", "RIFX", "LIST", "INFO", "cue ", "smpl",
                                      "acid", "bext", "cart"};

static uint32_t u32(const unsigned char *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static unsigned u16(const unsigned char *b) { return (unsigned)b[0] | (unsigned)b[1] << 8; }

#if GC_WAV_NATIVE

/* Read ``n`` bytes at ``pos`` (fewer only at the end of the file); -1 on an error. */
static int64_t read_at(int fd, void *buf, int64_t n, int64_t pos) {
    int64_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, (char *)buf + got, (size_t)(n - got), (off_t)(pos + got));
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (k == 0) break;
        got += k;
    }
    return got;
}

/* Parse a "fmt " chunk's first min(size, 40) bytes; 0 when taken. */
static int parse_fmt(const unsigned char *b, uint32_t size, gc_wav_layout *L) {
    unsigned tag = u16(b), channels = u16(b + 2), align = u16(b + 12), bits = u16(b + 14);
    uint32_t sr = u32(b + 4);
    int64_t itemsize;
    L->container = 0;
    if (tag == 0xFFFE) { /* WAVE_FORMAT_EXTENSIBLE: the format tag is in the subformat GUID */
        if (size < 40 || memcmp(b + 26, WAVEX_GUID_TAIL, 14) != 0) return 1;
        tag = u16(b + 24);
        L->container = 1;
    }
    if (tag == 1 && bits == 16) L->sample = GC_WAV_I16, itemsize = 2;
    else if (tag == 1 && bits == 32) L->sample = GC_WAV_I32, itemsize = 4;
    else if (tag == 3 && bits == 32) L->sample = GC_WAV_F32, itemsize = 4;
    else if (tag == 3 && bits == 64) L->sample = GC_WAV_F64, itemsize = 8;
    else return 1;
    if (channels < 1 || channels > MAX_CHANNELS || sr < 1 || sr >= (uint32_t)1 << 31
        || align != channels * itemsize)
        return 1;
    L->sr = sr;
    L->channels = channels;
    return 0;
}

/* Walk the chunks of the open file as gaborcore.io._wav_layout does; 0 when it is plain. */
static int parse_layout(int fd, gc_wav_layout *L) {
    unsigned char head[HEAD], b[40];
    int64_t got = read_at(fd, head, HEAD, 0), size, pos = 12;
    int have_fmt = 0, have_data = 0, k;
    if (got < 12 || memcmp(head, "RIFF", 4) != 0 || memcmp(head + 8, "WAVE", 4) != 0) return 1;
    if (got < HEAD) {
        size = got;
    } else {
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 1;
        size = (int64_t)st.st_size;
    }
    for (k = 0; k < MAX_CHUNKS; k++) {
        const unsigned char *p;
        uint32_t n;
        int64_t body, end;
        size_t i;
        if (pos == size) return have_data ? 0 : 1;
        if (size - pos < 8) return 1;
        if (pos + 8 <= got) {
            p = head + pos;
        } else {
            if (read_at(fd, b, 8, pos) != 8) return 1;
            p = b;
        }
        n = u32(p + 4);
        body = pos + 8;
        if (memcmp(p, "data", 4) == 0) {
            unsigned char magic[4];
            int64_t align;
            if (!have_fmt || have_data) return 1;
            align = L->channels * (L->sample == GC_WAV_I16 ? 2 : L->sample == GC_WAV_F64 ? 8 : 4);
            if (n == 0 || (int64_t)n > size - body || n % align) return 1;
            if (read_at(fd, magic, 4, body) == 4
                && (memcmp(magic, "wvpk", 4) == 0 || memcmp(magic, "OggS", 4) == 0))
                return 1;
            L->data_offset = body;
            L->frames = n / align;
            have_data = 1;
            pos = body + n;
            continue;
        }
        end = body + n + (n & 1);
        if (end > size || n >= 0xFFFF0000u) return 1;
        if (memcmp(p, "fmt ", 4) == 0) {
            int64_t m = n < 40 ? n : 40;
            if (have_fmt || n < 16) return 1;
            if (body + m <= got) memcpy(b, head + body, (size_t)m);
            else if (read_at(fd, b, m, body) != m) return 1;
            if (parse_fmt(b, n, L) != 0) return 1;
            have_fmt = 1;
        } else if (memcmp(p, "fact", 4) == 0) {
            if (n < 4) return 1;
        } else if (memcmp(p, "PEAK", 4) == 0) {
            if (!have_fmt || n != 8 + 8 * (uint32_t)L->channels) return 1;
        } else {
            if (memcmp(p, "TAG", 3) == 0) return 1;
            for (i = 0; i < sizeof SPECIAL / sizeof *SPECIAL; i++)
                if (memcmp(p, SPECIAL[i], 4) == 0) return 1;
            for (i = 0; i < 4; i++)
                if (p[i] < 32 || p[i] >= 127) return 1;
        }
        pos = end;
    }
    return 1;
}

#endif /* GC_WAV_NATIVE */

/* The conversions, once per output type T: raw little-endian samples -> T, mixed to mono.
 * FITS(x): whether a finite double converts to T without overflow. */
#define GC_WAV_CONVERT(NAME, T, FITS)                                                           \
    static int NAME(const unsigned char *src, int64_t m, int64_t ch, int64_t sample, T *dst) {  \
        int64_t i, c;                                                                           \
        T v[2];                                                                                 \
        if (sample == GC_WAV_I16 && ch == 1) { /* the common case, as a loop that vectorises */ \
            for (i = 0; i < m; i++) {                                                           \
                int16_t x;                                                                      \
                memcpy(&x, src + 2 * i, 2);                                                     \
                dst[i] = (T)x * (T)(1.0 / 32768.0);                                             \
            }                                                                                   \
            return 0;                                                                           \
        }                                                                                       \
        for (i = 0; i < m; i++) {                                                               \
            for (c = 0; c < ch; c++) {                                                          \
                const unsigned char *s = src + (i * ch + c) * (sample == GC_WAV_I16 ? 2         \
                                                   : sample == GC_WAV_F64 ? 8 : 4);              \
                if (sample == GC_WAV_I16) {                                                     \
                    int16_t x;                                                                  \
                    memcpy(&x, s, 2);                                                           \
                    v[c] = (T)x * (T)(1.0 / 32768.0);                                           \
                } else if (sample == GC_WAV_I32) {                                              \
                    int32_t x;                                                                  \
                    memcpy(&x, s, 4);                                                           \
                    v[c] = (T)x * (T)(1.0 / 2147483648.0);                                      \
                } else if (sample == GC_WAV_F32) {                                              \
                    float x;                                                                    \
                    memcpy(&x, s, 4);                                                           \
                    if (!isfinite(x)) return 1;                                                 \
                    v[c] = (T)x;                                                                \
                } else {                                                                        \
                    double x;                                                                   \
                    memcpy(&x, s, 8);                                                           \
                    if (!isfinite(x) || !FITS(x)) return 1;                                     \
                    v[c] = (T)x;                                                                \
                }                                                                               \
            }                                                                                   \
            dst[i] = ch == 1 ? v[0] : (v[0] + v[1]) / (T)2;                                     \
            if (sample >= GC_WAV_F32 && !isfinite(dst[i])) return 1; /* a mean that overflows */ \
        }                                                                                       \
        return 0;                                                                               \
    }

#define GC_FITS_FLOAT(x) (fabs(x) <= FLT_MAX) /* larger: inf in NumPy, an error; left to it */
#define GC_FITS_DOUBLE(x) 1
GC_WAV_CONVERT(convert_s, float, GC_FITS_FLOAT)
GC_WAV_CONVERT(convert_d, double, GC_FITS_DOUBLE)

#define GC_WAV_ROW(NAME, T, CONVERT)                                                      \
    int NAME(const char *path, int64_t sr, int64_t max_channels, T *row, int64_t n,            \
             gc_wav_layout *L) {                                                                \
        memset(L, 0, sizeof *L);                                                                \
        if (!GC_WAV_NATIVE || path == NULL || row == NULL || n < 1) return GC_WAV_OTHER;        \
        {                                                                                       \
            GC_WAV_BODY(T, CONVERT)                                                             \
        }                                                                                       \
    }

#if GC_WAV_NATIVE
#define GC_WAV_BODY(T, CONVERT)                                                           \
    double block[BLOCK_BYTES / sizeof(double)];                                                 \
    unsigned char *raw = (unsigned char *)block;                                                \
    int64_t itemsize, align, per, done = 0, pos;                                                \
    int status = GC_WAV_OTHER, fd = open(path, O_RDONLY | O_CLOEXEC);                           \
    if (fd < 0) return GC_WAV_OTHER;                                                            \
    if (parse_layout(fd, L) != 0 || (sr > 0 && L->sr != sr) || L->channels > max_channels     \
        || L->channels > 2 || L->frames > n)                                                    \
        goto out;                                                                               \
    itemsize = L->sample == GC_WAV_I16 ? 2 : L->sample == GC_WAV_F64 ? 8 : 4;                   \
    align = itemsize * L->channels;                                                             \
    per = BLOCK_BYTES / align;                                                                  \
    pos = L->data_offset;                                                                       \
    while (done < L->frames) {                                                                  \
        int64_t m = L->frames - done < per ? L->frames - done : per;                            \
        if (read_at(fd, raw, m * align, pos) != m * align) goto out; /* shorter than said */    \
        if (CONVERT(raw, m, L->channels, L->sample, row + done) != 0)                           \
            goto out;                                                                           \
        done += m;                                                                              \
        pos += m * align;                                                                       \
    }                                                                                           \
    if (n > done) memset(row + done, 0, (size_t)(n - done) * sizeof(T));                        \
    status = GC_WAV_DONE;                                                                       \
    out:                                                                                        \
    close(fd);                                                                                  \
    return status;
#else
#define GC_WAV_BODY(T, CONVERT) return GC_WAV_OTHER;
#endif

GC_WAV_ROW(gc_wav_row_s, float, convert_s)
GC_WAV_ROW(gc_wav_row_d, double, convert_d)
