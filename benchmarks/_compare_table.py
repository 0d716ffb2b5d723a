"""The results of ``benchmarks/compare.py``: one data model, one printer, one JSON form.

A :class:`Run` is what one invocation measured: the machine, the versions, and a list of
:class:`Table`; a table is the rows of one comparison on one workload, each a
:class:`Measurement` (an implementation at a number of workers: its best time, its throughput,
its speed over each named baseline, its peak memory).  ``compare.py`` prints every table with
:func:`format_table` as it is measured and, with ``--json FILE``, writes the run with
:meth:`Run.write`; ``docs/render_performance.py`` reads those files with :meth:`Run.read` and
renders the same cells with :func:`cell`.  This module needs nothing beyond the standard
library, so the docs can read results without the benchmarks' dependencies.

Columns are named by their printed labels (``Table.columns``), which say what each holds:

* ``row``, ``output`` (``out=`` or ``allocates``), ``workers``, ``best ms``, ``audio s/s``;
* ``/ NAME``: the row's throughput over row NAME's, and ``NAME / row``: row NAME's time over the
  row's (the same quotient, the speed over NAME's, printed the way a time comparison reads);
* ``target``: ``met`` or ``missed`` against the table's target on that ratio;
* ``peak/(in+out)`` and ``extra/out``: the peak memory of a call (``-`` where not measured).
"""

from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

FORMAT = "gaborcore-compare/1"
"""The ``format`` field of the JSON files; a reader refuses any other."""

PRINTED_VERSIONS = ("gaborcore", "numpy", "scipy", "librosa", "pyfftw", "numba", "nsgt")
"""The modules whose versions the environment line prints (torch's goes with its task)."""

NAME_WIDTH = 24
WIDTHS = {"output": -11, "workers": 8, "best ms": 10, "audio s/s": 12, "target": 9,
          "peak/(in+out)": 15, "extra/out": 11}
"""Printed width of the fixed columns (negative: left-aligned)."""


@dataclass
class Measurement:
    """One implementation at one number of workers.

    ``ratios`` maps each baseline of the table to this row's speed over the baseline's (its
    throughput over the baseline's, or equally the baseline's time over this row's; ``None``
    where the baseline has no result to divide by).  ``memory`` is the peak-memory probe's
    report: ``peak`` (peak over input plus output) and ``extra`` (memory beyond the input, over
    the output), with the raw ``in_bytes``, ``out_bytes``, ``extra_bytes`` and the ``method``
    where they were measured, or ``{"error": message}``; ``None`` where there was no probe.
    """

    row: str
    workers: int
    seconds: float
    audio_per_second: float | None = None
    ratios: dict[str, float | None] = field(default_factory=dict)
    output: str | None = None
    target: str | None = None
    memory: dict | None = None


@dataclass
class Table:
    """The measurements of one comparison on one workload, with how to print them.

    ``title`` is the line printed above the header; ``problems`` the rows skipped or failed
    (printed above the title), ``notes`` the lines printed under the rows.  ``ratio_fallback``:
    a row without a baseline result at its own number of workers is divided by the baseline's
    result at its fewest (the single-threaded peers); without it such a ratio is ``None``.
    ``target``, where set, is ``{"min_ratio": r, "strict": bool}`` on the first baseline's ratio.
    """

    title: str
    columns: list[str]
    rows: list[Measurement] = field(default_factory=list)
    task: str = ""
    workload: str | None = None
    ratio_fallback: bool = True
    target: dict | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""  # the results file it was read from (set by Run.read)

    @property
    def baselines(self) -> list[str]:
        """The rows named by the ratio columns, in column order."""
        return [b for b in map(ratio_baseline, self.columns) if b is not None]

    def find(self, row: str, workers: int) -> Measurement | None:
        return next((m for m in self.rows if m.row == row and m.workers == workers), None)

    def speedup(self, m: Measurement, baseline: str) -> float | None:
        """``m``'s speed over ``baseline``'s (see :class:`Table` for which result divides)."""
        theirs = {r.workers: r for r in self.rows if r.row == baseline}
        ref = theirs.get(m.workers)
        if ref is None and theirs and self.ratio_fallback:
            ref = theirs[min(theirs)]
        if ref is None:
            return None
        if m.audio_per_second is not None and ref.audio_per_second is not None:
            return m.audio_per_second / ref.audio_per_second if ref.audio_per_second else None
        return ref.seconds / m.seconds if m.seconds else None

    def compute_ratios(self) -> None:
        """Fill every row's ``ratios`` and, where the table has a target, its ``target``."""
        baselines = self.baselines
        for m in self.rows:
            m.ratios = {b: self.speedup(m, b) for b in baselines}
            if "target" in self.columns:
                m.target = self.verdict(m)

    def verdict(self, m: Measurement) -> str:
        """``met``/``missed`` for a row against the target on the first baseline, else ``-``."""
        baseline = self.baselines[0] if self.baselines else None
        ratio = m.ratios.get(baseline) if baseline else None
        if self.target is None or ratio is None or m.row == baseline:
            return "-"
        limit = self.target["min_ratio"]
        met = ratio > limit if self.target.get("strict", True) else ratio >= limit
        return "met" if met else "missed"


def ratio_baseline(label: str) -> str | None:
    """The row a ratio column divides by: ``/ NAME`` and ``NAME / row`` name NAME."""
    if label.startswith("/ "):
        return label[2:]
    if label.endswith(" / row"):
        return label[: -len(" / row")]
    return None


def format_ratio(value: float | None) -> str:
    """A ratio as compare.py prints it: three decimals below 10, one above."""
    return "-" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"


