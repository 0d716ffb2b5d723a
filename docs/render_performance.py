"""Render the measured tables and plots of docs/performance.rst from compare.py's output.

``benchmarks/compare.py`` prints its results as text tables; the runs behind the performance page
are kept verbatim in ``benchmarks/results/compare-*.txt`` (each file starts with a ``#`` line
giving the time, the commit and the load average when it started).  This script parses them and
writes:

* ``docs/performance_results.inc`` (the runs and a summary table) and
  ``docs/performance_tables.inc`` (every table in full), in reStructuredText, included by
  ``docs/performance.rst``;
* ``docs/_static/performance_audio.png``: throughput of every row of the spectrogram, mel and
  NSGT tables, relative to librosa (or to the nsgt package);
* ``docs/_static/performance_nn.png``: PyTorch's time over gaborcore's for the CNN kernels;
* ``benchmarks/results/compare.json``: the parsed tables, for other tools.

Run from anywhere, after committing new results files::

    python docs/render_performance.py [benchmarks/results/compare-*.txt ...]

Without arguments every ``benchmarks/results/compare-*.txt`` is read, in name order; a table that
appears in several files is taken from the last.  compare.py's columns are kept as printed (the
ratios are its own); nothing is re-measured here.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
RESULTS = ROOT / "benchmarks" / "results"
STATIC = DOCS / "_static"
INCLUDE = DOCS / "performance_results.inc"  # the runs and the summary table
TABLES = DOCS / "performance_tables.inc"  # every table in full


@dataclass
class Table:
    """One table as compare.py printed it."""

    title: str  # the line above the header, e.g. "power spectrogram, ...; workload 60s: ..."
    source: str  # the results file
    columns: list[str]  # header labels, "row" first
    rows: list[list[str]] = field(default_factory=list)  # cells as printed, name first
    notes: list[str] = field(default_factory=list)  # indented lines under the table

    @property
    def is_nn(self) -> bool:
        return "torch / row" in self.columns

    @property
    def short_title(self) -> str:
        return self.title.split("; target:")[0]

    def column(self, label: str) -> list[str]:
        i = self.columns.index(label)
        return [row[i] for row in self.rows]


@dataclass
class Run:
    """A results file: its header comment, environment lines, tables and notes."""

    source: str
    started: str = ""
    commit: str = ""
    load: str = ""
    finished_load: str = ""
    environment: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


HEADER_SPLIT = re.compile(r"\s{2,}")


def parse(path: Path) -> Run:
    run = Run(source=path.name)
    lines = path.read_text().splitlines()
    table: Table | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"# started (\S+) commit (\S+) load: (\S+ \S+ \S+)", line)
        if m:
            run.started, run.commit, run.load = m.groups()
        m = re.match(r"# finished (\S+) load: (\S+ \S+ \S+)", line)
        if m:
            run.finished_load = m.group(2)
        if i + 2 < len(lines) and lines[i + 1].startswith("row ") and set(lines[i + 2]) == {"-"}:
            columns = HEADER_SPLIT.split(lines[i + 1].strip())
            table = Table(title=line.strip(), source=path.name, columns=columns)
            run.tables.append(table)
            i += 3
            continue
        if table is not None and line and not line.startswith((" ", "note:", "#")):
            parts = HEADER_SPLIT.split(line, maxsplit=1)
            if len(parts) == 2:
                cells = [parts[0], *parts[1].split()]
                if len(cells) == len(table.columns):
                    table.rows.append(cells)
                    i += 1
                    continue
            table = None
        elif table is not None and line.startswith("  "):
            table.notes.append(line.strip())
        elif not line.strip():
            table = None
        m = re.search(r"\((torch [^;)]+)\)", line) if line.startswith("CNN kernels") else None
        if m:
            run.environment.append(m.group(1))
        if line.startswith("note:"):
            run.notes.append(line[len("note:"):].strip())
        elif (not run.tables and not line.startswith("#") and line.strip()
              and ("CPUs available" in line or line.startswith("gaborcore "))):
            run.environment.append(line.strip())
        i += 1
    return run


# ---- several runs of one table -----------------------------------------------------------------

def _order(table: Table) -> int:
    """compare.py's task order (within a task, the tables keep the order they were printed in)."""
    title = table.title
    if table.is_nn:
        return 5
    for i, prefix in enumerate(("power spectrogram", "mel spectrogram",
                                "constant-Q NSGT forward + inverse", "constant-Q NSGT forward",
                                "sliced")):
        if title.startswith(prefix):
            return (0, 1, 3, 2, 4)[i]
    return 6


