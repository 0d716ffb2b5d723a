"""The ``gaborcore`` command.

::

    gaborcore info [--json]
    gaborcore demo [--out DIR] [--n-signals N] [--sr SR] [--duration S] [--seed K]
                   [--n-mels M] [--workers W] [--backend B] [--no-plot]
    gaborcore extract INPUT... --out STORE.zarr [--config FILE.toml] [--feature F]...
                   [--sr SR] [--channels mono|N] [--clip S] [--clip-hop S] [--no-pad]
                   [feature parameters] [--workers W | --scheduler ADDR] [--overwrite]
                   [--dry-run] [--json] [--quiet] [--log FILE] ...
    gaborcore figure1 [--out DIR] [--no-plot]

Exit status (:data:`EXIT_OK` ...):

0
    success: every file was extracted (or had been).
1
    ``extract`` finished, but some files failed (recorded in the store with the reason; the
    others are there): ``--retry-failed`` tries them again.
2
    a usage error or a job that could not run (a one-line message on stderr); nothing written.
130
    interrupted (``extract`` commits the files finished so far: run it again to resume).
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

#: Exit status: success.
EXIT_OK = 0
#: Exit status of ``extract`` when some files failed (the others are in the store).
EXIT_SOME_FAILED = 1
#: Exit status of a usage error or a job that could not run.
EXIT_ERROR = 2
#: Exit status when interrupted.
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
# feature that has the parameter (see gaborcore.extract.FEATURE_PARAMETERS).
_FEATURE_FLAGS = [
    ("--n-fft", int, "N", "FFT length (stft, mel)"),
    ("--hop-length", int, "N", "hop between frames in samples (stft, mel, mfcc; default "
                               "win-length // 4, as librosa)"),
    ("--win-length", int, "N", "window length (stft, mel; default n-fft)"),
    ("--window", str, "W", "window (stft, mel: any gaborcore window; nsgt, cqt: hann, "
                           "blackmanharris, gaussian)"),
    ("--power", float, "P", "exponent of the magnitude: 2 power, 1 magnitude (stft, mel, cqt)"),
    ("--n-mels", int, "M", "mel bands (mel, mfcc)"),
    ("--n-mfcc", int, "M", "cepstral coefficients (mfcc)"),
    ("--dct-type", int, "T", "DCT type 1-4 (mfcc; default 2)"),
    ("--lifter", float, "L", "cepstral liftering, 0 for none (mfcc)"),
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


#: The options of ``extract`` by the name the library gives them (``n_fft`` -> ``--n-fft``), so
#: that its messages speak of the options.
_EXTRACT_OPTIONS: dict[str, str] = {}


def _option(parser: argparse.ArgumentParser, *flags, **kwargs) -> argparse.Action:
    """``parser.add_argument``, recording the option's long flag in :data:`_EXTRACT_OPTIONS`."""
    action = parser.add_argument(*flags, **kwargs)
    for flag in action.option_strings:
        if flag.startswith("--"):
            _EXTRACT_OPTIONS[flag[2:].replace("-", "_")] = flag
    return action


