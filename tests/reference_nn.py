"""Slow, obviously correct definitions of the CNN layers of gaborcore.nn (explicit loops, float64).

Conventions (docs/nn.rst): the input of a convolution is padded by (top, bottom, left, right)
samples, zeros or circularly wrapped (indices modulo the input size), and

    correlation:  y[b,o,i,j] = bias[o] + sum_{c,u,v} xp[b,c, i sh + u dh, j sw + v dw] w[o,c,u,v]
    convolution:  the same with w[o, c, kh-1-u, kw-1-v]

Pooling: every output is a reduction over the block of input positions
{(i sh - ph + u, j sw - pw + v) : u < kh, v < kw} that lie inside the input.
"""

from __future__ import annotations

import itertools

import numpy as np


def padded_value(plane: np.ndarray, r: int, c: int, pads, circular: bool) -> float:
    """Value of the padded plane at padded position (r, c)."""
    h, w = plane.shape
    r, c = r - pads[0], c - pads[2]
    if circular:
        return plane[r % h, c % w]
    if 0 <= r < h and 0 <= c < w:
        return plane[r, c]
    return 0.0


def conv2d(x, w, bias=None, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), circular=False,
           flip=False):
    """x (N, C_in, H, W), w (C_out, C_in, kh, kw) -> (N, C_out, oh, ow), float64."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    n, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    hp, wp = h + pads[0] + pads[1], wd + pads[2] + pads[3]
    oh = (hp - dh * (kh - 1) - 1) // sh + 1
    ow = (wp - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, c_out, oh, ow))
    for b, o, i, j in itertools.product(range(n), range(c_out), range(oh), range(ow)):
        acc = 0.0 if bias is None else float(bias[o])
        for c, u, v in itertools.product(range(c_in), range(kh), range(kw)):
            wu, wv = (kh - 1 - u, kw - 1 - v) if flip else (u, v)
            acc += padded_value(x[b, c], i * sh + u * dh, j * sw + v * dw, pads, circular) * w[
                o, c, wu, wv
            ]
        y[b, o, i, j] = acc
    return y


def conv_matrix(w, input_shape, **conv_args) -> np.ndarray:
    """Dense matrix of the linear map S -> conv2d(S, w) (no bias), column by column."""
    size = int(np.prod(input_shape))
    cols = []
    for k in range(size):
        e = np.zeros(size)
        e[k] = 1
        cols.append(conv2d(e.reshape(1, *input_shape), w, **conv_args).ravel())
    return np.stack(cols, axis=1)


def _blocks(h, w, kernel, stride, padding, out_hw):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    for i, j in itertools.product(range(out_hw[0]), range(out_hw[1])):
        rows = [i * sh - ph + u for u in range(kh)]
        cols = [j * sw - pw + v for v in range(kw)]
        inside = [(r, c) for r in rows for c in cols if 0 <= r < h and 0 <= c < w]
        yield i, j, rows, cols, inside


def pool_out(n, k, s, p, ceil_mode=False):
    """PyTorch's output length of a pooling window sweep."""
    o = (n + 2 * p - k + ((s - 1) if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def pool2d(x, kind, kernel, stride=None, padding=(0, 0), p=2.0, ceil_mode=False,
           count_include_pad=True):
    """x (..., H, W); kind "max", "avg" or "lp" (||v||_p of the block, padding contributes 0)."""
    x = np.asarray(x, np.float64)
    stride = kernel if stride is None else stride
    h, w = x.shape[-2:]
    out_hw = tuple(pool_out(n, k, s, q, ceil_mode)
                   for n, k, s, q in zip((h, w), kernel, stride, padding, strict=True))
    planes = x.reshape(-1, h, w)
    y = np.zeros((planes.shape[0], *out_hw))
    for n in range(planes.shape[0]):
        for i, j, rows, cols, inside in _blocks(h, w, kernel, stride, padding, out_hw):
            v = np.array([planes[n, r, c] for r, c in inside])
            if kind == "max":
                y[n, i, j] = v.max()
            elif kind == "avg":
                if count_include_pad:
                    div = (min(rows[-1] + 1, h + padding[0]) - rows[0]) * (
                        min(cols[-1] + 1, w + padding[1]) - cols[0])
                else:
                    div = len(v)
                y[n, i, j] = v.sum() / div
            elif np.isinf(p):
                y[n, i, j] = np.abs(v).max()
            else:
                y[n, i, j] = (np.abs(v) ** p).sum() ** (1 / p)
    return y.reshape(*x.shape[:-2], *out_hw)


def dense(x, w, bias=None):
    x = np.asarray(x, np.float64)
    y = np.zeros((x.shape[0], w.shape[0]))
    for b, o in itertools.product(range(x.shape[0]), range(w.shape[0])):
        y[b, o] = sum(float(w[o, i]) * float(x[b, i]) for i in range(x.shape[1]))
        if bias is not None:
            y[b, o] += bias[o]
    return y


ACTIVATIONS = {
    "relu": lambda v: np.where(v > 0, v, 0.0),
    "leaky_relu": lambda v, s=0.01: np.where(v > 0, v, s * v),
    "absolute": np.abs,
    "tanh": np.tanh,
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "log_compression": lambda v, gain=1.0: np.log(1 + gain * v),
}
