"""CNN front-end kernels of :mod:`gaborcore.nn`, side by side with PyTorch on the CPU.

The CNN front-end workloads, float32, from seeded generators:

* (a) ``Conv2dFirstLayer``: batch 32, 1 -> 32 channels, 3x3 kernels, 128 x 130 inputs,
  padding "same" (PyTorch: ``padding=1``);
* (b) ``Conv2dManyChannels``: batch 32, 32 -> 64 channels, 3x3, 64 x 65 inputs, "same";
* (c) ``Pooling``: Lp pooling with p = 2 and p = 3, and max pooling, 3x3 blocks with stride 3,
  on a (32, 64, 128, 130) array of non-negative values (the output of a ReLU: PyTorch's
  ``lp_pool2d`` has no absolute value, so both compute the same thing there);
* (d) ``PaperNetwork``: two convolution layers with pooling and two dense layers, in the style of
  the paper's section III, on a batch of 32 mel spectrograms of 80 x 115::

      Conv2d(1, 32, 3x3) - LeakyReLU - MaxPool 3x3 - Conv2d(32, 32, 3x3) - LeakyReLU - MaxPool 3x3
      - Flatten - Dense(2816, 256) - LeakyReLU - Dense(256, 1)

Every benchmark is parametrised over ``backend`` ("c", "numba", "numpy", or "torch":
``torch.nn.functional`` / the same ``nn.Sequential`` under ``torch.no_grad()``) and ``workers``
(1 or 2 threads; PyTorch runs under ``torch.set_num_threads(workers)``).  Unavailable backends
(and PyTorch when it is not installed) are skipped through ``NotImplementedError``.  ``time_*``
calls allocate their result as PyTorch does; the convolutions also have ``output="out"``, where
gaborcore writes into a preallocated array (``out=``, no first-touch page faults of a fresh
output; PyTorch has no such argument).

asv re-runs ``setup()`` before every sample: data, weights and networks are built once per
process (cached), and the first setup of a process runs the call once as a warm-up (JIT
compilation, thread start-up, page faults of the buffers).
"""

from __future__ import annotations

import functools

import numpy as np

import gaborcore
import gaborcore.nn as gnn

BACKENDS = ["c", "numba", "numpy", "torch"]
WORKERS = [1, 2]
_WARMED: set[tuple] = set()


def _torch(workers: int):
    """The torch module, set to ``workers`` threads (NotImplementedError when not installed)."""
    try:
        import torch
    except ImportError:
        raise NotImplementedError("torch is not installed") from None
    torch.set_num_threads(workers)
    return torch


def _require(backend: str, workers: int):
    if backend == "torch":
        return _torch(workers)
    if backend not in gaborcore.available_backends():
        raise NotImplementedError(f"backend {backend!r} is not available here")
    return None


@functools.cache
def _array(shape: tuple[int, ...], seed: int, scale: float = 1.0, nonneg: bool = False):
    """Seeded float32 data, read-only, cached for the life of the process."""
    x = np.random.default_rng(seed).standard_normal(shape, dtype=np.float32) * np.float32(scale)
    if nonneg:
        np.abs(x, out=x)
    x.setflags(write=False)
    return x


