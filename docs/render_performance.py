"""Render the measured tables and plots of docs/performance.rst from compare.py's JSON results.

``benchmarks/compare.py --json FILE`` writes a run's results (the machine, the versions, the
time, commit and load average at the start and the end, and every table's rows); the runs behind
the performance page are kept in ``benchmarks/results/compare-*.json``.  This script reads them
(with ``benchmarks/_compare_table.py``, the module compare.py prints and writes them with) and
writes:

* ``docs/performance_results.inc`` (the runs and a summary table) and
  ``docs/performance_tables.inc`` (every table in full), in reStructuredText, included by
  ``docs/performance.rst``;
* ``docs/_static/performance_audio.png``: throughput of every row of the spectrogram, mel and
  NSGT tables, relative to librosa (or to the nsgt package);
* ``docs/_static/performance_nn.png``: PyTorch's time over gaborcore's for the CNN kernels.

Run from anywhere, after committing new results files::

    python docs/render_performance.py [benchmarks/results/compare-*.json ...]

Without arguments every ``benchmarks/results/compare-*.json`` is read, in name order.  A table
that several runs measured is merged (:func:`merge`); otherwise every cell is the one compare.py
printed, but for the ratios, which are given to three decimals.  Nothing is re-measured here.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
RESULTS = ROOT / "benchmarks" / "results"
STATIC = DOCS / "_static"
INCLUDE = DOCS / "performance_results.inc"  # the runs and the summary table
TABLES = DOCS / "performance_tables.inc"  # every table in full

sys.path.insert(0, str(ROOT / "benchmarks"))
from _compare_table import Run, Table, cell  # noqa: E402 - compare.py's tables, next to it


def ratio_3(value: float | None) -> str:
    """A ratio as the docs give it: three decimals."""
    return "-" if value is None else f"{value:.3f}"


def is_nn(table: Table) -> bool:
    return "torch / row" in table.columns


# ---- several runs of one table -----------------------------------------------------------------


def _order(table: Table) -> int:
    """compare.py's task order (within a task, the tables keep the order they were printed in)."""
    title = table.title
    if is_nn(table):
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
    columns again from the kept results, as compare.py computes them.
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
        best = {}
        for table in group:
            for m in table.rows:
                key = (m.row, m.workers)
                if key not in best or m.seconds < best[key].seconds:
                    best[key] = m
        # peak memory is measured apart from the timings: where the kept row's probe failed,
        # another run's measurement of the same row is used
        for table in group:
            for m in table.rows:
                kept = best[(m.row, m.workers)]
                if kept.memory and "error" in kept.memory and m.memory and "error" not in m.memory:
                    best[(m.row, m.workers)] = replace(kept, memory=m.memory)
        order = list(dict.fromkeys(m.row for table in group for m in table.rows))
        workers = sorted({w for _, w in best})
        rows = [replace(best[(name, w)]) for name in order for w in workers if (name, w) in best]
        failed = any(m.memory and "error" in m.memory for m in rows)
        notes = [n for t in group for n in t.notes
                 if failed or not n.startswith("memory probe of")]
        table = Table(title=title, columns=first.columns, rows=rows, task=first.task,
                      workload=first.workload, ratio_fallback=first.ratio_fallback,
                      target=first.target, notes=list(dict.fromkeys(notes)),
                      source=", ".join(dict.fromkeys(t.source for t in group)))
        table.compute_ratios()
        merged.append(table)
    return sorted(merged, key=_order)


# ---- reStructuredText --------------------------------------------------------------------------


def rst_table(table: Table) -> str:
    """A list-table of ``table`` (every row and column compare.py printed)."""
    out = io.StringIO()
    out.write(".. list-table::\n   :header-rows: 1\n\n")
    lines = [table.columns] + [[cell(c, m, ratio_3) for c in table.columns] for m in table.rows]
    for k, cells in enumerate(lines):
        for j, text in enumerate(cells):
            text = f"``{text}``" if j == 0 and k > 0 else escape(text)
            out.write(f"   {'*' if j == 0 else ' '} - {text}\n")
    return out.getvalue()


def escape(text: str) -> str:
    """A table cell as text: "-" alone or "(a) ..." would start a list in reStructuredText."""
    if text.startswith(("-", "(", "*", "+")) or re.match(r"\w[.)] ", text):
        return "\\" + text
    return text


def ratio(table: Table, row: str | None, workers: int, baseline: str) -> str:
    m = table.find(row, workers) if row else None
    return "-" if m is None else ratio_3(m.ratios.get(baseline))


def short_label(table: Table) -> str:
    """'mel spectrogram (60s)' from the table's title."""
    head, _, tail = table.title.partition("; workload ")
    return f"{head.split(', float32')[0]} ({tail.split(':')[0]})"


