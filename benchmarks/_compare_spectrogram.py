"""The spectrogram comparisons of ``benchmarks/compare.py``: power (``--tasks stft``) and mel
(``--tasks mel``) spectrograms against librosa, scipy's ShortTimeFFT and the FFT limit.

compare.py's docstring says what every row computes.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _compare_run import Factory, Row, Task, gaborcore_backend, import_module, n_clips

from benchmarks import _signals

N_FFT = 2048
HOP = 512
BLOCK = 32  # frames per FFT block of the FFT limit


def _n_frames(x: np.ndarray) -> int:
    """Frames of a centred STFT of every clip of ``x`` together."""
    return n_clips(x) * (1 + x.shape[-1] // HOP)


def _frames_detail(w: _signals.Workload) -> str:
    return f"{w.n_clips * (1 + w.shape[-1] // HOP)} frames"


# ---- power spectrogram rows -------------------------------------------------------------------


def _gaborcore_plan(backend: str):
    gaborcore = gaborcore_backend(backend)
    return gaborcore.STFT(n_fft=N_FFT, hop_length=HOP, window="hann", center=True)


def gaborcore_out(backend: str) -> Factory:
    """gaborcore power spectrogram into a preallocated array."""

    def make(x, sr, workers):
        plan = _gaborcore_plan(backend)
        out = np.zeros(plan.output_shape(x.shape), x.dtype)
        return lambda: plan.spectrogram(x, out=out, workers=workers, backend=backend)

    return make


def gaborcore_new(backend: str) -> Factory:
    """gaborcore power spectrogram allocating its output."""

    def make(x, sr, workers):
        plan = _gaborcore_plan(backend)
        return lambda: plan.spectrogram(x, workers=workers, backend=backend)

    return make


def librosa_power(x, sr, workers):
    """librosa's power spectrogram as its documentation writes it."""
    librosa = import_module("librosa")
    return lambda: np.abs(librosa.stft(x, n_fft=N_FFT, hop_length=HOP)) ** 2


def scipy_power(x, sr, workers):
    """scipy.signal.ShortTimeFFT.spectrogram on librosa's frames, FFT threads via set_workers."""
    import_module("scipy")
    import scipy.fft
    from scipy.signal import ShortTimeFFT
    from scipy.signal.windows import hann

    stft = ShortTimeFFT(hann(N_FFT, sym=False).astype(x.dtype), hop=HOP, fs=sr)
    p1 = 1 + x.shape[-1] // HOP

    def call():
        with scipy.fft.set_workers(workers):
            return stft.spectrogram(x, p0=0, p1=p1)

    return call


def fft_limit(x, sr, workers):
    """FFTW's in-cache rate: one 32-frame rfft plan per thread, run once per block of x."""
    pyfftw = import_module("pyfftw")
    n_blocks = math.ceil(_n_frames(x) / BLOCK)
    counts = [n_blocks // workers + (i < n_blocks % workers) for i in range(workers)]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    frames = np.asarray(x, np.float32).reshape(-1)[: BLOCK * HOP + N_FFT]
    plans = []
    for _ in range(workers):
        real = pyfftw.empty_aligned((BLOCK, N_FFT), dtype=np.float32)
        spec = pyfftw.empty_aligned((BLOCK, N_FFT // 2 + 1), dtype=np.complex64)
        plan = pyfftw.FFTW(real, spec, axes=(-1,), flags=("FFTW_MEASURE",), threads=1)
        # Planning with FFTW_MEASURE overwrites the arrays: fill them afterwards.
        for k in range(BLOCK):
            real[k] = frames[k * HOP : k * HOP + N_FFT] * window
        plans.append(plan)

    def run(plan, count):
        execute = plan.execute
        for _ in range(count):
            execute()

    if workers == 1:
        return lambda: run(plans[0], counts[0])
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fft-limit")

    def call():
        for job in [pool.submit(run, p, c) for p, c in zip(plans, counts, strict=True)]:
            job.result()

    return call


POWER_SPECTROGRAM = Task(
    title=f"power spectrogram, float32, n_fft {N_FFT}, hop {HOP}, Hann, centred",
    dtype="float32",
    rows=(
        Row("gaborcore[c] out=", gaborcore_out("c"), memory=None),
        Row("gaborcore[c] new", gaborcore_new("c"), memory=gaborcore_new("c")),
        Row("gaborcore[numba] out=", gaborcore_out("numba"), memory=gaborcore_new("numba")),
        Row("gaborcore[numpy] out=", gaborcore_out("numpy"), memory=gaborcore_new("numpy")),
        Row("librosa", librosa_power, workers=(1,), memory=librosa_power),
        Row("scipy ShortTimeFFT", scipy_power, memory=scipy_power),
        Row("FFT limit", fft_limit),
    ),
    baselines=("FFT limit", "librosa"),
    notes=(
        "librosa is single-threaded: measured at 1 thread; '/ librosa' always divides by that.",
        "scipy ShortTimeFFT has no workers argument; its FFTs run under scipy.fft.set_workers.",
        "scipy ShortTimeFFT computes in complex128 and returns float64 (its out is twice as big).",
        "peak/(in+out) of the numba and numpy rows is that of the call without out=.",
    ),
    key="stft",
    detail=_frames_detail,
)


# ---- mel spectrogram rows ---------------------------------------------------------------------

N_MELS = 128


def _mel_plan(backend: str, sr: int):
    gaborcore = gaborcore_backend(backend)
    return gaborcore.MelSpectrogram(sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)


def mel_out(backend: str) -> Factory:
    """gaborcore mel spectrogram into a preallocated array."""

    def make(x, sr, workers):
        plan = _mel_plan(backend, sr)
        out = np.zeros(plan.output_shape(x.shape), x.dtype)
        return lambda: plan(x, out=out, workers=workers, backend=backend)

    return make


def mel_new(backend: str) -> Factory:
    """gaborcore mel spectrogram allocating its output."""

    def make(x, sr, workers):
        plan = _mel_plan(backend, sr)
        return lambda: plan(x, workers=workers, backend=backend)

    return make


def librosa_mel(x, sr, workers):
    """librosa's mel spectrogram with its defaults (power 2, Slaney mel, float32 basis)."""
    librosa = import_module("librosa")
    return lambda: librosa.feature.melspectrogram(
        y=x, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
    )


def _mel_rows() -> tuple[Row, ...]:
    rows = []
    for backend in ("c", "numba", "numpy"):
        rows.append(Row(f"gaborcore[{backend}] out=", mel_out(backend)))
        rows.append(Row(f"gaborcore[{backend}] new", mel_new(backend), memory=mel_new(backend)))
    return (
        *rows,
        Row("librosa", librosa_mel, workers=(1,), memory=librosa_mel),
        Row("FFT limit", fft_limit),
    )


MEL_SPECTROGRAM = Task(
    title=f"mel spectrogram, float32, {N_MELS} bands, n_fft {N_FFT}, hop {HOP}, Hann, centred",
    dtype="float32",
    rows=_mel_rows(),
    baselines=("FFT limit", "librosa"),
    notes=(
        "librosa is single-threaded: measured at 1 thread; '/ librosa' always divides by that.",
        "FFT limit: the power-spectrogram table's row (rfft blocks of 32 frames, in cache).",
    ),
    key="mel",
    detail=_frames_detail,
    memory_target=1.2,
)