def cell(column: str, m: Measurement, ratio_format=format_ratio) -> str:
    """The text of one cell, unpadded (``-`` where there is no value)."""
    baseline = ratio_baseline(column)
    if baseline is not None:
        return ratio_format(m.ratios.get(baseline))
    if column == "row":
        return m.row
    if column == "workers":
        return str(m.workers)
    if column == "best ms":
        return f"{m.seconds * 1e3:.2f}"
    if column == "audio s/s":
        return "-" if m.audio_per_second is None else f"{m.audio_per_second:.0f}"
    if column == "output":
        return m.output or "-"
    if column == "target":
        return m.target or "-"
    if column in ("peak/(in+out)", "extra/out"):
        if m.memory is None:
            return "-"
        if "error" in m.memory:
            return "error"
        value = m.memory.get("peak" if column == "peak/(in+out)" else "extra")
        return "-" if value is None else f"{value:.2f}"
    raise ValueError(f"unknown column {column!r}")


def _width(column: str) -> int:
    if ratio_baseline(column) is not None:
        return max(11, len(column) + 2)
    return WIDTHS[column]


def _pad(text: str, width: int) -> str:
    return f"{text:<{-width}}" if width < 0 else f"{text:>{width}}"


def format_table(table: Table) -> list[str]:
    """The lines compare.py prints for ``table``: problems, a blank line, the title, the
    header, a rule, one line per measurement and the notes (indented)."""
    name_width = max([NAME_WIDTH] + [len(m.row) + 2 for m in table.rows])
    widths = [-name_width if c == "row" else _width(c) for c in table.columns]
    header = "".join(_pad(c, w) for c, w in zip(table.columns, widths, strict=True))
    lines = [f"  {p}" for p in table.problems]
    lines += ["", table.title, header, "-" * len(header)]
    for m in table.rows:
        lines.append("".join(_pad(cell(c, m), w) for c, w in zip(table.columns, widths, strict=True)))
    lines += [f"  {n}" for n in table.notes]
    return lines


def print_table(table: Table) -> None:
    print("\n".join(format_table(table)), flush=True)


# ---- a run -------------------------------------------------------------------------------------


@dataclass
class Run:
    """One invocation of compare.py: when, where, with what, and its tables.

    ``machine`` holds ``processor``, ``cpus`` (available to the process), ``python`` and
    ``platform``; ``versions`` maps each module of :data:`PRINTED_VERSIONS` and ``torch`` to its
    version (``None``: not installed); ``load`` and ``finished_load`` are the 1, 5 and 15 minute
    load averages at the start and the end.  ``notes`` are the ``note:`` lines, ``extract`` the
    extraction task's rows as :mod:`bench_extract` returns them.  ``converted_from`` is set on
    runs converted from compare.py's printed output.
    """

    started: str = ""
    finished: str = ""
    commit: str = ""
    load: str = ""
    finished_load: str = ""
    command: list[str] = field(default_factory=list)
    machine: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    repeat: int | None = None
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extract: dict | None = None
    converted_from: str | None = None
    source: str = ""  # the file it was read from (not saved)

    def environment(self) -> list[str]:
        """The environment lines compare.py prints, and torch's version where it is known."""
        m = self.machine
        lines = [
            f"{m.get('processor', '?')}, {m.get('cpus', '?')} CPUs available, "
            f"Python {m.get('python', '?')}",
            ", ".join(f"{name} {self.versions.get(name) or '(not installed)'}"
                      for name in PRINTED_VERSIONS),
        ]
        if self.versions.get("torch"):
            lines.append(f"torch {self.versions['torch']}")
        return lines

    def to_json(self) -> dict:
        data = {"format": FORMAT, **asdict(self)}
        del data["source"]
        for table in data["tables"]:
            del table["source"]
        return data

    @classmethod
    def from_json(cls, data: dict, source: str = "") -> Run:
        if data.get("format") != FORMAT:
            raise ValueError(f"{source or 'data'}: not a {FORMAT} file ({data.get('format')!r})")
        fields = {k: v for k, v in data.items() if k not in ("format", "tables")}
        tables = []
        for t in data["tables"]:
            rows = [Measurement(**m) for m in t["rows"]]
            tables.append(Table(**{**t, "rows": rows, "source": source}))
        return cls(**fields, tables=tables, source=source)

    def write(self, path: str | os.PathLike) -> None:
        """Write the run as JSON (atomically: a reader never sees half a file)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1) + "\n")
        tmp.replace(path)

    @classmethod
    def read(cls, path: str | os.PathLike) -> Run:
        path = Path(path)
        return cls.from_json(json.loads(path.read_text()), source=path.name)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return ""


def _commit() -> str:
    """The short hash of the checkout's HEAD ("" outside a git checkout)."""
    try:
        proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False, cwd=Path(__file__).resolve().parent)
    except OSError:
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def new_run(argv: list[str], repeat: int) -> Run:
    """A :class:`Run` with the time, load, commit, machine and versions of now."""
    versions = {}
    for module in PRINTED_VERSIONS:
        try:
            mod = importlib.import_module(module)
            versions[module] = getattr(mod, "__version__", "(version unknown)")
        except ImportError:
            versions[module] = None
    try:  # torch's version without importing it (its OpenMP runtime would come first)
        versions["torch"] = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        versions["torch"] = None
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    machine = {
        "processor": platform.processor() or platform.machine(),
        "cpus": cpus,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    return Run(started=now(), commit=_commit(), load=load_average(), command=argv, machine=machine,
               versions=versions, repeat=repeat)
