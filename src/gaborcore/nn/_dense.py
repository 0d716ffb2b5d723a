"""Dense (fully connected) layers and :func:`flatten`, which gives them their input."""

from __future__ import annotations

import math

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._common import (
    absmax,
    act_scale,
    check_act_param,
    data_array,
    kernels,
    n_threads,
    out_array,
    precision,
    safe_log2,
)


def dense_apply(x, w, b, act, act_param, out, workers, backend):
    """The layer on validated arrays: x float32/64 C-contiguous, w (2-D) and b of its dtype."""
    if x.shape[-1] != w.shape[1]:
        raise ParameterError(
            f"x has {x.shape[-1]} features (last axis of shape {x.shape}) but weight of shape "
            f"{w.shape} expects {w.shape[1]}"
        )
    if b is not None and b.shape[0] != w.shape[0]:
        raise ParameterError(f"bias has {b.shape[0]} values; weight has {w.shape[0]} outputs")
    shape = x.shape[:-1] + (w.shape[0],)
    if out is None:
        _validation.check_size("x", shape, x.dtype, what="the dense layer's output")
    out = out_array(out, shape, x.dtype)
    x2 = x.reshape(-1, w.shape[1])
    if x2.shape[0] == 0:
        return out
    check_act_param(act, act_param, x.dtype)
    l1 = float(np.abs(w).sum(1, dtype=np.float64).max(initial=0))
    bmax = 0.0 if b is None else float(np.abs(b).max(initial=0))
    calc = precision(safe_log2((absmax(x2) * l1 + bmax) * act_scale(act, act_param)), x.dtype)
    o2 = out.reshape(-1, w.shape[0])
    if calc is not None:
        x2, w, o2 = x2.astype(calc), w.astype(calc), np.empty(o2.shape, calc)
        b = None if b is None else b.astype(calc)
    kernels(backend).dense(x2, w, b, o2, act, act_param,
                            n_threads(workers, x2.shape[0] * w.size))
    if calc is not None:
        with np.errstate(over="ignore"):
            out.reshape(o2.shape)[...] = o2
    return out


def dense(x, weight, bias=None, *, out=None, workers=None, backend=None) -> np.ndarray:
    r"""Dense (fully connected) layer :math:`y = W x + b` over the last axis (PyTorch's Linear).

    Parameters
    ----------
    x : ndarray, shape (..., n_in)
        float32 or float64; leading axes are batch axes.
    weight : array_like, shape (n_out, n_in)
        The matrix :math:`W`, cast to the precision of ``x``.
    bias : array_like, shape (n_out,), optional
        The vector :math:`b`; default none.
    out, workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray, shape (..., n_out)
        Same dtype as ``x``.

    See Also
    --------
    Dense : The layer for a :class:`Network`.
    flatten : Turns a feature map into the vectors a dense layer takes.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.dense(np.array([[1.0, 2.0]]), [[1.0, 1.0], [0.0, -1.0]], [0.5, 0.0])
    array([[ 3.5, -2. ]])
    """
    x = data_array("x", x, 1)
    w = _validation.real_array("weight", weight, x.dtype, ndim=2)
    b = None if bias is None else _validation.real_array("bias", bias, x.dtype, ndim=1)
    return dense_apply(x, w, b, 0, 0.0, out, workers, backend)


def flatten(x, *, start_axis: int = 1, end_axis: int = -1) -> np.ndarray:
    """Merge axes ``start_axis .. end_axis`` into one (a view where possible), like torch.flatten.

    Parameters
    ----------
    x : array_like
        Input array.
    start_axis : int
        First axis to merge (negative counts from the end); default 1, keeping the batch axis.
    end_axis : int
        Last axis to merge, included; default -1.

    Returns
    -------
    y : ndarray
        ``x`` reshaped; a 0-d input gives shape ``(1,)``.

    See Also
    --------
    Flatten : The layer for a :class:`Network`.
    dense : The layer that usually follows.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.flatten(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    """
    x = np.asarray(x)
    return x.reshape(flat_shape(x.shape, start_axis, end_axis))


def flat_shape(shape: tuple, start_axis, end_axis) -> tuple:
    """The shape :func:`flatten` gives to an array of ``shape``."""
    start_axis = _validation.positive_int("start_axis", start_axis, minimum=-64, maximum=64)
    end_axis = _validation.positive_int("end_axis", end_axis, minimum=-64, maximum=64)
    shape = tuple(shape)
    if not shape:
        return (1,)
    nd = len(shape)
    for name, a in (("start_axis", start_axis), ("end_axis", end_axis)):
        if not -nd <= a < nd:
            raise ParameterError(f"{name}={a} is out of range for an array of {nd} axes")
    s, e = start_axis % nd, end_axis % nd
    if s > e:
        raise ParameterError(f"start_axis={start_axis} comes after end_axis={end_axis}")
    return shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