def merge(tables: list[Table]) -> list[Table]:
    """One table per title: each (row, workers) from the run where it was fastest.

    compare.py keeps the best of its repeats; over several runs of the same table (on a shared
    machine, at different loads) this keeps the best of all, row by row, and computes the ratio
    columns again from the kept times, as compare.py computes them.
    """
    by_title: dict[str, list[Table]] = {}
    for table in tables:
        by_title.setdefault(table.title, []).append(table)
    merged = []
    for title, group in by_title.items():
        if len(group) == 1:
            merged.append(group[0])
            continue
        first = group[0]
        best: dict[tuple[str, str], list[str]] = {}
        t = first.columns.index("best ms")
        for table in group:
            for cells in table.rows:
                key = (cells[0], cells[first.columns.index("workers")])
                if key not in best or float(cells[t]) < float(best[key][t]):
                    best[key] = list(cells)
        # peak memory is measured apart from the timings: where the kept row's probe failed
        # (an "error" cell), another run's measurement of the same row is used
        memory = [j for j, c in enumerate(first.columns) if c in ("peak/(in+out)", "extra/out")]
        for table in group:
            for cells in table.rows:
                kept = best[(cells[0], cells[first.columns.index("workers")])]
                for j in memory:
                    if kept[j] == "error" and cells[j] != "error":
                        kept[j] = cells[j]
        order = list(dict.fromkeys(cells[0] for table in group for cells in table.rows))
        rows = [best[(name, w)] for name in order for w in ("1", "2", "3", "4", "8", "16")
                if (name, w) in best]
        failed = any(cells[j] == "error" for cells in rows for j in memory)
        notes = [n for t in group for n in t.notes
                 if failed or not n.startswith("memory probe of")]
        table = Table(title=title, source=", ".join(dict.fromkeys(t.source for t in group)),
                      columns=first.columns, rows=rows, notes=list(dict.fromkeys(notes)))
        _recompute_ratios(table)
        merged.append(table)
    return sorted(merged, key=_order)


def _recompute_ratios(table: Table) -> None:
    w = table.columns.index("workers")
    if table.is_nn:
        t = table.columns.index("best ms")
        r = table.columns.index("torch / row")
        torch = {cells[w]: float(cells[t]) for cells in table.rows if cells[0] == "torch"}
        for cells in table.rows:
            if cells[w] in torch:
                cells[r] = f"{torch[cells[w]] / float(cells[t]):.3f}"
        return
    a = table.columns.index("audio s/s")
    rate = {(cells[0], cells[w]): float(cells[a]) for cells in table.rows}
    for j, column in enumerate(table.columns):
        if not column.startswith("/ "):
            continue
        other = column[2:]
        for cells in table.rows:
            theirs = rate.get((other, cells[w]), rate.get((other, "1")))
            if theirs:
                cells[j] = f"{float(cells[a]) / theirs:.3f}"


# ---- reStructuredText --------------------------------------------------------------------------


def rst_table(table: Table) -> str:
    """A list-table of ``table`` (every row and column as compare.py printed them)."""
    out = io.StringIO()
    out.write(".. list-table::\n   :header-rows: 1\n\n")
    for cells in [table.columns, *table.rows]:
        for j, cell in enumerate(cells):
            text = f"``{cell}``" if j == 0 and cell != "row" else escape(cell)
            out.write(f"   {'*' if j == 0 else ' '} - {text}\n")
    return out.getvalue()


def escape(text: str) -> str:
    """A table cell as text: "-" alone or "(a) ..." would start a list in reStructuredText."""
    if text.startswith(("-", "(", "*", "+")) or re.match(r"\w[.)] ", text):
        return "\\" + text
    return text


def ratio(table: Table, row: str, workers: str, column: str) -> str:
    i, w = table.columns.index(column), table.columns.index("workers")
    for cells in table.rows:
        if cells[0] == row and cells[w] == workers:
            return cells[i]
    return "-"


def find(tables: list[Table], prefix: str) -> Table | None:
    return next((t for t in tables if t.title.startswith(prefix)), None)


def short_label(table: Table) -> str:
    """'mel spectrogram (60s)' from the table's title."""
    head, _, tail = table.title.partition("; workload ")
    return f"{head.split(', float32')[0]} ({tail.split(':')[0]})"