def summary_rows(tables: list[Table]) -> list[list[str]]:
    """[table, row, compared with, ratio at 1 thread, at 2 threads] of gaborcore's C rows."""
    rows = []
    for table in tables:
        if is_nn(table):
            continue
        names = [m.row for m in table.rows]
        row = next((n for n in names if n.startswith("gaborcore[c]") and n.endswith("out=")),
                   next((n for n in names if n.startswith("gaborcore[c]")), None))
        if row is None:
            continue
        for baseline in table.baselines:
            rows.append([short_label(table), f"``{row}``", baseline,
                         ratio(table, row, 1, baseline), ratio(table, row, 2, baseline)])
        if "scipy ShortTimeFFT" in names:
            # compare.py prints no scipy column: the ratio of the throughputs
            rows.append([short_label(table), f"``{row}``", "scipy ShortTimeFFT (same threads)",
                         _rate_ratio(table, row, "scipy ShortTimeFFT", 1),
                         _rate_ratio(table, row, "scipy ShortTimeFFT", 2)])
    for table in tables:
        if is_nn(table):
            row = _c_row(table)
            rows.append([nn_label(table), f"``{row}``", "torch (its time / gaborcore's)",
                         ratio(table, row, 1, "torch"), ratio(table, row, 2, "torch")])
    return rows


def _c_row(table: Table) -> str:
    names = [m.row for m in table.rows]
    return "gaborcore[c] out=" if "gaborcore[c] out=" in names else "gaborcore[c]"


def _rate_ratio(table: Table, row: str, other: str, workers: int) -> str:
    mine, theirs = table.find(row, workers), table.find(other, workers)
    if mine is None or theirs is None:
        return "-"
    return f"{mine.audio_per_second / theirs.audio_per_second:.2f}"


HEADER = (".. This file is written by docs/render_performance.py from "
          "benchmarks/results/compare-*.json; do not edit it.\n\n")


def render_include(runs: list[Run], tables: list[Table]) -> str:
    out = io.StringIO()
    out.write(HEADER)
    out.write("The runs\n~~~~~~~~\n\n")
    out.write(".. list-table::\n   :header-rows: 1\n\n")
    out.write("   * - results file\n     - started (UTC)\n     - commit\n"
              "     - load average at start / end\n")
    for run in runs:
        out.write(f"   * - ``{run.source}``\n     - {run.started.replace('T', ' ')}\n"
                  f"     - ``{run.commit}``\n     - {run.load} / {run.finished_load}\n")
    env = list(dict.fromkeys(line for run in runs for line in run.environment()))
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
    out.write(HEADER)
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


COLOURS = {1: "#1f77b4", 2: "#ff7f0e"}


def audio_plot(tables: list[Table], path: Path) -> bool:
    """Throughput relative to the reference library, one panel per audio table."""
    panels = [t for t in tables if not is_nn(t) and "audio s/s" in t.columns]
    if not panels:
        return False
    fig, axes = _figure(len(panels), 2.3)
    for ax, table in zip(axes, panels, strict=True):
        names = list(dict.fromkeys(m.row for m in table.rows))
        rates = {(m.row, m.workers): m.audio_per_second for m in table.rows}
        reference = next((n for n in ("librosa", "nsgt") if (n, 1) in rates),
                         next(n for n in names if "FFT limit" in n))
        ref_rate = rates[(reference, 1)]
        for k, workers in enumerate((1, 2)):
            ys = [i + (k - 0.5) * 0.38 for i, n in enumerate(names) if (n, workers) in rates]
            xs = [rates[(n, workers)] / ref_rate for n in names if (n, workers) in rates]
            ax.barh(ys, xs, height=0.36, color=COLOURS[workers],
                    label=f"{workers} thread{'s' if workers != 1 else ''}")
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
    title = table.title.split("; target:")[0]
    for cut in (": x ", ", 3x3", " on ("):
        title = title.split(cut)[0]
    return title


NN_BARS = (("gaborcore[c]", 1, 1.0), ("gaborcore[c]", 2, 1.0), ("gaborcore[numba]", 1, 0.45),
           ("gaborcore[numba]", 2, 0.45))


def nn_plot(tables: list[Table], path: Path) -> bool:
    """PyTorch's time over gaborcore's for every CNN table."""
    panels = [t for t in tables if is_nn(t)]
    if not panels:
        return False
    fig, axes = _figure(1, 0.45 * len(panels) + 0.4)
    ax = axes[0]
    width = 0.2
    for j, (backend, workers, alpha) in enumerate(NN_BARS):
        ys, xs = [], []
        for i, table in enumerate(panels):
            names = [m.row for m in table.rows]
            row = next((n for n in (f"{backend} out=", backend) if n in names), None)
            m = table.find(row, workers) if row else None
            value = m.ratios.get("torch") if m else None
            if value is not None:
                ys.append(i + (j - 1.5) * width)
                xs.append(value)
        ax.barh(ys, xs, height=width * 0.95, color=COLOURS[workers], alpha=alpha,
                label=f"{backend}, {workers} thread{'s' if workers != 1 else ''}")
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


def render(files: list[Path]) -> tuple[list[Run], list[Table], str, str]:
    """The runs of ``files``, their merged tables and the two include files' text."""
    runs = [Run.read(path) for path in files]
    tables = merge([table for run in runs for table in run.tables])
    return runs, tables, render_include(runs, tables), render_tables(runs, tables)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="results files (default: benchmarks/results/compare-*.json)")
    args = parser.parse_args(argv)
    files = args.files or sorted(RESULTS.glob("compare-*.json"))
    if not files:
        parser.error(f"no results files in {RESULTS}")
    runs, tables, include, full = render(files)
    INCLUDE.write_text(include)
    TABLES.write_text(full)
    print(f"{INCLUDE}, {TABLES.name}: {len(tables)} tables from {len(runs)} files")
    for name, draw in (("performance_audio.png", audio_plot), ("performance_nn.png", nn_plot)):
        path = STATIC / name
        if draw(tables, path):
            print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
