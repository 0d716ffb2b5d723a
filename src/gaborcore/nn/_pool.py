"""Pooling: :func:`lp_pool2d` (the paper's Eq. (4)), :func:`max_pool2d`, :func:`avg_pool2d`."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._common import (
    POOL_AVG,
    POOL_LP,
    POOL_MAX,
    absmax,
    data_array,
    kernels,
    n_threads,
    out_array,
    precision,
    safe_log2,
)


def _pool_len(name, n, k, s, p, ceil_mode):
    if n + 2 * p < k:
        raise ParameterError(
            f"kernel_size: a pooling window of {k} is larger than the padded input of {n + 2 * p}"
            f" samples along {name}"
        )
    o = (n + 2 * p - k + ((s - 1) if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1  # the last window must start inside the input or its left padding (PyTorch)
    return o


def pool_geometry(in_hw, kernel_size, stride, padding, ceil_mode):
    kernel = _validation.int_pair("kernel_size", kernel_size)
    stride = kernel if stride is None else _validation.int_pair("stride", stride)
    padding = _validation.int_pair("padding", padding, minimum=0)
    for k, p in zip(kernel, padding, strict=True):
        if p > k // 2:
            raise ParameterError(
                f"padding={padding} must be at most half the kernel_size={kernel} (PyTorch's rule:"
                " every window then overlaps the input)"
            )
    out_hw = tuple(_pool_len(name, n, k, s, p, bool(ceil_mode)) for name, n, k, s, p in
                   zip(("F", "T"), in_hw, kernel, stride, padding, strict=True))
    return kernel, stride, padding, out_hw


def pool_output_shape(input_shape, *, kernel_size, stride=None, padding=0,
                      ceil_mode: bool = False) -> tuple:
    """Shape of a pooling result (:func:`lp_pool2d`, :func:`max_pool2d`, :func:`avg_pool2d`).

    Parameters
    ----------
    input_shape : tuple of int
        Shape of ``x``, ``(..., F, T)``.
    kernel_size, stride, padding, ceil_mode
        As for :func:`lp_pool2d` (same defaults: ``stride`` is ``kernel_size``).

    Returns
    -------
    shape : tuple of int
        ``(..., F_out, T_out)``.

    Raises
    ------
    ParameterError
        If ``input_shape`` has fewer than two axes, ``padding`` exceeds half the kernel size, or
        the window is larger than the padded input.

    See Also
    --------
    conv_output_shape : The same for :func:`conv2d`.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.nn.pool_output_shape((2, 4, 8, 10), kernel_size=2)
    (2, 4, 4, 5)
    >>> gaborcore.nn.pool_output_shape((8, 10), kernel_size=3, stride=2, ceil_mode=True)
    (4, 5)
    """
    input_shape = tuple(input_shape)
    if len(input_shape) < 2:
        raise ParameterError(f"input_shape={input_shape} must be (..., F, T)")
    *_, out_hw = pool_geometry(input_shape[-2:], kernel_size, stride, padding, ceil_mode)
    return input_shape[:-2] + out_hw


def pool_apply(x, kind, p, kernel_size, stride, padding, ceil_mode, count_include_pad, out,
                workers, backend):
    x = data_array("x", x, 2)
    kernel, stride, padding, out_hw = pool_geometry(x.shape[-2:], kernel_size, stride, padding,
                                                     ceil_mode)
    out = out_array(out, x.shape[:-2] + out_hw, x.dtype)
    planes = x.reshape(-1, *x.shape[-2:])
    if planes.shape[0] == 0:
        return out
    m = absmax(planes)
    if kind == POOL_MAX or math.isinf(p):
        calc = None  # a maximum cannot overflow
    else:
        # sum over the block of |x|^p (|x| for the average)
        calc = precision(math.log2(kernel[0] * kernel[1]) + p * safe_log2(max(m, 1.0)), x.dtype)
    o3 = out.reshape(-1, *out_hw)
    # a stride beyond the padded extent gives one output, as the extent does
    stride = tuple(min(s, n + 2 * q) for s, n, q in zip(stride, x.shape[-2:], padding,
                                                         strict=True))
    if calc is not None:
        planes, o3 = planes.astype(calc), np.empty(o3.shape, calc)
    kernels(backend).pool2d(planes, o3, kind, kernel, stride, padding, float(p),
                             bool(count_include_pad), n_threads(workers, x.size))
    if calc is not None:
        with np.errstate(over="ignore"):
            out.reshape(o3.shape)[...] = o3
    return out


def lp_order(p) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real | np.floating | np.integer):
        raise ParameterError(f"p={p!r} must be a number in [1, inf]")
    try:
        p = float(p)
    except OverflowError:  # an int beyond float64: the maximum norm
        p = math.inf
    if not p >= 1:
        raise ParameterError(f"p={p} must be in [1, inf] (an l^p norm needs p >= 1)")
    return p


def lp_pool2d(x, *, p, kernel_size, stride=None, padding=0, ceil_mode: bool = False, out=None,
              workers=None, backend=None) -> np.ndarray:
    r"""Lp pooling :math:`P_p^{K,L}` (the paper's Eq. (4)): the p-norm of every block.

    .. math::

        y[\ldots, i, j] = \Big(\sum_{u < K,\, v < L} |x[\ldots, i s_h - p_h + u,
            j s_w - p_w + v]|^p\Big)^{1/p}, \qquad
        y = \max |x| \text{ over the block for } p = \infty

    over the positions inside the input (zero padding contributes nothing).  p = 1, 2, inf and
    small integers have fast paths.  PyTorch's ``lp_pool2d`` computes
    ``(sum x^p)^(1/p)`` without the absolute value: the same for non-negative input (a
    spectrogram, the output of a ReLU) or even p; for negative entries and odd p it differs (and
    gives NaN for a negative sum).

    Parameters
    ----------
    x : ndarray, shape (..., F, T)
        float32 or float64; every (F, T) plane is pooled.
    p : float
        Order, ``1 <= p <= inf``.
    kernel_size : int or (int, int)
        Block size (K, L).
    stride : int or (int, int), optional
        Default: ``kernel_size`` (non-overlapping blocks, the paper's operator).
    padding : int or (int, int)
        Rows / columns added on both sides, at most half the kernel size.
    ceil_mode : bool
        Keep a last, partial block (PyTorch's rule).
    out, workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray, shape (..., F_out, T_out)
        ``F_out = (F + 2 ph - K) // sh + 1`` (rounded up with ``ceil_mode``).

    Raises
    ------
    ParameterError
        If ``p < 1``, ``padding`` exceeds half the kernel size, the window is larger than the
        padded input, or ``x`` holds NaN or Inf.

    See Also
    --------
    max_pool2d, avg_pool2d : The other pooling operators.
    pool_output_shape : The shape of the result.
    LpPool2d : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> x = np.array([[3.0, 4.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    >>> gaborcore.nn.lp_pool2d(x, p=2, kernel_size=2)
    array([[5., 2.]])
    >>> gaborcore.nn.lp_pool2d(x, p=np.inf, kernel_size=2)
    array([[4., 1.]])
    """
    p = lp_order(p)
    return pool_apply(x, POOL_LP, p, kernel_size, stride, padding, ceil_mode, True, out,
                       workers, backend)


def max_pool2d(x, *, kernel_size, stride=None, padding=0, ceil_mode: bool = False, out=None,
               workers=None, backend=None) -> np.ndarray:
    r"""Max pooling: ``y[..., i, j] = max`` of the block (padding is ``-inf``), as PyTorch.

    The paper's :math:`P_\infty` is :func:`lp_pool2d` with ``p=inf`` (``max |v|``); both agree on
    non-negative input.

    Parameters
    ----------
    x : ndarray, shape (..., F, T)
        float32 or float64; every (F, T) plane is pooled.
    kernel_size : int or (int, int)
        Block size (K, L).
    stride : int or (int, int), optional
        Default: ``kernel_size``.
    padding : int or (int, int)
        Rows / columns of ``-inf`` added on both sides, at most half the kernel size; default 0.
    ceil_mode : bool
        Keep a last, partial block (PyTorch's rule); default False.
    out, workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray, shape (..., F_out, T_out)
        As for :func:`lp_pool2d`.

    See Also
    --------
    lp_pool2d : ``max |v|`` with ``p=inf``.
    avg_pool2d : Average pooling.
    MaxPool2d : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> x = np.array([[1.0, -2.0, 0.5], [-3.0, 0.0, 2.0]])
    >>> gaborcore.nn.max_pool2d(x, kernel_size=2, stride=1)
    array([[1., 2.]])
    """
    return pool_apply(x, POOL_MAX, np.inf, kernel_size, stride, padding, ceil_mode, True, out,
                       workers, backend)


def avg_pool2d(x, *, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, out=None, workers=None,
               backend=None) -> np.ndarray:
    r"""Average pooling: the block sum divided by the block size, as PyTorch's ``avg_pool2d``.

    The divisor is the number of block positions inside the padded input
    (``count_include_pad=True``) or inside the input.

    Parameters
    ----------
    x : ndarray, shape (..., F, T)
        float32 or float64; every (F, T) plane is pooled.
    kernel_size : int or (int, int)
        Block size (K, L).
    stride : int or (int, int), optional
        Default: ``kernel_size``.
    padding : int or (int, int)
        Rows / columns of zeros added on both sides, at most half the kernel size; default 0.
    ceil_mode : bool
        Keep a last, partial block (PyTorch's rule); default False.
    count_include_pad : bool
        Count padded positions in the divisor; default True.
    out, workers, backend
        As for :func:`conv2d`.

    Returns
    -------
    y : ndarray, shape (..., F_out, T_out)
        As for :func:`lp_pool2d`.

    See Also
    --------
    lp_pool2d : The block p-norm (``p=1`` is the block sum of ``|v|``).
    max_pool2d : Max pooling.
    AvgPool2d : The layer for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> x = np.arange(8.0).reshape(2, 4)
    >>> gaborcore.nn.avg_pool2d(x, kernel_size=2)
    array([[2.5, 4.5]])
    """
    return pool_apply(x, POOL_AVG, 1.0, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, out, workers, backend)
