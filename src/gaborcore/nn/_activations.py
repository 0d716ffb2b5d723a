"""Elementwise activations: ReLU, leaky ReLU, absolute value, tanh, sigmoid, log compression."""

from __future__ import annotations

import numpy as np

from .. import _validation
from ._common import ACT, check_act_param, data_array, kernels, n_threads, out_array


def activation(x, act: int, param: float, out, workers, backend) -> np.ndarray:
    x = data_array("x", x, 1)
    check_act_param(act, param, x.dtype)
    out = out_array(out, x.shape, x.dtype)
    kernels(backend).activation(x, out, act, float(param), n_threads(workers, x.size))
    return out


def relu(x, *, out=None, workers=None, backend=None) -> np.ndarray:
    """Rectified linear unit ``max(x, 0)`` elementwise (``out=x`` works in place).

    Parameters
    ----------
    x : ndarray
        float32 or float64, any shape.
    out : ndarray, optional
        Preallocated C-contiguous result of the shape and dtype of ``x``; ``out=x`` works in
        place.
    workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray
        Same shape and dtype as ``x``.

    See Also
    --------
    leaky_relu : With a slope below zero.
    ReLU : The layer for a :class:`Network` (fused into a preceding convolution).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return activation(x, ACT["relu"], 0.0, out, workers, backend)


def leaky_relu(x, *, negative_slope: float = 0.01, out=None, workers=None,
               backend=None) -> np.ndarray:
    """Leaky ReLU: ``x`` where ``x > 0``, ``negative_slope * x`` elsewhere.

    Parameters
    ----------
    x : ndarray
        float32 or float64, any shape.
    negative_slope : float
        Slope for ``x <= 0`` (finite); default 0.01.
    out : ndarray, optional
        Preallocated C-contiguous result of the shape and dtype of ``x``; ``out=x`` works in
        place.
    workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray
        Same shape and dtype as ``x``.

    See Also
    --------
    relu : ``negative_slope=0``.
    LeakyReLU : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.leaky_relu(np.array([-1.0, 2.0]), negative_slope=0.5)
    array([-0.5,  2. ])
    """
    slope = _validation.finite_float("negative_slope", negative_slope)
    return activation(x, ACT["leaky_relu"], slope, out, workers, backend)


def absolute(x, *, out=None, workers=None, backend=None) -> np.ndarray:
    """``|x|`` elementwise (the paper's modulus nonlinearity).

    Parameters
    ----------
    x : ndarray
        float32 or float64, any shape.
    out : ndarray, optional
        Preallocated C-contiguous result of the shape and dtype of ``x``; ``out=x`` works in
        place.
    workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray
        Same shape and dtype as ``x``.

    See Also
    --------
    relu : The rectifier.
    Abs : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.absolute(np.array([-1.5, 2.0]))
    array([1.5, 2. ])
    """
    return activation(x, ACT["abs"], 0.0, out, workers, backend)


def tanh(x, *, out=None, workers=None, backend=None) -> np.ndarray:
    """Hyperbolic tangent elementwise.

    Parameters
    ----------
    x : ndarray
        float32 or float64, any shape.
    out : ndarray, optional
        Preallocated C-contiguous result of the shape and dtype of ``x``; ``out=x`` works in
        place.
    workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray
        Same shape and dtype as ``x``.

    See Also
    --------
    sigmoid : The logistic function, ``(1 + tanh(x / 2)) / 2``.
    Tanh : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> np.round(gaborcore.nn.tanh(np.array([-1.0, 0.0, 1.0])), 4)
    array([-0.7616,  0.    ,  0.7616])
    """
    return activation(x, ACT["tanh"], 0.0, out, workers, backend)


def sigmoid(x, *, out=None, workers=None, backend=None) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + exp(-x))`` elementwise.

    Parameters
    ----------
    x : ndarray
        float32 or float64, any shape.
    out : ndarray, optional
        Preallocated C-contiguous result of the shape and dtype of ``x``; ``out=x`` works in
        place.
    workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray
        Same shape and dtype as ``x``.

    See Also
    --------
    tanh : The hyperbolic tangent.
    Sigmoid : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> np.round(gaborcore.nn.sigmoid(np.array([-1.0, 0.0, 1.0])), 4)
    array([0.2689, 0.5   , 0.7311])
    """
    return activation(x, ACT["sigmoid"], 0.0, out, workers, backend)


def log_compression(x, *, gain: float = 1.0, out=None, workers=None,
                    backend=None) -> np.ndarray:
    """Logarithmic compression ``log(1 + gain * x)`` (for non-negative input, e.g. spectrograms).

    Parameters
    ----------
    x : ndarray
        float32 or float64, any shape.
    gain : float
        Positive factor applied before the logarithm; default 1.
    out : ndarray, optional
        Preallocated C-contiguous result of the shape and dtype of ``x``; ``out=x`` works in
        place.
    workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray
        Same shape and dtype as ``x``.

    See Also
    --------
    LogCompression : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.log_compression(np.array([0.0, np.e - 1]))
    array([0., 1.])
    """
    gain = _validation.positive_float("gain", gain)
    return activation(x, ACT["log1p"], gain, out, workers, backend)
