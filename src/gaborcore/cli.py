"""The ``gaborcore`` command.

::

    gaborcore info [--json]
    gaborcore demo [--out DIR] [--n-signals N] [--sr SR] [--duration S] [--seed K]
                   [--n-mels M] [--workers W] [--backend B] [--no-plot]

Exit status: 0 on success, 2 on a usage error or a failed job (with a one-line message on
stderr), 130 when interrupted.
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
        With the subcommands ``info`` and ``demo``.
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
    return parser


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
