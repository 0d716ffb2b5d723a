"""The built-in demo job: a small synthetic, labelled data set through the extraction job.

``gaborcore demo`` (or :func:`run_demo`) runs, end to end, what ``gaborcore extract`` does on
real audio (:func:`gaborcore.extract.extract`), on data that needs no download:

1. synthesise ``n_signals`` clips deterministically from a seed (damped harmonic notes at four
   pitches, exponential chirps up and down, band-limited noise bursts), each with a label;
2. write every clip as a 16-bit PCM WAV file (soundfile) and the labels as ``labels.csv``;
3. extract float32 power spectrograms (``"stft"``: ``n_fft=1024``, ``hop_length=256``, Hann) and
   mel spectrograms (``"mel"``: 128 Slaney mel bands on the same STFT) of the WAV files into the
   Zarr store ``features.zarr``, one clip per file, with the progress bar, and add the labels to
   it;
4. draw six examples in ``spectrograms.png``, each as a dB spectrogram above its log-mel
   spectrogram (only when matplotlib is installed).

Layout of the output directory::

    audio/0000_note_A3.wav ...   one mono 16-bit WAV per clip
    labels.csv                   index, file, label, kind, f0_hz, f1_hz, onset_s
    features.zarr                the store of gaborcore.extract ("clips" layout): stft
                                 (n_signals, 513, n_frames) float32, mel (n_signals, 128,
                                 n_frames) float32, files, status, id, label, ...
    spectrograms.png             six examples: dB spectrogram above log-mel spectrogram

In ``labels.csv``, ``f0_hz`` / ``f1_hz`` are the pitch (twice) for a note, the start and end
frequency of a chirp and the band edges of a noise burst; ``onset_s`` is when the sound starts.
"""

from __future__ import annotations

import errno
import os
import time
import warnings
from pathlib import Path

import zarr

from .. import _backend
from ..extract import Entries, ExtractConfig, extract
from ..filterbanks import EmptyFilterWarning
from ._plot import plot_examples
from ._synth import KINDS as KINDS
from ._synth import LABELS, Clip, DemoConfig, synthesize, write_labels, write_wav
from ._synth import NOTE_PITCHES as NOTE_PITCHES
from ._synth import VARIANTS as VARIANTS

__all__ = ["DemoConfig", "Clip", "synthesize", "run_demo", "write_wav", "LABELS"]


def _features(config: DemoConfig) -> dict:
    """The demo's features for :func:`gaborcore.extract.extract`."""
    lattice = {"n_fft": config.n_fft, "hop_length": config.hop_length, "window": config.window}
    return {"stft": dict(lattice), "mel": {**lattice, "n_mels": config.n_mels}}


