"""CNN kernels compiled with numba: the same interface as ``gaborcore._ext._nn``.

Explicit loops, compiled once (``cache=True``) and run without the GIL; the Python driver pads
the input (NumPy) and hands items out to the shared thread pool.  Items are (image, output
channel) pairs for the convolution, images for the dense layer, chunks of planes or elements for
pooling and activations: every output value is computed by one item in a fixed order, so the
result does not depend on ``n_threads``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._numpy._nn import (
    ACT_ABS,
    ACT_LEAKY_RELU,
    ACT_LOG1P,
    ACT_RELU,
    ACT_SIGMOID,
    ACT_TANH,
    POOL_AVG,
    POOL_LP,
    POOL_MAX,
    _run_parallel,
)

_JIT = dict(cache=True, nogil=True, error_model="numpy")
_CHUNK = 1 << 16


@njit(**_JIT)
def _act(v, act, param):
    # the C kernels' semantics: "v > 0 ? v : 0" (NaN and -inf give 0, not v * 0 = NaN)
    zero = param - param  # +0 of the data type (param is finite)
    if act == ACT_RELU:
        return v if v > 0 else zero
    if act == ACT_LEAKY_RELU:
        return v if v > 0 else v * param
    if act == ACT_ABS:
        return abs(v)
    if act == ACT_TANH:
        return math.tanh(v)
    if act == ACT_SIGMOID:
        return 1 / (1 + math.exp(-v))
    if act == ACT_LOG1P:
        return math.log1p(param * (v if v > 0 else zero))
    return v


@njit(**_JIT)
def _act_range(x, out, lo, hi, act, param):
    for t in range(lo, hi):
        out[t] = _act(x[t], act, param)


def activation(x, out, act, act_param, n_threads):
    xf = x.reshape(-1)
    of = out.reshape(-1)
    param = x.dtype.type(act_param)
    _run_parallel(lambda lo, hi: _act_range(xf, of, lo, hi, act, param), xf.size, n_threads,
                  _CHUNK)
    return out


@njit(**_JIT)
def _conv_items(xp, w, bias, out, sh, sw, dh, dw, lo, hi, act, param):
    """Items (image, output channel): one row of outputs accumulated over every tap."""
    c_out, c_in, kh, kw = w.shape
    oh, ow = out.shape[2], out.shape[3]
    acc = np.empty(ow, dtype=out.dtype)
    for item in range(lo, hi):
        b = item // c_out
        o = item - b * c_out
        for i in range(oh):
            acc[:] = bias[o]
            for c in range(c_in):
                for u in range(kh):
                    row = xp[b, c, i * sh + u * dh]
                    for v in range(kw):
                        wv = w[o, c, u, v]
                        off = v * dw
                        if sw == 1:
                            src = row[off:off + ow]
                            for j in range(ow):
                                acc[j] += wv * src[j]
                        else:
                            for j in range(ow):
                                acc[j] += wv * row[off + j * sw]
            dst = out[b, o, i]
            for j in range(ow):
                dst[j] = _act(acc[j], act, param)


def conv2d(x, w, bias, out, stride, dilation, pads, circular, flip, act, act_param, n_threads):
    pt, pb, pl, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), mode="wrap" if circular else "constant")
    if flip:
        w = np.ascontiguousarray(w[:, :, ::-1, ::-1])
    if bias is None:
        bias = np.zeros(w.shape[0], x.dtype)
    (sh, sw), (dh, dw) = stride, dilation
    param = x.dtype.type(act_param)

    def work(lo, hi):
        _conv_items(xp, w, bias, out, sh, sw, dh, dw, lo, hi, act, param)

    _run_parallel(work, x.shape[0] * w.shape[0], n_threads)
    return out


@njit(**_JIT)
def _dense_rows(x, w, bias, out, lo, hi, act, param):
    n_out, n_in = w.shape
    for b in range(lo, hi):
        xr = x[b]
        for o in range(n_out):
            wr = w[o]
            acc = bias[o]
            for i in range(n_in):
                acc += wr[i] * xr[i]
            out[b, o] = _act(acc, act, param)


def dense(x, w, bias, out, act, act_param, n_threads):
    if bias is None:
        bias = np.zeros(w.shape[0], x.dtype)
    param = x.dtype.type(act_param)
    _run_parallel(lambda lo, hi: _dense_rows(x, w, bias, out, lo, hi, act, param),
                  x.shape[0], n_threads)
    return out


@njit(**_JIT)
def _pool_planes(x, out, lo, hi, kind, kh, kw, sh, sw, ph, pw, p, rp, inv_p, include_pad):
    h, w = x.shape[1], x.shape[2]
    oh, ow = out.shape[1], out.shape[2]
    lp_inf = kind == POOL_LP and math.isinf(p)
    for n in range(lo, hi):
        for i in range(oh):
            hs = i * sh - ph
            r0, r1 = max(hs, 0), min(hs + kh, h)
            pool_h = min(hs + kh, h + ph) - hs
            for j in range(ow):
                ws = j * sw - pw
                c0, c1 = max(ws, 0), min(ws + kw, w)
                if kind == POOL_MAX or lp_inf:
                    acc = -np.inf if kind == POOL_MAX else 0.0
                    for r in range(r0, r1):
                        for c in range(c0, c1):
                            v = x[n, r, c] if kind == POOL_MAX else abs(x[n, r, c])
                            if v > acc:
                                acc = v
                    out[n, i, j] = acc
                    continue
                acc = 0.0
                for r in range(r0, r1):
                    for c in range(c0, c1):
                        v = x[n, r, c]
                        if kind == POOL_AVG:
                            acc += v
                        elif p == 1:
                            acc += abs(v)
                        elif p == 2:
                            acc += v * v
                        else:
                            acc += abs(v) ** rp
                if kind == POOL_AVG:
                    if include_pad:
                        div = pool_h * (min(ws + kw, w + pw) - ws)
                    else:
                        div = (r1 - r0) * (c1 - c0)
                    out[n, i, j] = acc / div
                elif p == 1:
                    out[n, i, j] = acc
                elif p == 2:
                    out[n, i, j] = math.sqrt(acc)
                else:
                    out[n, i, j] = acc ** inv_p


def pool2d(x, out, kind, kernel, stride, padding, p, count_include_pad, n_threads):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    per_item = max(1, _CHUNK // (x.shape[1] * x.shape[2]))
    p = float(p)
    rp, inv_p = x.dtype.type(p), x.dtype.type(1 / p)

    def work(lo, hi):
        _pool_planes(x, out, lo, hi, kind, kh, kw, sh, sw, ph, pw, p, rp, inv_p,
                     bool(count_include_pad))

    _run_parallel(work, x.shape[0], n_threads, per_item)
    return out


__all__ = ["activation", "conv2d", "dense", "pool2d", "POOL_AVG", "POOL_LP", "POOL_MAX"]