@functools.cache
def _buffer(shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(shape, np.float32)
    out.fill(0)
    return out


def _warm_once(bench, method, *params):
    key = (type(bench).__name__, method.__name__, params)
    if key not in _WARMED:
        method(*params)
        _WARMED.add(key)


class _Conv:
    """A convolution layer workload (not itself a benchmark)."""

    params = (BACKENDS, WORKERS, ["new", "out"])
    param_names = ["backend", "workers", "output"]
    timeout = 300.0
    x_shape: tuple
    w_shape: tuple

    def setup(self, backend, workers, output):
        torch = _require(backend, workers)
        self.x = _array(self.x_shape, 1)
        fan_in = self.w_shape[1] * self.w_shape[2] * self.w_shape[3]
        self.w = _array(self.w_shape, 2, scale=fan_in ** -0.5)
        self.b = _array((self.w_shape[0],), 3, scale=0.1)
        if torch is not None:
            if output == "out":
                raise NotImplementedError("PyTorch's conv2d has no out= argument")
            x, w, b = (torch.from_numpy(a.copy()) for a in (self.x, self.w, self.b))
            pad = (self.w_shape[2] // 2, self.w_shape[3] // 2)
            self.call = lambda: torch.nn.functional.conv2d(x, w, b, padding=pad)
        else:
            opts = dict(padding="same", workers=workers, backend=backend)
            if output == "out":
                opts["out"] = _buffer(gnn.conv_output_shape(self.x_shape, self.w_shape,
                                                            padding="same"))
            self.call = lambda: gnn.conv2d(self.x, self.w, self.b, **opts)
        _warm_once(self, self.time_conv2d, backend, workers, output)

    def time_conv2d(self, backend, workers, output):
        """``output="new"``: a fresh result per call (as PyTorch); ``"out"``: into ``out=``."""
        self.call()


class Conv2dFirstLayer(_Conv):
    """(a) The first layer: batch 32, 1 -> 32 channels, 3x3, on 128 x 130, padding "same"."""

    x_shape = (32, 1, 128, 130)
    w_shape = (32, 1, 3, 3)


class Conv2dManyChannels(_Conv):
    """(b) Many channels: batch 32, 32 -> 64 channels, 3x3, on 64 x 65, padding "same"."""

    x_shape = (32, 32, 64, 65)
    w_shape = (64, 32, 3, 3)


class Pooling:
    """(c) Lp (p = 2, 3) and max pooling, 3x3 blocks, stride 3, on (32, 64, 128, 130)."""

    params = (BACKENDS, WORKERS, ["lp2", "lp3", "max"])
    param_names = ["backend", "workers", "pooling"]
    timeout = 300.0
    shape = (32, 64, 128, 130)

    def setup(self, backend, workers, pooling):
        torch = _require(backend, workers)
        self.x = _array(self.shape, 4, nonneg=True)
        if torch is not None:
            x = torch.from_numpy(self.x.copy())
            F = torch.nn.functional
            self.call = {
                "lp2": lambda: F.lp_pool2d(x, 2, 3),
                "lp3": lambda: F.lp_pool2d(x, 3, 3),
                "max": lambda: F.max_pool2d(x, 3),
            }[pooling]
        else:
            opts = dict(kernel_size=3, workers=workers, backend=backend)
            self.call = {
                "lp2": lambda: gnn.lp_pool2d(self.x, p=2, **opts),
                "lp3": lambda: gnn.lp_pool2d(self.x, p=3, **opts),
                "max": lambda: gnn.max_pool2d(self.x, **opts),
            }[pooling]
        _warm_once(self, self.time_pooling, backend, workers, pooling)

    def time_pooling(self, backend, workers, pooling):
        self.call()


@functools.cache
def _paper_weights() -> tuple[np.ndarray, ...]:
    """Seeded weights of the (d) network: conv1 w, b, conv2 w, b, dense1 w, b, dense2 w, b."""
    shapes = [(32, 1, 3, 3), (32,), (32, 32, 3, 3), (32,), (256, 32 * 8 * 11), (256,),
              (1, 256), (1,)]
    out = []
    for k, shape in enumerate(shapes):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 10
        out.append(_array(shape, 10 + k, scale=fan_in ** -0.5))
    return tuple(out)


@functools.cache
def paper_network() -> gaborcore.nn.Network:
    """The (d) network in gaborcore (leaky ReLU slope 0.01, "valid" convolutions)."""
    c1w, c1b, c2w, c2b, d1w, d1b, d2w, d2b = _paper_weights()
    return gnn.Network([
        gnn.Conv2d(c1w, c1b), gnn.LeakyReLU(0.01), gnn.MaxPool2d(kernel_size=3),
        gnn.Conv2d(c2w, c2b), gnn.LeakyReLU(0.01), gnn.MaxPool2d(kernel_size=3),
        gnn.Flatten(), gnn.Dense(d1w, d1b), gnn.LeakyReLU(0.01), gnn.Dense(d2w, d2b),
    ])


@functools.cache
def paper_network_torch(torch):
    """The same network as a PyTorch ``nn.Sequential`` with the same weights."""
    tnn = torch.nn
    net = tnn.Sequential(
        tnn.Conv2d(1, 32, 3), tnn.LeakyReLU(0.01), tnn.MaxPool2d(3),
        tnn.Conv2d(32, 32, 3), tnn.LeakyReLU(0.01), tnn.MaxPool2d(3),
        tnn.Flatten(), tnn.Linear(32 * 8 * 11, 256), tnn.LeakyReLU(0.01), tnn.Linear(256, 1),
    ).eval()
    with torch.no_grad():
        for p, value in zip(net.parameters(), _paper_weights(), strict=True):
            p.copy_(torch.from_numpy(value.copy()))
    return net


class PaperNetwork:
    """(d) Two convolution layers with pooling and two dense layers on 32 mel spectrograms."""

    params = (BACKENDS, WORKERS)
    param_names = ["backend", "workers"]
    timeout = 300.0
    shape = (32, 1, 80, 115)

    def setup(self, backend, workers):
        torch = _require(backend, workers)
        self.x = _array(self.shape, 5, nonneg=True)
        if torch is not None:
            net = paper_network_torch(torch)
            x = torch.from_numpy(self.x.copy())

            def call():
                with torch.no_grad():
                    return net(x)

            self.call = call
        else:
            net = paper_network()
            self.call = lambda: net.forward(self.x, workers=workers, backend=backend)
        _warm_once(self, self.time_forward, backend, workers)

    def time_forward(self, backend, workers):
        self.call()
