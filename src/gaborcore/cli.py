"""The ``gaborcore`` command.

::

    gaborcore info [--json]
    gaborcore demo [--out DIR] [--n-signals N] [--sr SR] [--duration S] [--seed K]
                   [--n-mels M] [--workers W] [--backend B] [--no-plot]
    gaborcore extract INPUT... --out STORE.zarr [--config FILE.toml] [--feature F]...
                   [--sr SR] [--channels mono|N] [--clip S] [--clip-hop S] [--no-pad]
                   [feature parameters] [--workers W | --scheduler ADDR] [--overwrite] ...

Exit status: 0 on success (files that cannot be decoded are recorded in the store as failed and
do not change it), 2 on a usage error or a failed job (with a one-line message on stderr), 130
when interrupted (``extract`` commits the files finished so far: run it again to resume).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from ._validation import ParameterError

__all__ = ["main", "build_parser"]

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (argparse would print the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gaborcore`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the subcommands ``info``, ``demo`` and ``extract``.
    """
    parser = _Parser(
        prog="gaborcore",
        description="Gabor transforms and spectrograms with a compiled core.",
    )
    parser.add_argument("--version", action="version", version=f"gaborcore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    info = sub.add_parser(
        "info", help="print the configuration (backends, FFT engine, OpenMP, threads)",
        description="Print the configuration: backends, FFT engine, OpenMP, threads, versions.",
    )
    info.add_argument("--json", action="store_true", help="print it as a JSON object")
    info.set_defaults(handler=_cmd_info)

    demo = sub.add_parser(
        "demo", help="run the feature extraction job on a built-in synthetic data set",
        description=(
            "Synthesise a small labelled data set (damped harmonic notes, chirps, noise bursts), "
            "write it as WAV files with labels.csv, compute float32 power spectrograms "
            "(n_fft 1024, hop 256) and mel spectrograms (128 bands on the same STFT) in batches "
            "into spectrograms.npz and plot six examples (dB and log-mel) in spectrograms.png."
        ),
    )
    demo.add_argument("--out", default="gaborcore_demo", metavar="DIR",
                      help="output directory (default: %(default)s)")
    demo.add_argument("--n-signals", type=int, default=24, metavar="N",
                      help="number of clips (default: %(default)s)")
    demo.add_argument("--sr", type=int, default=22050, metavar="SR",
                      help="sampling rate in Hz (default: %(default)s)")
    demo.add_argument("--duration", type=float, default=3.0, metavar="S",
                      help="seconds per clip (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=0, metavar="K",
                      help="seed of the synthesis (default: %(default)s)")
    demo.add_argument("--n-mels", type=int, default=128, metavar="M",
                      help="mel bands (default: %(default)s)")
    demo.add_argument("--workers", type=int, default=None, metavar="W",
                      help="threads for the transforms; -1 for all CPUs (default: 1, or the "
                           "set_workers context)")
    demo.add_argument("--backend", default=None, choices=["auto", "c", "numba", "numpy"],
                      metavar="B",
                      help="auto, c, numba or numpy (default: GABORCORE_BACKEND, else auto)")
    demo.add_argument("--no-plot", dest="plot", action="store_false",
                      help="do not write spectrograms.png")
    demo.set_defaults(handler=_cmd_demo)
    _add_extract(sub)
    _add_figure1(sub)
    return parser