def _add_extract(sub) -> None:
    from .extract import COMPRESSIONS, FEATURES

    ex = sub.add_parser(
        "extract", help="extract features of audio files into a Zarr store (resumable)",
        description=(
            "Decode audio files (WAV, FLAC, OGG, MP3, ...), resample them, compute features and "
            "write them to a Zarr store, with a progress bar.  Inputs are files, folders "
            "(searched recursively by extension) and list files (.txt, .lst: one path per "
            "line).  Parameters come from --config (TOML) and the options below, which override "
            "it.  Files that cannot be decoded are recorded as failed and the job goes on; an "
            "interrupted job resumes when run again with the same parameters.  Exit status: 0 "
            "when every file succeeded, 1 when some failed (recorded in the store), 2 on a usage "
            "error or a job that could not run, 130 when interrupted."
        ),
    )
    _option(ex, "inputs", nargs="+", metavar="INPUT",
                    help="audio file, folder, list file (.txt, .lst), CSV/TSV manifest (path, "
                         "and optional id, label, start, end columns) or fsspec URL "
                         "(s3://..., gs://...)")
    _option(ex, "--out", required=True, metavar="STORE",
                    help="the Zarr store (a directory or an fsspec URL), e.g. features.zarr")
    _option(ex, "--config", metavar="FILE", help="TOML configuration (features and options)")
    _option(ex, "--feature", action="append", choices=FEATURES, metavar="F",
                    help=f"{', '.join(FEATURES)}; repeat for several (default: the config's, "
                         "else mel)")
    _option(ex, "--sr", type=int, metavar="SR",
                    help="sampling rate the files are resampled to (default 22050)")
    _option(ex, "--channels", metavar="C",
                    help="mono (average the channels, default) or the number of channels kept "
                         "(a mono file is duplicated to them)")
    _option(ex, "--clip", type=float, metavar="S",
                    help="cut each file into excerpts of S seconds (one row each); default: "
                         "whole files")
    _option(ex, "--clip-hop", type=float, metavar="S",
                    help="seconds between excerpts (default: --clip)")
    _option(ex, "--no-pad", dest="pad", action="store_const", const=False,
                    help="drop a file's last, partial excerpt instead of zero-padding it")
    _option(ex, "--dtype", choices=["float32", "float64"], help="precision (default float32)")
    _option(ex, "--db", action="store_const", const=True,
                    help="decibels (stft, mel, cqt)")
    _option(ex, "--htk", action="store_const", const=True, help="HTK mel formula (mel)")
    for flag, kind, metavar, text in _FEATURE_FLAGS:
        _option(ex, flag, type=kind, metavar=metavar, help=text)
    _option(ex, "--ext", metavar="EXT,...",
                    help="extensions taken from folders (default: wav,flac,ogg,oga,opus,mp3,"
                         "aif,aiff,au)")
    _option(ex, "--workers", type=int, metavar="W",
                    help="threads decoding and computing in this process; negative counts back "
                         "from the CPUs (default: all the CPUs this process may use)")
    _option(ex, "--scheduler", metavar="ADDR",
                    help="run on a Dask cluster: tcp://HOST:PORT, or local:N for a local "
                         "cluster of N worker processes (needs gaborcore[dask])")
    _option(ex, "--batch-size", type=int, metavar="N",
                    help="files per task (default: with --clip, a chunk's clips or a multiple "
                         "of them, 8-64 clips, 64-256 with --scheduler; else 16, 64 with "
                         "--scheduler)")
    _option(ex, "--overwrite", action="store_true",
                    help="replace a store made with other parameters (or restart this one)")
    _option(ex, "--retry-failed", action="store_true",
                    help="process again the files that failed in an earlier run")
    _option(ex, "--compression", choices=COMPRESSIONS, default="lz4",
                    help="codec of the feature arrays of a new store (default: %(default)s)")
    _option(ex, "--backend", default=None, choices=["auto", "c", "numba", "numpy"],
                    metavar="B", help="auto, c, numba or numpy (default: GABORCORE_BACKEND, "
                                      "else auto)")
    _option(ex, "--no-progress", dest="progress", action="store_false",
                    help="no progress bar")
    _option(ex, "--dry-run", action="store_true",
                    help="check the parameters, inputs and store, count what would be done; "
                         "compute and write nothing")
    _option(ex, "--json", action="store_true",
                    help="print the report as one JSON object on stdout (counts, failures, "
                         "throughput) instead of the text summary")
    _option(ex, "--quiet", "-q", action="store_true",
                    help="no progress bar and no summary (errors still go to stderr)")
    _option(ex, "--log", metavar="FILE",
                    help="append the summary and every failure (path and reason) to FILE")
    ex.set_defaults(handler=_cmd_extract)


def _add_figure1(sub) -> None:
    fig = sub.add_parser(
        "figure1", help="reproduce Figure 1 of the paper (kernel transfer between windows)",
        description=(
            "Long- and short-window spectrograms of five synthetic damped notes and their outputs "
            "after a first-layer kernel, ReLU and 4x4 max pooling (the short-window kernel "
            "transferred from the long-window one; docs/theory.rst, 'Figure 1 of the paper'): "
            "writes figure1.png into --out and prints the relative differences and the guaranteed bound."))
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
    from .extract import extract
    from .extract.runners import cores
    from .io import AUDIO_EXTENSIONS

    options = {flag[2:].replace("-", "_"): getattr(args, flag[2:].replace("-", "_"))
               for flag, *_ in _FEATURE_FLAGS}
    options.update(sr=args.sr, channels=args.channels, clip=args.clip, clip_hop=args.clip_hop,
                   pad=args.pad, dtype=args.dtype, db=args.db, htk=args.htk)
    extensions = AUDIO_EXTENSIONS if args.ext is None else [
        e.strip() for e in args.ext.split(",") if e.strip()]
    workers = args.workers
    if workers is None and args.scheduler is None:  # the command's default: every core
        workers = cores()
    try:
        report = extract(args.inputs, args.feature, args.out, config=args.config,
                         workers=workers, scheduler=args.scheduler,
                         batch_size=args.batch_size, overwrite=args.overwrite,
                         retry_failed=args.retry_failed, compression=args.compression,
                         extensions=extensions, backend=args.backend,
                         progress=args.progress and not args.quiet and not args.json,
                         dry_run=args.dry_run, **options)
    except KeyboardInterrupt:
        print(f"gaborcore extract: interrupted; the files finished so far are in {args.out}: "
              "run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.log:
        with open(args.log, "a", encoding="utf-8") as log:
            log.write(report.summary() + "\n")
            for path, reason in report.failures[10:]:
                log.write(f"  failed: {path}: {reason}\n")
    if args.json:
        print(json.dumps(report.to_dict()))
    elif not args.quiet:
        print(report.summary())
    return EXIT_SOME_FAILED if report.n_failed else EXIT_OK


def _one_line(exc: BaseException, command: str | None = None) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"cannot write the output: {exc.strerror}{where}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return _in_options(text) if command == "extract" else text


def _in_options(text: str) -> str:
    """A library message in the command's words: ``n_fft=256`` becomes ``--n-fft 256`` for
    every option of ``extract``."""
    import re

    names = sorted(_EXTRACT_OPTIONS, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, names)) + r")=")
    return pattern.sub(lambda m: _EXTRACT_OPTIONS[m.group(1)] + " ", text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gaborcore`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when ``extract`` finished with some files failed,
        2 on a usage error or a job that could not run, 130 when interrupted.

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
        print(f"gaborcore {args.command}: error: {_one_line(exc, args.command)}",
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"gaborcore {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
