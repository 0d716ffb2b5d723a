"""CNN kernels in vectorised NumPy: the executable specification of the C and numba kernels.

Same functions and signatures as ``gaborcore._ext._nn``::

    conv2d(x, w, bias, out, stride, dilation, pads, circular, flip, act, act_param, n_threads)
    dense(x, w, bias, out, act, act_param, n_threads)
    pool2d(x, out, kind, kernel, stride, padding, p, count_include_pad, n_threads)
    activation(x, out, act, act_param, n_threads)

Arrays are C-contiguous and of one precision (the public module :mod:`gaborcore.nn` sees to it).
Work is split into items whose results do not depend on how the items are grouped (one image,
one chunk of planes, one chunk of elements), so the output does not depend on ``n_threads``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._backend import thread_pool

ACT_NONE, ACT_RELU, ACT_LEAKY_RELU, ACT_ABS, ACT_TANH, ACT_SIGMOID, ACT_LOG1P = range(7)
POOL_MAX, POOL_AVG, POOL_LP = 0, 1, 2
# elements per work item of the elementwise and pooling kernels
_CHUNK = 1 << 16


def _run_parallel(fn, items: int, n_threads: int, per_item: int = 1, merge: bool = True) -> None:
    """Call ``fn(lo, hi)`` over ``range(items)`` on up to ``n_threads`` threads of the shared pool.

    The range is cut into chunks of ``per_item`` items.  With ``merge`` (``fn`` treats every item
    on its own, so grouping does not change results) consecutive chunks are passed to ``fn`` as
    one range, a few per thread; otherwise ``fn`` is called once per chunk.
    """
    n_chunks = -(-items // per_item)
    n_threads = max(1, min(n_threads, n_chunks))
    if merge:
        n_groups = 1 if n_threads == 1 else min(n_chunks, 4 * n_threads)
        edges = [min(items, (n_chunks * g // n_groups) * per_item) for g in range(n_groups + 1)]
        calls = [[(a, b)] for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    else:
        chunks = [(a, min(a + per_item, items)) for a in range(0, items, per_item)]
        n_groups = min(len(chunks), 4 * n_threads)
        calls = [chunks[len(chunks) * g // n_groups:len(chunks) * (g + 1) // n_groups]
                 for g in range(n_groups)]

    def run(group):
        for a, b in group:
            fn(a, b)

    if n_threads == 1:
        for group in calls:
            run(group)
        return
    pool = thread_pool(n_threads)
    for f in [pool.submit(run, group) for group in calls]:
        f.result()


def apply_activation(v: np.ndarray, act: int, param: float) -> None:
    """``v = act(v)`` in place."""
    if act == ACT_RELU:
        # the C kernels' "v > 0 ? v : 0": NaN gives 0 as -inf does
        np.copyto(v, 0, where=~(v > 0))
    elif act == ACT_LEAKY_RELU:
        np.copyto(v, v * v.dtype.type(param), where=v < 0)
    elif act == ACT_ABS:
        np.abs(v, out=v)
    elif act == ACT_TANH:
        np.tanh(v, out=v)
    elif act == ACT_SIGMOID:
        np.negative(v, out=v)
        np.exp(v, out=v)
        v += 1
        np.reciprocal(v, out=v)
    elif act == ACT_LOG1P:
        np.copyto(v, 0, where=~(v > 0))  # log1p of the ReLU, as the C kernels
        v *= v.dtype.type(param)
        np.log1p(v, out=v)


def activation(x, out, act, act_param, n_threads):
    xf = x.reshape(-1)
    of = out.reshape(-1)

    def work(lo, hi):
        if of is not xf:
            of[lo:hi] = xf[lo:hi]
        apply_activation(of[lo:hi], act, act_param)

    _run_parallel(work, xf.size, n_threads, _CHUNK)
    return out


def _windows(xp: np.ndarray, kernel, stride, dilation, out_hw) -> np.ndarray:
    """View (..., oh, ow, kh, kw) of the windows of the padded planes xp (..., Hp, Wp)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    win = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(-2, -1))
    return win[..., : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw, ::dh, ::dw]


def conv2d(x, w, bias, out, stride, dilation, pads, circular, flip, act, act_param, n_threads):
    pt, pb, pl, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), mode="wrap" if circular else "constant")
    if flip:
        w = w[:, :, ::-1, ::-1]
    win = _windows(xp, w.shape[2:], stride, dilation, out.shape[2:])  # (N, C, oh, ow, kh, kw)

    def work(lo, hi):
        for b in range(lo, hi):
            # one image per product, so that the result does not depend on the grouping
            res = np.tensordot(w, win[b], axes=([1, 2, 3], [0, 3, 4]))  # (C_out, oh, ow)
            if bias is not None:
                res += bias[:, None, None]
            apply_activation(res, act, act_param)
            out[b] = res

    _run_parallel(work, x.shape[0], n_threads)
    return out


def dense(x, w, bias, out, act, act_param, n_threads):
    def work(lo, hi):
        for b in range(lo, hi):
            res = w @ x[b]
            if bias is not None:
                res += bias
            apply_activation(res, act, act_param)
            out[b] = res

    _run_parallel(work, x.shape[0], n_threads)
    return out


def _pool_counts(n, k, s, p, n_out, include_pad):
    """Number of window positions inside the input (or inside the padded input) per output."""
    start = np.arange(n_out) * s - p
    end = start + k
    if include_pad:
        return np.minimum(end, n + p) - start
    return np.minimum(end, n) - np.maximum(start, 0)


def pool2d(x, out, kind, kernel, stride, padding, p, count_include_pad, n_threads):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n_planes, h, w = x.shape
    oh, ow = out.shape[1:]
    # enough padding at the end for the last (ceil-mode) window
    eh = max(ph, (oh - 1) * sh + kh - h - ph)
    ew = max(pw, (ow - 1) * sw + kw - w - pw)
    fill = -np.inf if kind == POOL_MAX else 0.0
    per_item = max(1, _CHUNK // (h * w))
    if kind == POOL_AVG:
        div = np.outer(_pool_counts(h, kh, sh, ph, oh, count_include_pad),
                       _pool_counts(w, kw, sw, pw, ow, count_include_pad)).astype(x.dtype)

    def work(lo, hi):
        v = x[lo:hi]
        if kind == POOL_LP:
            v = np.abs(v) if p != 2 else v * v
            if p not in (1, 2) and np.isfinite(p):
                v = v ** v.dtype.type(p)
        xp = np.pad(v, ((0, 0), (ph, eh), (pw, ew)), constant_values=fill)
        win = _windows(xp, (kh, kw), (sh, sw), (1, 1), (oh, ow))
        if kind == POOL_MAX or (kind == POOL_LP and np.isinf(p)):
            res = win.max(axis=(-2, -1))
        else:
            res = win.sum(axis=(-2, -1))
            if kind == POOL_AVG:
                res /= div
            elif p == 2:
                np.sqrt(res, out=res)
            elif p != 1:
                res **= res.dtype.type(1 / p)
        out[lo:hi] = res

    # one vectorised reduction per chunk of planes, whatever the thread count
    _run_parallel(work, n_planes, n_threads, per_item, merge=False)
    return out