def summary_rows(tables: list[Table]) -> list[list[str]]:
    """[table, row, compared with, ratio at 1 thread, at 2 threads] of gaborcore's C rows."""
    rows = []
    for table in tables:
        if table.is_nn:
            continue
        names = [r[0] for r in table.rows]
        row = next((n for n in names if n.startswith("gaborcore[c]") and n.endswith("out=")),
                   next((n for n in names if n.startswith("gaborcore[c]")), None))
        if row is None:
            continue
        for column in table.columns:
            if column.startswith("/ "):
                rows.append([short_label(table), f"``{row}``", column[2:],
                             ratio(table, row, "1", column), ratio(table, row, "2", column)])
        if "scipy ShortTimeFFT" in names:
            # compare.py prints no scipy column: the ratio of the printed throughputs
            rate = {(r[0], r[1]): float(r[3]) for r in table.rows}
            rows.append([short_label(table), f"``{row}``", "scipy ShortTimeFFT (same threads)",
                         _rate_ratio(rate, row, "scipy ShortTimeFFT", "1"),
                         _rate_ratio(rate, row, "scipy ShortTimeFFT", "2")])
    for table in tables:
        if table.is_nn:
            row = _c_row(table)
            rows.append([nn_label(table), f"``{row}``", "torch (its time / gaborcore's)",
                         ratio(table, row, "1", "torch / row"),
                         ratio(table, row, "2", "torch / row")])
    return rows


def _c_row(table: Table) -> str:
    names = [r[0] for r in table.rows]
    return "gaborcore[c] out=" if "gaborcore[c] out=" in names else "gaborcore[c]"


def _rate_ratio(rate: dict, row: str, other: str, workers: str) -> str:
    mine = rate.get((row, workers))
    theirs = rate.get((other, workers))
    if mine is None or theirs is None:
        return "-"
    return f"{mine / theirs:.2f}"


def render_include(runs: list[Run], tables: list[Table]) -> str:
    out = io.StringIO()
    out.write(".. This file is written by docs/render_performance.py from "
              "benchmarks/results/compare-*.txt; do not edit it.\n\n")
    out.write("The runs\n~~~~~~~~\n\n")
    out.write(".. list-table::\n   :header-rows: 1\n\n")
    out.write("   * - results file\n     - started (UTC)\n     - commit\n"
              "     - load average at start / end\n")
    for run in runs:
        out.write(f"   * - ``{run.source}``\n     - {run.started.replace('T', ' ')}\n"
                  f"     - ``{run.commit}``\n     - {run.load} / {run.finished_load}\n")
    env = list(dict.fromkeys(line for run in runs for line in run.environment))
    if env:
        out.write("\ncompare.py reported::\n\n")
        for line in env:
            for piece in textwrap.wrap(line, 90, break_on_hyphens=False):
                out.write(f"   {piece}\n")
    out.write("\nSummary\n~~~~~~~\n\n")
    out.write("The compiled backend (``gaborcore[c]``, writing into a preallocated ``out=`` "
              "array) against each comparison: its throughput over the other's (for the NSGT "
              "and audio tables; above 1 is faster), or the other's time over its own (for the "
              "CNN kernels: PyTorch's time over gaborcore's, above 1 is faster).  The FFT limit "
              "is an upper bound: a ratio near 1 means the transform runs at the speed of its "
              "FFTs alone.  librosa and the nsgt package run on one thread; their ratios at 2 "
              "threads divide by their 1-thread result.\n\n")
    out.write(".. list-table::\n   :header-rows: 1\n\n")
    out.write("   * - measurement\n     - row\n     - compared with\n     - 1 thread\n"
              "     - 2 threads\n")
    for cells in summary_rows(tables):
        out.write("".join(f"   {'*' if j == 0 else ' '} - {escape(c)}\n"
                          for j, c in enumerate(cells)))
    return out.getvalue()


def render_tables(runs: list[Run], tables: list[Table]) -> str:
    out = io.StringIO()
    out.write(".. This file is written by docs/render_performance.py from "
              "benchmarks/results/compare-*.txt; do not edit it.\n\n")
    out.write("Every row as ``compare.py`` printed it (best of 3 calls after a warm-up; "
              "``audio s/s`` is seconds of audio per second; ``/ X`` is the row's throughput "
              "over row X's; ``peak/(in+out)`` is the peak memory of a call over its input and "
              "output, ``-`` where not measured).\n\n")
    for table in tables:
        out.write(f"**{table.title}** (``{table.source}``)\n\n")
        out.write(rst_table(table))
        for note in table.notes:
            out.write(f"\n| {note}")
        out.write("\n\n" if table.notes else "\n")
    notes = list(dict.fromkeys(n for run in runs for n in run.notes))
    if notes:
        out.write("Notes printed by ``compare.py``:\n\n")
        for note in notes:
            out.write(f"* {note}\n")
    return out.getvalue()


# ---- plots -------------------------------------------------------------------------------------


def _figure(nrows: int, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, height * nrows + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, 1, squeeze=False)[:, 0]