# Feature parameters as options: (flag, type, metavar, help); each applies to every selected
# feature that has the parameter (see gaborcore.dataset.FEATURE_PARAMETERS).
_FEATURE_FLAGS = [
    ("--n-fft", int, "N", "FFT length (stft, mel)"),
    ("--hop-length", int, "N", "hop between frames in samples (stft, mel)"),
    ("--win-length", int, "N", "window length (stft, mel; default n-fft)"),
    ("--window", str, "W", "window (stft, mel: any gaborcore window; nsgt, cqt: hann, "
                           "blackmanharris, gaussian)"),
    ("--power", float, "P", "exponent of the magnitude: 2 power, 1 magnitude (stft, mel, cqt)"),
    ("--n-mels", int, "M", "mel bands (mel)"),
    ("--fmin", float, "HZ", "lowest frequency (mel, nsgt, cqt)"),
    ("--fmax", float, "HZ", "highest frequency (mel, nsgt, cqt)"),
    ("--scale", str, "S", "frequency scale (mel: mel, bark, erb, log, linear; nsgt: also cqt, "
                          "vqt)"),
    ("--norm", str, "NORM", "filter normalisation (mel: slaney, none or a number)"),
    ("--n-bins", int, "N", "bands (nsgt, cqt; default 84 from fmin)"),
    ("--bins-per-octave", int, "B", "bands per octave (nsgt, cqt)"),
    ("--layout", str, "L", "coefficient layout (nsgt: ragged, bucketed, piecewise, full)"),
    ("--slice-length", int, "N", "samples per slice of the sliced transform (cqt of whole "
                                 "files)"),
    ("--top-db", float, "DB", "dynamic range kept below each clip's maximum with --db"),
]


def _add_extract(sub) -> None:
    from .dataset import COMPRESSIONS, FEATURES

    ex = sub.add_parser(
        "extract", help="extract features of audio files into a Zarr store (resumable)",
        description=(
            "Decode audio files (WAV, FLAC, OGG, MP3, ...), resample them, compute features and "
            "write them to a Zarr store, with a progress bar.  Inputs are files, folders "
            "(searched recursively by extension) and list files (.txt, .lst: one path per "
            "line).  Parameters come from --config (TOML) and the options below, which override "
            "it.  Files that cannot be decoded are recorded as failed and the job goes on; an "
            "interrupted job resumes when run again with the same parameters."
        ),
    )
    ex.add_argument("inputs", nargs="+", metavar="INPUT",
                    help="audio file, folder or list file")
    ex.add_argument("--out", required=True, metavar="STORE",
                    help="the Zarr store (a directory), e.g. features.zarr")
    ex.add_argument("--config", metavar="FILE", help="TOML configuration (features and options)")
    ex.add_argument("--feature", action="append", choices=FEATURES, metavar="F",
                    help=f"{', '.join(FEATURES)}; repeat for several (default: the config's, "
                         "else mel)")
    ex.add_argument("--sr", type=int, metavar="SR",
                    help="sampling rate the files are resampled to (default 22050)")
    ex.add_argument("--channels", metavar="C",
                    help="mono (average the channels, default) or the number of channels kept")
    ex.add_argument("--clip", type=float, metavar="S",
                    help="cut each file into excerpts of S seconds (one row each); default: "
                         "whole files")
    ex.add_argument("--clip-hop", type=float, metavar="S",
                    help="seconds between excerpts (default: --clip)")
    ex.add_argument("--no-pad", dest="pad", action="store_const", const=False,
                    help="drop a file's last, partial excerpt instead of zero-padding it")
    ex.add_argument("--dtype", choices=["float32", "float64"], help="precision (default float32)")
    ex.add_argument("--db", action="store_const", const=True,
                    help="decibels (stft, mel, cqt)")
    ex.add_argument("--htk", action="store_const", const=True, help="HTK mel formula (mel)")
    for flag, kind, metavar, text in _FEATURE_FLAGS:
        ex.add_argument(flag, type=kind, metavar=metavar, help=text)
    ex.add_argument("--ext", metavar="EXT,...",
                    help="extensions taken from folders (default: wav,flac,ogg,oga,opus,mp3,"
                         "aif,aiff,au)")
    ex.add_argument("--workers", type=int, metavar="W",
                    help="threads decoding and computing in this process; -1 for all CPUs "
                         "(default 1)")
    ex.add_argument("--scheduler", metavar="ADDR",
                    help="run on a Dask cluster: tcp://HOST:PORT, or local:N for a local "
                         "cluster of N worker processes (needs gaborcore[dask])")
    ex.add_argument("--batch-size", type=int, metavar="N",
                    help="files per task (default 16, 64 with --scheduler)")
    ex.add_argument("--overwrite", action="store_true",
                    help="replace a store made with other parameters (or restart this one)")
    ex.add_argument("--retry-failed", action="store_true",
                    help="process again the files that failed in an earlier run")
    ex.add_argument("--compression", choices=COMPRESSIONS, default="lz4",
                    help="codec of the feature arrays of a new store (default: %(default)s)")
    ex.add_argument("--backend", default=None, choices=["auto", "c", "numba", "numpy"],
                    metavar="B", help="auto, c, numba or numpy (default: GABORCORE_BACKEND, "
                                      "else auto)")
    ex.add_argument("--no-progress", dest="progress", action="store_false",
                    help="no progress bar")
    ex.set_defaults(handler=_cmd_extract)


