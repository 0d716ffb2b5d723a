"""The CNN kernels of :mod:`gaborcore.nn` against PyTorch (``--tasks nn`` of compare.py).

Six tables of fixed workloads (the data, weights and networks of the asv suite's
``bench_nn``), each timed per workers count with PyTorch under ``torch.set_num_threads``;
compare.py's docstring says what every row computes.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable

import numpy as np
from _compare_run import Call, Row, Task, Unavailable, gaborcore_backend, import_module, time_rows
from _compare_table import Measurement, Table, print_table

NN_KEY = "nn"
NN_CONV_FIRST = ((32, 1, 128, 130), (32, 1, 3, 3))
NN_CONV_MANY = ((32, 32, 64, 65), (64, 32, 3, 3))
NN_POOL_SHAPE = (32, 64, 128, 130)
NN_POOL_BLOCK = 3  # 3x3 blocks, stride 3
NN_NET_SHAPE = (32, 1, 80, 115)
NN_BACKENDS = ("c", "numba", "numpy")

NNFactory = Callable[[int], Call]  # workers -> the call to time


def _bench_nn():
    """The asv suite's nn module (its data and network factories); Unavailable without gaborcore."""
    import_module("gaborcore")
    from benchmarks import bench_nn

    return bench_nn


def _gaborcore_nn(backend: str):
    gaborcore_backend(backend)
    return import_module("gaborcore.nn")


def _torch_nn():
    return import_module("torch")


@functools.cache
def _nn_conv_data(x_shape: tuple, w_shape: tuple) -> tuple[np.ndarray, ...]:
    """x, w, b of a convolution workload: the seeded arrays of bench_nn's ``_Conv``."""
    bench = _bench_nn()
    fan_in = w_shape[1] * w_shape[2] * w_shape[3]
    return (
        bench._array(x_shape, 1),
        bench._array(w_shape, 2, scale=fan_in**-0.5),
        bench._array((w_shape[0],), 3, scale=0.1),
    )


@functools.cache
def _nn_torch_tensor(kind: str, index: int = 0):
    """A torch copy of one of the workload arrays (cached: the pooling input is 136 MB)."""
    torch = _torch_nn()
    if kind == "pool":
        array = _bench_nn()._array(NN_POOL_SHAPE, 4, nonneg=True)
    elif kind == "net":
        array = _bench_nn()._array(NN_NET_SHAPE, 5, nonneg=True)
    else:
        array = _nn_conv_data(*(NN_CONV_FIRST if kind == "conv-a" else NN_CONV_MANY))[index]
    return torch.from_numpy(array.copy())  # the cached arrays are read-only


def nn_conv_gaborcore(shapes: tuple, backend: str, out: bool) -> NNFactory:
    """gaborcore.nn.conv2d, padding "same", into ``out=`` or allocating."""

    def make(workers):
        gnn = _gaborcore_nn(backend)
        x, w, b = _nn_conv_data(*shapes)
        opts = {"padding": "same", "workers": workers, "backend": backend}
        if out:
            shape = gnn.conv_output_shape(x.shape, w.shape, padding="same")
            opts["out"] = np.zeros(shape, x.dtype)
        return lambda: gnn.conv2d(x, w, b, **opts)

    return make


