"""benchmarks/compare.py's tables and docs/render_performance.py, without timing anything.

The printer, the JSON form and the docs' renderer share one data model
(``benchmarks/_compare_table.py``): a run written as JSON and read back prints the same tables,
and renders into the docs with the same cells; the committed results render into the committed
performance pages.
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _compare_table import Measurement, Run, Table, format_table  # noqa: E402


def _render_module():
    spec = importlib.util.spec_from_file_location("render_performance",
                                                  ROOT / "docs" / "render_performance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_performance = _render_module()


def _audio_table(seconds_c: float = 0.004, memory_c=None) -> Table:
    rows = [
        Measurement("gaborcore[c] out=", 1, seconds_c, 60 / seconds_c),
        Measurement("gaborcore[c] out=", 2, 0.0025, 60 / 0.0025),
        Measurement("gaborcore[c] new", 1, 0.0045, 60 / 0.0045,
                    memory=memory_c or {"peak": 1.004, "extra": 1.0, "method": "ru_maxrss"}),
        Measurement("gaborcore[numpy] new", 1, 0.04, 60 / 0.04,
                    memory={"error": "AttributeError: no"}),
        Measurement("librosa", 1, 0.018, 60 / 0.018, memory={"peak": 5.58, "extra": 23.9}),
        Measurement("FFT limit", 1, 0.0041, 60 / 0.0041),
        Measurement("FFT limit", 2, 0.0022, 60 / 0.0022),
    ]
    table = Table(
        title="mel spectrogram, float32, 128 bands; workload 60s: 1 x 60 s at 22050 Hz",
        columns=["row", "workers", "best ms", "audio s/s", "/ FFT limit", "/ librosa",
                 "peak/(in+out)", "extra/out"],
        rows=rows, task="mel", workload="60s",
        problems=["skipped gaborcore[numba] out=: gaborcore backend 'numba' is not available"],
        notes=["memory probe of gaborcore[numpy] new failed: AttributeError: no"],
    )
    table.compute_ratios()
    return table


def _nn_table() -> Table:
    rows = [Measurement(name, w, t, output=out) for name, out, w, t in (
        ("gaborcore[c] out=", "out=", 1, 0.00967), ("gaborcore[c] out=", "out=", 2, 0.01323),
        ("gaborcore[numpy] out=", "out=", 1, 0.48885), ("torch", "allocates", 1, 0.07051),
        ("torch", "allocates", 2, 0.05391))]
    table = Table(
        title='(a) conv2d, first layer: x (32, 1, 128, 130), w (32, 1, 3, 3), padding "same"; '
        "target: faster than torch (torch / row > 1)",
        columns=["row", "output", "workers", "best ms", "torch / row", "target"],
        rows=rows, task="nn", ratio_fallback=False, target={"min_ratio": 1.0, "strict": True},
    )
    table.compute_ratios()
    return table


def _run(tables, started="2026-12-03T09:11:30Z") -> Run:
    return Run(started=started, finished="2026-12-03T09:12:14Z", commit="3336555",
               load="2.41 3.00 3.49", finished_load="3.36 3.16 3.52",
               machine={"processor": "x86_64", "cpus": 2, "python": "3.11.7"},
               versions={"gaborcore": "0.1.0", "numpy": "2.4.6", "torch": "2.13.0+cpu"},
               repeat=3, tables=tables, notes=["librosa is single-threaded."])


def _printed_cells(table: Table) -> list[list[str]]:
    """The cells of the printed rows (columns are two or more spaces apart)."""
    lines = format_table(table)
    start = lines.index(table.title) + 3
    return [re.split(r"\s{2,}", line.strip()) for line in lines[start:start + len(table.rows)]]


def _rst_cells(rst: str, title: str) -> list[list[str]]:
    """The body cells of the list-table after ``**title**`` in rendered reStructuredText."""
    block = rst.split(f"**{title}**", 1)[1].split("\n\n**", 1)[0]
    rows: list[list[str]] = []
    for line in block.splitlines():
        m = re.match(r"   ([* ]) - (.*)", line)
        if m:
            if m.group(1) == "*":
                rows.append([])
            rows[-1].append(m.group(2).strip("`").removeprefix("\\"))
    return rows[1:]


def test_compare_help():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare.py"), "--help"],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    for option in ("--tasks", "--workers", "--repeat", "--quick", "--workloads", "--json"):
        assert option in proc.stdout


def test_printed_table():
    table = _audio_table()
    lines = format_table(table)
    assert lines[:3] == [f"  {table.problems[0]}", "", table.title]
    assert lines[3].split() == ["row", "workers", "best", "ms", "audio", "s/s", "/", "FFT",
                                "limit", "/", "librosa", "peak/(in+out)", "extra/out"]
    assert set(lines[4]) == {"-"} and len(lines[4]) == len(lines[3])
    assert all(len(line) == len(lines[3]) for line in lines[5:5 + len(table.rows)])
    cells = dict((tuple(c[:2]), c) for c in _printed_cells(table))
    # ratios divide by the baseline at the same workers, else at its fewest (librosa: 1 thread)
    assert cells["gaborcore[c] out=", "2"][4:6] == ["0.880", "7.200"]
    assert cells["librosa", "1"][5:] == ["1.000", "5.58", "23.90"]
    assert cells["gaborcore[numpy] new", "1"][6:] == ["error", "error"]
    assert lines[-1] == f"  {table.notes[0]}"
    nn = {tuple(c[:3]): c for c in _printed_cells(_nn_table())}
    assert nn["gaborcore[c] out=", "out=", "1"][4:] == ["7.292", "met"]
    assert nn["gaborcore[numpy] out=", "out=", "1"][4:] == ["0.144", "missed"]
    assert nn["torch", "allocates", "2"][4:] == ["1.000", "-"]


def test_json_round_trip_renders_the_printed_tables(tmp_path):
    run = _run([_audio_table(), _nn_table()])
    path = tmp_path / "compare-test.json"
    run.write(path)
    back = Run.read(path)
    assert back.to_json() == run.to_json()
    assert [format_table(t) for t in back.tables] == [format_table(t) for t in run.tables]
    runs, tables, include, full = render_performance.render([path])
    assert [t.title for t in tables] == [t.title for t in run.tables]
    for table in run.tables:
        assert _rst_cells(full, table.title) == _printed_cells(table)
    assert "``compare-test.json``" in include and "torch 2.13.0+cpu" in include
    assert "* librosa is single-threaded." in full


def test_merged_runs_keep_the_fastest_row(tmp_path):
    slow = _audio_table(seconds_c=0.008, memory_c={"error": "AttributeError: no"})
    fast = _audio_table(seconds_c=0.002)
    _run([slow]).write(tmp_path / "compare-a.json")
    _run([fast], started="2026-12-03T10:00:00Z").write(tmp_path / "compare-b.json")
    _, tables, _, full = render_performance.render(sorted(tmp_path.glob("compare-*.json")))
    (merged,) = tables
    assert merged.source == "compare-a.json, compare-b.json"
    row = merged.find("gaborcore[c] out=", 1)
    assert row.seconds == 0.002 and row.ratios["FFT limit"] == pytest.approx(0.0041 / 0.002)
    assert merged.find("gaborcore[c] new", 1).memory["peak"] == 1.004  # the probe that worked
    assert _rst_cells(full, merged.title)[0][:5] == ["gaborcore[c] out=", "1", "2.00", "30000",
                                                     "2.050"]


def test_committed_results_render_the_committed_pages():
    files = sorted((ROOT / "benchmarks" / "results").glob("compare-*.json"))
    assert files
    _, _, include, full = render_performance.render(files)
    assert include == render_performance.INCLUDE.read_text()
    assert full == render_performance.TABLES.read_text()


def test_time_rows_reports_skipped_and_failed_rows():
    from _compare_run import Row, Unavailable, time_rows

    def missing(workers):
        raise Unavailable("not installed")

    def broken(workers):
        raise ValueError("bad")

    def fails_when_called(workers):
        return lambda: 1 / 0

    rows = (Row("ok", lambda workers: lambda: None), Row("missing", missing),
            Row("broken", broken), Row("raises", fails_when_called),
            Row("one thread", lambda workers: lambda: None, workers=(1,)))
    for per_workers in (False, True):
        timed, problems = time_rows(rows, [1, 2], 1, lambda row, w: row.make(w),
                                    per_workers=per_workers)
        assert [(row.name, w) for row, w, _ in timed] == [("ok", 1), ("ok", 2), ("one thread", 1)]
        assert problems == [
            "skipped missing: not installed",
            "FAILED broken (1 w): ValueError: bad",
            "FAILED raises (1 w): ZeroDivisionError: division by zero",
            "FAILED broken (2 w): ValueError: bad",
            "FAILED raises (2 w): ZeroDivisionError: division by zero",
        ] if per_workers else [
            "skipped missing: not installed",
            "FAILED broken (1 w): ValueError: bad",
            "FAILED broken (2 w): ValueError: bad",
            "FAILED raises (1 w): ZeroDivisionError: division by zero",
            "FAILED raises (2 w): ZeroDivisionError: division by zero",
        ]


def test_extract_rows_as_a_table():
    # the extraction task's measurements go through the same table as the others: the bare
    # kernel at each thread count, the job's rows over the kernel with as many threads, the
    # 0.7 target, and where the time went as notes
    spec = importlib.util.spec_from_file_location("compare_script", ROOT / "benchmarks" / "compare.py")
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    rows = [{"runner": f"threads-{w}", "workers": w, "audio_seconds": 3000.0, "seconds": s,
             "audio_seconds_per_second": 3000.0 / s, "decode_share": 0.1, "compute_share": 0.9,
             "write_seconds": 0.02, "kernel_audio_seconds_per_second": k,
             "ratio_to_kernel": 3000.0 / s / k, "kernel_1_thread": 10000.0}
            for w, s, k in ((1, 0.33, 10000.0), (2, 0.25, 20000.0))]
    writer = {"seconds": 0.06, "cpu_seconds": 0.06, "thread_seconds": 0.003,
              "audio_seconds_per_second": 50000.0}
    table = compare.extract_table(rows, writer, 1000, 3, 1024)
    got = {(m.row, m.workers): (round(m.ratios["bare mel kernel"], 3), m.target) for m in table.rows}
    assert got == {("bare mel kernel", 1): (1.0, "-"), ("bare mel kernel", 2): (1.0, "-"),
                   ("extract threads-1", 1): (0.909, "met"),
                   ("extract threads-2", 2): (0.6, "missed")}
    text = "\n".join(format_table(table))
    assert "extract threads-2: workers' time 10% decoding" in text and "writer alone" in text


def test_scaling_script_runs_and_its_figures_follow_from_its_timings(tmp_path):
    # benchmarks/scaling.py: the three blocks (1 thread, 2 threads, 2 processes) of one cycle, one
    # call each, of the smallest kernel; what it asserts is the bookkeeping, not any speed
    out = tmp_path / "scaling.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--kernels", "nsgt-inverse",
         "--cycles", "1", "--calls", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "nsgt-inverse" in proc.stdout and "median" in proc.stdout
    result = json.loads(out.read_text())["results"]
    assert [r["kernel"] for r in result] == ["nsgt-inverse"]
    (cycle,) = result[0]["cycles"]
    assert all(cycle[key] > 0 for key in ("t1", "t2", "tp"))
    assert cycle["threads"] == pytest.approx(cycle["t1"] / cycle["t2"])
    assert cycle["ceiling"] == pytest.approx(2 * cycle["t1"] / cycle["tp"])
    assert cycle["efficiency"] == pytest.approx(cycle["threads"] / cycle["ceiling"])
    assert result[0]["median"] == cycle


def test_scaling_script_refuses_what_it_cannot_measure():
    script = str(ROOT / "benchmarks" / "scaling.py")
    for args in (["--cycles", "0"], ["--kernels", "fft"]):
        proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True)
        assert proc.returncode == 2 and "error" in proc.stderr