def _add_figure1(sub) -> None:
    fig = sub.add_parser(
        "figure1", help="reproduce Figure 1 of the paper (kernel transfer between windows)",
        description=(
            "Long- and short-window spectrograms of five synthetic damped notes and their outputs "
            "after a first-layer kernel, ReLU and 4x4 max pooling (the short-window kernel "
            "transferred from the long-window one, THEORY.md 3.3): writes figure1.png into "
            "--out and prints the relative differences and the guaranteed bound."))
    fig.add_argument("--out", default="gaborcore_figure1", metavar="DIR",
                     help="output folder (default: %(default)s)")
    fig.add_argument("--no-plot", dest="plot", action="store_false", help="numbers only")
    fig.set_defaults(handler=_cmd_figure1)


def _cmd_figure1(args: argparse.Namespace) -> int:
    from .figure1 import figure1

    result = figure1(args.out if args.plot else None, plot=args.plot)
    print(result)
    if args.plot:
        print(f"wrote {result.png}" if result.png else "matplotlib is not installed: no PNG")
    return EXIT_OK


def _cmd_info(args: argparse.Namespace) -> int:
    from ._config import config, show_config

    if args.json:
        print(json.dumps(config(), indent=2, default=str))
    else:
        show_config()
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(args.out, n_signals=args.n_signals, sr=args.sr, duration=args.duration,
             seed=args.seed, n_mels=args.n_mels, workers=args.workers, backend=args.backend,
             plot=args.plot, progress=True)
    return EXIT_OK


def _cmd_extract(args: argparse.Namespace) -> int:
    from .dataset import extract
    from .io import AUDIO_EXTENSIONS

    options = {flag[2:].replace("-", "_"): getattr(args, flag[2:].replace("-", "_"))
               for flag, *_ in _FEATURE_FLAGS}
    options.update(sr=args.sr, channels=args.channels, clip=args.clip, clip_hop=args.clip_hop,
                   pad=args.pad, dtype=args.dtype, db=args.db, htk=args.htk)
    extensions = AUDIO_EXTENSIONS if args.ext is None else [
        e.strip() for e in args.ext.split(",") if e.strip()]
    try:
        report = extract(args.inputs, args.feature, args.out, config=args.config,
                         workers=args.workers, scheduler=args.scheduler,
                         batch_size=args.batch_size, overwrite=args.overwrite,
                         retry_failed=args.retry_failed, compression=args.compression,
                         extensions=extensions, backend=args.backend, progress=args.progress,
                         **options)
    except KeyboardInterrupt:
        print(f"gaborcore extract: interrupted; the files finished so far are in {args.out}: "
              "run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(report.summary())
    return EXIT_OK


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"cannot write the output: {exc.strerror}{where}"
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gaborcore`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 on a usage error or a failed job, 130 when interrupted.

    Examples
    --------
    >>> from gaborcore.cli import main
    >>> main(["info", "--json"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        return args.handler(args)
    except (ParameterError, RuntimeError, OSError) as exc:
        print(f"gaborcore {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"gaborcore {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