def _extract_config(config: DemoConfig) -> tuple[ExtractConfig, list[str]]:
    """The extraction's configuration (checked, plans made) and notes: a
    :class:`~gaborcore.EmptyFilterWarning` becomes one."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EmptyFilterWarning)
        cfg = ExtractConfig.build(_features(config), sr=config.sr, clip=config.duration)
    notes = []
    for w in caught:
        if issubclass(w.category, EmptyFilterWarning):
            notes.append(f"mel: {w.message}")
        else:
            warnings.warn(w.message, w.category, stacklevel=3)
    return cfg, notes


# ---- the job ---------------------------------------------------------------------------------

def run_demo(out_dir: str | os.PathLike, *, n_signals: int = 24, sr: int = 22050,
             duration: float = 3.0, workers: int | None = None, backend: str | None = None,
             plot: bool = True, progress: bool = True, seed: int = 0, n_mels: int = 128,
             batch_size: int = 8) -> dict:
    """Synthesise the demo data set as WAV files, extract its features into a Zarr store.

    Parameters
    ----------
    out_dir : str or path-like
        Output directory, created if needed; existing demo files in it (the store included) are
        overwritten.
    n_signals : int
        Number of clips (classes balanced over :data:`LABELS`).
    sr : int
        Sampling rate in Hz (at least 8000).
    duration : float
        Seconds per clip.
    workers : int, optional
        Threads of the extraction (files in parallel); ``None`` uses the
        :func:`gaborcore.set_workers` default, negative values count back from the number of CPUs.
    backend : {"auto", "c", "numba", "numpy"}, optional
        Transform backend; default: the ``set_backend`` context, ``GABORCORE_BACKEND``, else auto.
    plot : bool
        Write ``spectrograms.png`` (skipped with a note when matplotlib is not installed).
    progress : bool
        Show the progress bar and print notes and the summary; ``False`` runs silently.
    seed : int
        Seed of the synthesis.
    n_mels : int
        Bands of the mel spectrograms.
    batch_size : int
        Files per extraction task.

    Returns
    -------
    dict
        ``out_dir``, ``files`` (every path written; the store counts as one), ``audio_files``,
        ``labels_csv``, ``store``, ``png`` (``None`` when not drawn), ``n_signals``, ``labels``,
        ``shape`` (of the store's ``stft`` array), ``mel_shape`` (of its ``mel`` array),
        ``backend``, ``workers``, ``audio_seconds``, ``audio_seconds_per_second`` (of the
        extraction: decoding, features and writing), ``decode_share`` (of the workers' time),
        ``report`` (the :class:`gaborcore.extract.ExtractReport`), ``elapsed_seconds`` (the whole
        job) and ``notes``.

    Raises
    ------
    gaborcore.ParameterError
        A bad argument.
    RuntimeError
        The requested backend is not available.
    OSError
        ``out_dir`` cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> from gaborcore.demo import run_demo
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = run_demo(d, n_signals=3, duration=0.5, plot=False, progress=False)
    >>> result["shape"], result["mel_shape"], result["labels"]
    ((3, 513, 44), (3, 128, 44), ['note_A3', 'chirp_up', 'noise_low'])
    """
    start = time.perf_counter()
    config = DemoConfig(n_signals=n_signals, sr=sr, duration=duration, seed=seed,
                        n_mels=n_mels, batch_size=batch_size)
    backend_name = _backend.resolve_backend(backend)
    n_workers = _backend.resolve_workers(workers)
    extract_config, notes = _extract_config(config)  # every argument checked before writing
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out))
    out.mkdir(parents=True, exist_ok=True)
    (out / "audio").mkdir(exist_ok=True)

    clips = synthesize(config)
    audio_files = []
    for c in clips:
        write_wav(out / c.filename, c.y, config.sr)
        audio_files.append(out / c.filename)
    labels_csv = out / "labels.csv"
    write_labels(labels_csv, clips)

    store = out / "features.zarr"
    entries = Entries([os.path.abspath(p) for p in audio_files],
                      {"id": [str(c.index) for c in clips], "label": [c.label for c in clips]})
    report = extract(entries, store=store, config=extract_config, workers=n_workers,
                             backend=backend_name, batch_size=config.batch_size,
                             overwrite=True, progress=progress)
    if report.failures:
        path, reason = report.failures[0]
        raise RuntimeError(f"the demo could not extract {path}: {reason}")
    group = zarr.open_group(os.fspath(store), mode="r")

    png = None
    if plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            notes.append("matplotlib is not installed: spectrograms.png skipped "
                         "(pip install 'gaborcore[plot]')")
        else:
            png = out / "spectrograms.png"
            plot_examples(png, group["stft"], group["mel"], group["mel_frequency"][:], clips,
                          config)

    files = [*audio_files, labels_csv, store] + ([png] if png is not None else [])
    result = {
        "out_dir": str(out),
        "files": [str(f) for f in files],
        "audio_files": [str(f) for f in audio_files],
        "labels_csv": str(labels_csv),
        "store": str(store),
        "png": None if png is None else str(png),
        "n_signals": config.n_signals,
        "labels": [c.label for c in clips],
        "shape": tuple(group["stft"].shape),
        "mel_shape": tuple(group["mel"].shape),
        "backend": backend_name,
        "workers": n_workers,
        "audio_seconds": report.audio_seconds,
        "audio_seconds_per_second": report.audio_seconds_per_second,
        "decode_share": report.decode_share,
        "report": report,
        "elapsed_seconds": time.perf_counter() - start,
        "notes": notes,
    }
    if progress:
        print(format_summary(result))
    return result


def format_summary(result: dict) -> str:
    """The human-readable report of a :func:`run_demo` result."""
    n_audio = len(result["audio_files"])
    report = result["report"]
    lines = [*(f"note: {n}" for n in result["notes"]),
             f"gaborcore demo: {result['n_signals']} clips, "
             f"{len(set(result['labels']))} labels, written to {result['out_dir']}",
             f"  audio/            {n_audio} WAV files (16-bit PCM)",
             f"  labels.csv        {result['labels_csv']}",
             f"  features.zarr     {result['store']}",
             f"                    stft {result['shape']} float32, "
             f"mel {result['mel_shape']} float32, files, status, id, label"]
    if result["png"] is not None:
        lines.append(f"  spectrograms.png  {result['png']}")
    lines.append(f"extraction: {report.audio_seconds:.1f} s of audio in "
                 f"{report.elapsed_seconds:.2f} s, {report.setup_seconds:.2f} s of it setup "
                 f"(store, plans): {report.audio_seconds_per_second:,.0f} s of audio per second "
                 f"(backend {result['backend']}, {report.runner}; workers decoding "
                 f"{100 * report.decode_share:.0f} %, computing "
                 f"{100 * (1 - report.decode_share):.0f} %)")
    lines.append(f"{len(result['files'])} files written; the whole job took "
                 f"{result['elapsed_seconds']:.2f} s")
    return "\n".join(lines)