def _save(fig, path: Path) -> None:
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    buf.seek(0)
    with Image.open(buf) as image:
        image.convert("RGB").quantize(colors=64).save(path, optimize=True)


COLOURS = {"1": "#1f77b4", "2": "#ff7f0e"}


def audio_plot(tables: list[Table], path: Path) -> bool:
    """Throughput relative to the reference library, one panel per audio table."""
    panels = [t for t in tables if not t.is_nn and "audio s/s" in t.columns]
    if not panels:
        return False
    fig, axes = _figure(len(panels), 2.3)
    for ax, table in zip(axes, panels, strict=True):
        names = list(dict.fromkeys(r[0] for r in table.rows))
        rates = {(r[0], r[1]): float(r[3]) for r in table.rows}
        reference = next((n for n in ("librosa", "nsgt") if (n, "1") in rates),
                         next(n for n in names if "FFT limit" in n))
        ref_rate = rates[(reference, "1")]
        for k, workers in enumerate(("1", "2")):
            ys = [i + (k - 0.5) * 0.38 for i, n in enumerate(names) if (n, workers) in rates]
            xs = [rates[(n, workers)] / ref_rate for n in names if (n, workers) in rates]
            ax.barh(ys, xs, height=0.36, color=COLOURS[workers],
                    label=f"{workers} thread{'s' if workers != '1' else ''}")
        ax.set_yticks(range(len(names)), names, fontsize=8)
        ax.invert_yaxis()
        _log_axis(ax)
        ax.set_title(short_label(table), fontsize=9, loc="left")
        ax.set_xlabel(f"throughput / {reference}'s at 1 thread (log scale)", fontsize=8)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _save(fig, path)
    return True


def nn_label(table: Table) -> str:
    """'(a) conv2d, first layer' from the table's title."""
    title = table.short_title
    for cut in (": x ", ", 3x3", " on ("):
        title = title.split(cut)[0]
    return title


NN_BARS = (("gaborcore[c]", "1", 1.0), ("gaborcore[c]", "2", 1.0), ("gaborcore[numba]", "1", 0.45),
           ("gaborcore[numba]", "2", 0.45))


def nn_plot(tables: list[Table], path: Path) -> bool:
    """PyTorch's time over gaborcore's for every CNN table."""
    panels = [t for t in tables if t.is_nn]
    if not panels:
        return False
    fig, axes = _figure(1, 0.45 * len(panels) + 0.4)
    ax = axes[0]
    width = 0.2
    for j, (backend, workers, alpha) in enumerate(NN_BARS):
        ys, xs = [], []
        for i, table in enumerate(panels):
            names = [r[0] for r in table.rows]
            row = next((n for n in (f"{backend} out=", backend) if n in names), None)
            value = ratio(table, row, workers, "torch / row") if row else "-"
            if value != "-":
                ys.append(i + (j - 1.5) * width)
                xs.append(float(value))
        ax.barh(ys, xs, height=width * 0.95, color=COLOURS[workers], alpha=alpha,
                label=f"{backend}, {workers} thread{'s' if workers != '1' else ''}")
    ax.set_yticks(range(len(panels)), [nn_label(t) for t in panels], fontsize=8)
    ax.invert_yaxis()
    _log_axis(ax)
    ax.set_xlabel("PyTorch's time / gaborcore's (log scale; > 1: gaborcore is faster)", fontsize=8)
    ax.set_title("CNN kernels against PyTorch on the CPU, float32, same threads", fontsize=9,
                 loc="left")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _save(fig, path)
    return True


def _log_axis(ax) -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator

    ax.set_xscale("log")
    ax.axvline(1.0, color="k", linewidth=0.8)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=()))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.tick_params(axis="x", labelsize=8)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="results files (default: benchmarks/results/compare-*.txt)")
    args = parser.parse_args(argv)
    files = args.files or sorted(RESULTS.glob("compare-*.txt"))
    if not files:
        parser.error(f"no results files in {RESULTS}")
    runs = [parse(path) for path in files]
    tables = merge([table for run in runs for table in run.tables])
    INCLUDE.write_text(render_include(runs, tables))
    TABLES.write_text(render_tables(runs, tables))
    print(f"{INCLUDE}, {TABLES.name}: {len(tables)} tables from {len(runs)} files")
    for name, draw in (("performance_audio.png", audio_plot), ("performance_nn.png", nn_plot)):
        path = STATIC / name
        if draw(tables, path):
            print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")
    (RESULTS / "compare.json").write_text(
        json.dumps([asdict(run) for run in runs], indent=1) + "\n")
    print(f"{RESULTS / 'compare.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