def nn_conv_torch(kind: str) -> NNFactory:
    """torch.nn.functional.conv2d with padding (kh // 2, kw // 2) (= "same" for odd kernels)."""

    def make(workers):
        torch = _torch_nn()
        x, w, b = (_nn_torch_tensor(kind, i) for i in range(3))
        pad = (w.shape[2] // 2, w.shape[3] // 2)
        return lambda: torch.nn.functional.conv2d(x, w, b, padding=pad)

    return make


def nn_pool_gaborcore(p: float, backend: str, out: bool) -> NNFactory:
    """gaborcore.nn.lp_pool2d (finite ``p``) or max_pool2d (``p = inf``), 3x3, stride 3."""

    def make(workers):
        gnn = _gaborcore_nn(backend)
        x = _bench_nn()._array(NN_POOL_SHAPE, 4, nonneg=True)
        opts = {"kernel_size": NN_POOL_BLOCK, "workers": workers, "backend": backend}
        if out:
            opts["out"] = np.zeros(gnn.pool_output_shape(x.shape, kernel_size=3), x.dtype)
        if math.isinf(p):
            return lambda: gnn.max_pool2d(x, **opts)
        return lambda: gnn.lp_pool2d(x, p=p, **opts)

    return make


def nn_pool_torch(p: float) -> NNFactory:
    """torch.nn.functional.lp_pool2d(x, p, 3) or max_pool2d(x, 3)."""

    def make(workers):
        functional = _torch_nn().nn.functional
        x = _nn_torch_tensor("pool")
        if math.isinf(p):
            return lambda: functional.max_pool2d(x, NN_POOL_BLOCK)
        return lambda: functional.lp_pool2d(x, p, NN_POOL_BLOCK)

    return make


def nn_net_gaborcore(backend: str) -> NNFactory:
    """bench_nn.paper_network().forward (no out=: allocates its result)."""

    def make(workers):
        _gaborcore_nn(backend)
        bench = _bench_nn()
        net = bench.paper_network()
        x = bench._array(NN_NET_SHAPE, 5, nonneg=True)
        return lambda: net.forward(x, workers=workers, backend=backend)

    return make


def nn_net_torch(workers):
    """bench_nn.paper_network_torch(torch) under torch.no_grad()."""
    torch = _torch_nn()
    net = _bench_nn().paper_network_torch(torch)
    x = _nn_torch_tensor("net")

    def call():
        with torch.no_grad():
            return net(x)

    return call


def _nn_rows(gaborcore_make, torch_make: NNFactory, out: bool) -> tuple[Row, ...]:
    """gaborcore per backend (``out=`` where ``out``), gaborcore[c] allocating, then torch."""
    suffix = " out=" if out else ""
    output = "allocates" if not out else "out="
    rows = [Row(f"gaborcore[{b}]{suffix}", gaborcore_make(b, out), output=output)
            for b in NN_BACKENDS]
    if out:
        rows.insert(1, Row("gaborcore[c] new", gaborcore_make("c", False), output="allocates"))
    rows.append(Row("torch", torch_make, output="allocates"))
    return tuple(rows)


def _nn_table(title: str, rows: tuple[Row, ...], **target) -> Task:
    return Task(title, rows, baselines=("torch",), key=NN_KEY, workloads=(), **target)


def nn_tasks() -> tuple[Task, ...]:
    """The six tables, each a :class:`Task` on a fixed workload, compared with its torch row."""
    faster = {"target": "faster than torch (torch / row > 1)", "min_ratio": 1.0}
    tables = []
    for label, kind, shapes, target in (
        ("(a) conv2d, first layer", "conv-a", NN_CONV_FIRST, faster),
        (
            "(b) conv2d, many channels",
            "conv-b",
            NN_CONV_MANY,
            {
                "target": "within 1.5x of torch (torch / row >= 1/1.5)",
                "min_ratio": 1 / 1.5,
                "strict": False,
            },
        ),
    ):
        x_shape, w_shape = shapes
        tables.append(
            _nn_table(
                f'{label}: x {x_shape}, w {w_shape}, padding "same"',
                _nn_rows(
                    lambda b, out, shapes=shapes: nn_conv_gaborcore(shapes, b, out),
                    nn_conv_torch(kind),
                    out=True,
                ),
                **target,
            )
        )
    for p, name in ((2.0, "Lp pooling p=2"), (3.0, "Lp pooling p=3"), (math.inf, "max pooling")):
        tables.append(
            _nn_table(
                f"(c) {name}, 3x3 blocks, stride 3, on {NN_POOL_SHAPE} (non-negative)",
                _nn_rows(
                    lambda b, out, p=p: nn_pool_gaborcore(p, b, out), nn_pool_torch(p), out=True
                ),
                **faster,
            )
        )
    tables.append(
        _nn_table(
            f"(d) paper-style network (2 conv + max pool, 2 dense) on {NN_NET_SHAPE}",
            _nn_rows(lambda b, out: nn_net_gaborcore(b), nn_net_torch, out=False),
        )
    )
    return tuple(tables)


NN_NOTES = (
    "output 'out=': gaborcore writes into an array preallocated before timing; 'allocates': a "
    "fresh result per call (PyTorch always; gaborcore[c] new; Network.forward, which has no out= "
    "and reuses per-thread buffers for the layers before its (32, 1) result).",
    "torch / row: PyTorch's best time over the row's at the same workers (> 1: gaborcore is "
    "faster); PyTorch runs under torch.set_num_threads(workers).",
    "(c) PyTorch's lp_pool2d takes no absolute value; the data are non-negative, so both compute "
    "the same norms.",
)


def run_nn_table(task: Task, workers_list, repeat: int) -> Table:
    """One CNN table: every row at each workers count, the rows of one count timed together.

    PyTorch runs under ``torch.set_num_threads(workers)`` (restored at the end).
    """
    torch = None
    with contextlib.suppress(Unavailable):
        torch = _torch_nn()
    saved = torch.get_num_threads() if torch is not None else None
    try:
        timed, problems = time_rows(
            task.rows,
            workers_list,
            repeat,
            lambda row, workers: row.make(workers),
            per_workers=True,
            before=torch.set_num_threads if torch is not None else None,
        )
    finally:
        if torch is not None:
            torch.set_num_threads(saved)
    table = Table(
        title=f"{task.title}; target: {task.target or 'none'}",
        columns=["row", "output", "workers", "best ms", "torch / row", "target"],
        rows=[Measurement(row.name, w, t, output=row.output) for row, w, t in timed],
        task=task.key,
        ratio_fallback=False,
        target=None if task.min_ratio is None else {"min_ratio": task.min_ratio,
                                                     "strict": task.strict},
        problems=problems,
    )
    table.compute_ratios()
    return table


def run_nn(workers_list, repeat: int, record) -> None:
    """The ``nn`` task: every table of :func:`nn_tasks`, printed as it is measured and passed
    to ``record`` (the caller prints :data:`NN_NOTES`)."""
    try:
        torch = _torch_nn()
        version = f"torch {torch.__version__}"
    except Unavailable as exc:
        version = f"torch rows skipped: {exc}"
    print(
        f"\nCNN kernels of gaborcore.nn against PyTorch on the CPU, float32 ({version}); best of "
        f"{repeat} calls after one warm-up, per workers count"
    )
    for task in nn_tasks():
        table = run_nn_table(task, workers_list, repeat)
        print_table(table)
        record(table)
