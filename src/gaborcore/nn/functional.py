"""The CNN kernels as functions: convolution, pooling, activations, dense layers.

Validation (through :mod:`gaborcore._validation` and the overflow bounds below), backend choice
and threads; the arithmetic is in the backends' ``_nn`` modules.  See :mod:`gaborcore.nn` for the
definitions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from .. import _backend, _validation
from .._validation import ParameterError

__all__ = [
    "conv2d",
    "conv_output_shape",
    "conv_matrix",
    "lp_pool2d",
    "max_pool2d",
    "avg_pool2d",
    "pool_output_shape",
    "dense",
    "flatten",
    "relu",
    "leaky_relu",
    "absolute",
    "tanh",
    "sigmoid",
    "log_compression",
]

OPERATIONS = ("correlation", "convolution")
PADDINGS = ("valid", "same", "full", "circular")
PADDING_MODES = ("zeros", "circular")
_ACT = {"none": 0, "relu": 1, "leaky_relu": 2, "abs": 3, "tanh": 4, "sigmoid": 5, "log1p": 6}
_POOL_MAX, _POOL_AVG, _POOL_LP = 0, 1, 2
# Multiply-adds (convolution, dense) or elements (pooling, activations) per thread below which
# extra threads cost more than they save.
_WORK_PER_THREAD = 1 << 21


# ---- helpers --------------------------------------------------------------------------------

def _n_threads(workers, work: int) -> int:
    n = _backend.resolve_workers(workers)
    return max(1, min(n, work // _WORK_PER_THREAD))


def _kernels(backend):
    return _backend.kernels(_backend.resolve_backend(backend), "_nn")


def _data(name: str, x, min_ndim: int) -> np.ndarray:
    """float32 / float64, at least ``min_ndim`` axes, C-contiguous (no scan for NaN: too slow)."""
    x = _validation.signal(name, x, check_finite=False)
    if x.ndim < min_ndim:
        raise ParameterError(f"{name} has shape {x.shape}; at least {min_ndim} axes are needed")
    return np.ascontiguousarray(x)


# ---- overflow -------------------------------------------------------------------------------
# A sum of finite terms can overflow in one summation order and not in another, so a result
# near the limit of the precision would depend on the backend.  Before a convolution, dense
# layer or pooling runs, a bound on every partial sum (largest |x| times the largest l1 norm of
# a kernel, plus the bias) decides how: below a quarter of the largest float, directly; above
# it, float32 data is computed in float64 and rounded (results beyond float32 become +-inf, the
# same on every backend); float64 data above it is refused.

def _absmax(x: np.ndarray) -> float:
    """``max |x|`` without a temporary; refuses NaN and Inf (they propagate differently through
    the backends' summation orders)."""
    if x.size == 0:
        return 0.0
    hi, lo = float(x.max()), float(x.min())
    if not (math.isfinite(hi) and math.isfinite(lo)):
        raise ParameterError("x contains NaN or Inf values; convolution, dense and pooling "
                             "layers need finite input")
    return max(hi, -lo)


def _log2(v: float) -> float:
    return math.log2(v) if v > 0 else -math.inf


def _precision(log2_bound: float, dtype: np.dtype) -> np.dtype | None:
    """The precision to compute in (None: the data's own), or ParameterError."""
    if log2_bound < math.log2(np.finfo(dtype).max) - 2:
        return None
    if dtype == np.float32 and log2_bound < math.log2(np.finfo(np.float64).max) - 2:
        return np.dtype(np.float64)
    raise ParameterError(
        f"x: with values up to |x| ~ 2**{log2_bound:.0f} / (the kernel norms) the sums of this "
        f"layer may exceed the range of {dtype} (2**{math.log2(np.finfo(dtype).max):.0f}); scale "
        "x (or the weights) down" + (" or compute in float32" if dtype == np.float32 else "")
    )


def _act_param(act: int, act_param: float, dtype: np.dtype) -> None:
    """The slope or gain of an activation must be finite in the data's precision (the kernels
    cast it: 1e308 becomes inf in float32, and inf * 0 is NaN)."""
    if abs(act_param) > np.finfo(dtype).max:
        name = {_ACT["leaky_relu"]: "negative_slope", _ACT["log1p"]: "gain"}.get(act, "act_param")
        raise ParameterError(f"{name}={act_param:g} is beyond the range of {dtype}, the "
                             "precision of the data")


def _act_scale(act: int, act_param: float) -> float:
    """How much a fused activation can enlarge its argument (leaky slope, log1p gain)."""
    return max(1.0, abs(act_param)) if act in (_ACT["leaky_relu"], _ACT["log1p"]) else 1.0


def _out(out, shape, dtype) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype)
    return _validation.out_array("out", out, shape, dtype)


# ---- convolution ----------------------------------------------------------------------------

def _conv_geometry(in_hw, kernel_hw, *, stride, padding, dilation, operation, padding_mode):
    """Resolve the arguments of a convolution: strides, dilations, pads, circular, flip, out."""
    sh, sw = _validation.int_pair("stride", stride)
    dh, dw = _validation.int_pair("dilation", dilation)
    operation = _validation.choice("operation", operation, OPERATIONS)
    padding_mode = _validation.choice("padding_mode", padding_mode, PADDING_MODES)
    circular = padding_mode == "circular"
    flip = operation == "convolution"
    (kh, kw), (h, w) = kernel_hw, in_hw
    tot_h, tot_w = dh * (kh - 1), dw * (kw - 1)
    if isinstance(padding, str):
        padding = _validation.choice("padding", padding, PADDINGS)
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "full":
            pads = (tot_h, tot_h, tot_w, tot_w)
        else:
            circular = circular or padding == "circular"
            lo_h, lo_w = tot_h // 2, tot_w // 2
            # F + tot_h padded rows give (F - 1) // sh + 1 = ceil(F / sh) outputs
            if flip:
                pads = (tot_h - lo_h, lo_h, tot_w - lo_w, lo_w)
            else:
                pads = (lo_h, tot_h - lo_h, lo_w, tot_w - lo_w)
    else:
        if isinstance(padding, numbers.Integral | np.integer) and not isinstance(padding, bool):
            padding = (padding, padding)
        if not isinstance(padding, Sequence | np.ndarray) or len(padding) not in (2, 4):
            raise ParameterError(
                f"padding={padding!r} must be one of {list(PADDINGS)}, an integer, (rows, columns)"
                " or (top, bottom, left, right)"
            )
        p = [_validation.positive_int("padding", v, minimum=0) for v in padding]
        pads = tuple(p) if len(p) == 4 else (p[0], p[0], p[1], p[1])
    hp, wp = h + pads[0] + pads[1], w + pads[2] + pads[3]
    if hp < tot_h + 1 or wp < tot_w + 1:
        raise ParameterError(
            f"weight: a kernel of {kh}x{kw} taps with dilation ({dh}, {dw}) spans "
            f"{tot_h + 1}x{tot_w + 1} samples, larger than the padded input of {hp}x{wp}"
        )
    out_hw = ((hp - tot_h - 1) // sh + 1, (wp - tot_w - 1) // sw + 1)
    return (sh, sw), (dh, dw), pads, circular, flip, out_hw


def _conv_shapes(x_shape, w_shape, x="x", weight="weight"):
    """(leading shape, C_in, C_out, single-kernel?) of a convolution, checking the channel axes;
    ``x`` and ``weight`` are the names of the arguments the shapes come from."""
    if len(x_shape) < 2:
        raise ParameterError(f"{x} has shape {x_shape}; at least (F, T) is needed")
    if len(w_shape) == 2:
        return x_shape[:-2], 1, 1, True
    if len(w_shape) != 4:
        raise ParameterError(
            f"{weight} has shape {w_shape}; expected (C_out, C_in, kh, kw) or one kernel (kh, kw)"
        )
    if len(x_shape) < 3:
        raise ParameterError(
            f"{x} has shape {x_shape}; with a weight of shape {w_shape} it must be "
            "(..., C_in, F, T)"
        )
    if x_shape[-3] != w_shape[1]:
        raise ParameterError(
            f"{x} has {x_shape[-3]} channels (axis -3 of shape {x_shape}) but {weight} expects "
            f"C_in={w_shape[1]} (shape {w_shape})"
        )
    return x_shape[:-3], w_shape[1], w_shape[0], False


def conv_output_shape(input_shape, weight_shape, *, stride=1, padding="valid", dilation=1,
                      operation="correlation", padding_mode="zeros") -> tuple:
    """Shape of :func:`conv2d`'s result for an input of ``input_shape`` and a weight of
    ``weight_shape``, without computing it.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of ``x``: ``(..., C_in, F, T)``, or ``(..., F, T)`` for a single kernel.
    weight_shape : tuple of int
        ``(C_out, C_in, kh, kw)``, or ``(kh, kw)`` for a single kernel.
    stride, padding, dilation, operation, padding_mode
        As for :func:`conv2d` (same defaults).

    Returns
    -------
    shape : tuple of int
        ``(..., C_out, F_out, T_out)``, or ``(..., F_out, T_out)`` for a single kernel.

    Raises
    ------
    ParameterError
        If a size is not a non-negative integer (positive for ``weight_shape``), the channel
        counts disagree, an option is not one :func:`conv2d` accepts, or the kernel spans more
        than the padded input.

    See Also
    --------
    conv2d : The convolution whose result this describes.
    pool_output_shape : The same for the pooling layers.

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.nn.conv_output_shape((2, 1, 8, 10), (4, 1, 3, 3))
    (2, 4, 6, 8)
    >>> gaborcore.nn.conv_output_shape((2, 1, 8, 10), (4, 1, 3, 3), padding="same", stride=2)
    (2, 4, 4, 5)
    """
    input_shape = tuple(_validation.positive_int("input_shape", n, minimum=0) for n in input_shape)
    weight_shape = tuple(_validation.positive_int("weight_shape", n) for n in weight_shape)
    lead, _, c_out, single = _conv_shapes(input_shape, weight_shape, "input_shape",
                                          "weight_shape")
    *_, out_hw = _conv_geometry(input_shape[-2:], weight_shape[-2:], stride=stride,
                                padding=padding, dilation=dilation, operation=operation,
                                padding_mode=padding_mode)
    return lead + (() if single else (c_out,)) + out_hw


def _conv_apply(x, w, b, *, stride, padding, dilation, operation, padding_mode, act, act_param,
                out, workers, backend):
    """The layer on validated arrays: x float32/64 C-contiguous, w and b (or None) of its dtype."""
    lead, c_in, c_out, single = _conv_shapes(x.shape, w.shape)
    (sh, sw), (dh, dw), pads, circular, flip, out_hw = _conv_geometry(
        x.shape[-2:], w.shape[-2:], stride=stride, padding=padding, dilation=dilation,
        operation=operation, padding_mode=padding_mode)
    if single:
        w = w.reshape(1, 1, *w.shape)
    if b is not None and b.shape[0] != c_out:
        raise ParameterError(f"bias has {b.shape[0]} values; {c_out} (one per output channel) "
                             "are required")
    shape = lead + (() if single else (c_out,)) + out_hw
    hp, wp = x.shape[-2] + pads[0] + pads[1], x.shape[-1] + pads[2] + pads[3]
    # the numba and numpy kernels pad the input: the same limit for every backend
    _validation.check_size("padding", (max(1, math.prod(lead)), c_in, hp, wp), x.dtype,
                           what="the padded input")
    # a stride beyond the padded extent gives one output, as the extent does (the C kernel
    # refuses larger ones: its buffer sizes are products of strides)
    sh, sw = min(sh, hp), min(sw, wp)
    if out is None:
        _validation.check_size("x", shape, x.dtype, what="the convolution")
    out = _out(out, shape, x.dtype)
    x4 = x.reshape(-1, c_in, *x.shape[-2:])
    n_batch = x4.shape[0]
    if n_batch == 0:
        return out
    _act_param(act, act_param, x.dtype)
    l1 = float(np.abs(w).reshape(c_out, -1).sum(1, dtype=np.float64).max())
    bmax = 0.0 if b is None else float(np.abs(b).max(initial=0))
    bound = (_absmax(x) * l1 + bmax) * _act_scale(act, act_param)
    calc = _precision(_log2(bound), x.dtype)
    work = n_batch * c_out * out_hw[0] * out_hw[1] * c_in * w.shape[2] * w.shape[3]
    o4 = out.reshape(n_batch, c_out, *out_hw)
    if calc is not None:
        x4, w, o4 = x4.astype(calc), w.astype(calc), np.empty(o4.shape, calc)
        b = None if b is None else b.astype(calc)
    _kernels(backend).conv2d(x4, w, b, o4, (sh, sw), (dh, dw), pads, circular, flip, act,
                             act_param, _n_threads(workers, work))
    if calc is not None:
        with np.errstate(over="ignore"):
            out.reshape(o4.shape)[...] = o4
    return out


def conv2d(x, weight, bias=None, *, stride=1, padding="valid", dilation=1,
           operation: str = "correlation", padding_mode: str = "zeros", out=None, workers=None,
           backend=None) -> np.ndarray:
    r"""2-D convolution layer: CNN-style correlation (default) or true convolution.

    .. math::

        y[b, o, i, j] = \mathrm{bias}[o] + \sum_{c, u, v}
            x_p[b, c, i s_h + u d_h, j s_w + v d_w]\; w[o, c, u', v']

    with :math:`x_p` the padded input and :math:`(u', v') = (u, v)` for
    ``operation="correlation"`` (PyTorch's ``conv2d``) or :math:`(k_h-1-u, k_w-1-v)` for
    ``operation="convolution"``.

    Parameters
    ----------
    x : ndarray, shape (..., C_in, F, T), or (..., F, T) with a single kernel
        float32 or float64 input; leading axes are batch axes.
    weight : array_like, shape (C_out, C_in, kh, kw) or (kh, kw)
        Kernels, cast to the precision of ``x``.  A 2-D ``weight`` is one kernel applied to every
        ``(F, T)`` plane of ``x`` (the output then has no channel axis).
    bias : array_like, shape (C_out,), optional
        Added to every output of channel ``o`` (a scalar or shape (1,) for a single kernel).
    stride, dilation : int or (int, int)
        Steps between outputs and between kernel taps along (F, T).
    padding : {"valid", "same", "full", "circular"}, int, (int, int) or (int, int, int, int)
        Named padding (see :mod:`gaborcore.nn`) or samples added (both sides of each axis, or
        top, bottom, left, right).
    operation : {"correlation", "convolution"}
        ``"convolution"`` reverses the kernel (:doc:`/theory`, notation).
    padding_mode : {"zeros", "circular"}
        What explicit (or named) padding is filled with; ``padding="circular"`` implies
        ``"circular"``.
    out : ndarray, optional
        Preallocated C-contiguous result.
    workers : int, optional
        Threads (scipy.fft semantics); results do not depend on it.
    backend : {"auto", "c", "numba", "numpy"}, optional

    Returns
    -------
    y : ndarray, shape (..., C_out, F_out, T_out) or (..., F_out, T_out)
        ``F_out = (F + pad_top + pad_bottom - dh (kh - 1) - 1) // sh + 1``, likewise ``T_out``.

    Raises
    ------
    ParameterError
        If the shapes of ``x``, ``weight`` and ``bias`` disagree, an option is not one listed
        above, the kernel spans more than the padded input, ``x`` holds NaN or Inf, or the sums
        could exceed the range of float64.

    See Also
    --------
    conv_output_shape : The shape of the result, without computing it.
    conv_matrix : The same linear map as a sparse matrix.
    Conv2d : The layer that holds ``weight`` and ``bias`` for a :class:`Network`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> x = np.arange(20.0).reshape(1, 1, 4, 5)
    >>> w = np.array([[[[0.0, 1.0], [0.0, 0.0]]]])       # picks the sample to the right
    >>> gaborcore.nn.conv2d(x, w)[0, 0]
    array([[ 1.,  2.,  3.,  4.],
           [ 6.,  7.,  8.,  9.],
           [11., 12., 13., 14.]])
    >>> gaborcore.nn.conv2d(x[0, 0], w[0, 0], operation="convolution", padding="same")[0]
    array([0., 0., 1., 2., 3.])
    """
    x = _data("x", x, 2)
    w = _validation.real_array("weight", weight, x.dtype)
    b = None if bias is None else _validation.real_array("bias", bias, x.dtype).reshape(-1)
    return _conv_apply(x, w, b, stride=stride, padding=padding, dilation=dilation,
                       operation=operation, padding_mode=padding_mode, act=0, act_param=0.0,
                       out=out, workers=workers, backend=backend)


def conv_matrix(weight, input_shape, *, stride=1, padding="valid", dilation=1,
                operation: str = "correlation", padding_mode: str = "zeros", dtype=None):
    r"""The convolution layer as an explicit sparse matrix: the paper's :math:`A_n`.

    ``A @ S.ravel() == conv2d(S, weight, ...).ravel()`` for every ``S`` of shape
    ``input_shape`` (no bias).  ``A`` is block-Toeplitz (one Toeplitz-of-Toeplitz block per pair
    of channels), or block-circulant for circular padding.

    Parameters
    ----------
    weight : array_like, shape (C_out, C_in, kh, kw) or (kh, kw)
    input_shape : tuple of int
        ``(C_in, F, T)``, or ``(F, T)`` for a single kernel.
    stride, padding, dilation, operation, padding_mode
        As for :func:`conv2d`.
    dtype : float32 or float64, optional
        Of the matrix; default float64 (float32 for a float32 weight).

    Returns
    -------
    A : scipy.sparse.csr_array, shape (C_out * F_out * T_out, C_in * F * T)
        Rows in the C order of the output ``(C_out, F_out, T_out)``, columns in that of the
        input ``(C_in, F, T)``.

    Raises
    ------
    ParameterError
        If ``input_shape`` has the wrong number of axes for ``weight`` or sizes that are not
        positive integers, the channel counts disagree, or an option is not one :func:`conv2d`
        accepts.

    See Also
    --------
    conv2d : Applies the same map without forming the matrix.
    conv_output_shape : The output shape ``(C_out, F_out, T_out)`` of the rows.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> w = np.array([[1.0, -1.0]])
    >>> A = gaborcore.nn.conv_matrix(w, (2, 3))
    >>> A.toarray()
    array([[ 1., -1.,  0.,  0.,  0.,  0.],
           [ 0.,  1., -1.,  0.,  0.,  0.],
           [ 0.,  0.,  0.,  1., -1.,  0.],
           [ 0.,  0.,  0.,  0.,  1., -1.]])
    """
    import scipy.sparse

    w = np.asarray(weight)
    if dtype is None:
        dtype = np.float32 if w.dtype == np.float32 else np.float64
    dtype = _validation.float_dtype("dtype", dtype)
    w = _validation.real_array("weight", w, dtype)
    input_shape = tuple(_validation.positive_int("input_shape", n) for n in input_shape)
    single = w.ndim == 2
    if single:
        if len(input_shape) != 2:
            raise ParameterError(f"input_shape={input_shape} must be (F, T) for a single kernel")
        w = w.reshape(1, 1, *w.shape)
        input_shape = (1, *input_shape)
    if len(input_shape) != 3:
        raise ParameterError(f"input_shape={input_shape} must be (C_in, F, T)")
    _conv_shapes(input_shape, w.shape, "input_shape")
    c_out, c_in, kh, kw = w.shape
    _, h, wd = input_shape
    (sh, sw), (dh, dw), pads, circular, flip, (oh, ow) = _conv_geometry(
        (h, wd), (kh, kw), stride=stride, padding=padding, dilation=dilation,
        operation=operation, padding_mode=padding_mode)
    # the index arrays and the matrix entries, before any is made
    _validation.check_size("input_shape", (3, c_out * oh * ow, c_in * kh * kw), np.int64,
                           what="the matrix entries")
    # input row of output row i and tap u, (oh, kh); likewise columns (ow, kw)
    r = np.arange(oh)[:, None] * sh + np.arange(kh)[None, :] * dh - pads[0]
    c = np.arange(ow)[:, None] * sw + np.arange(kw)[None, :] * dw - pads[2]
    if circular:
        r, c = r % h, c % wd
    ok_r, ok_c = (r >= 0) & (r < h), (c >= 0) & (c < wd)
    if flip:
        w = w[:, :, ::-1, ::-1]
    # broadcast over (o, i, j, ci, u, v)
    o_, i_, j_, ci_, u_, v_ = np.ix_(np.arange(c_out), np.arange(oh), np.arange(ow),
                                     np.arange(c_in), np.arange(kh), np.arange(kw))
    full = (c_out, oh, ow, c_in, kh, kw)
    mask = np.broadcast_to(ok_r[i_, u_] & ok_c[j_, v_], full)
    rows = np.broadcast_to((o_ * oh + i_) * ow + j_, full)[mask]
    cols = np.broadcast_to((ci_ * h + r[i_, u_]) * wd + c[j_, v_], full)[mask]
    vals = np.broadcast_to(w[o_, ci_, u_, v_], full)[mask]
    A = scipy.sparse.coo_array((vals, (rows, cols)), shape=(c_out * oh * ow, c_in * h * wd))
    return A.tocsr()


# ---- pooling --------------------------------------------------------------------------------

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


def _pool_geometry(in_hw, kernel_size, stride, padding, ceil_mode):
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
    *_, out_hw = _pool_geometry(input_shape[-2:], kernel_size, stride, padding, ceil_mode)
    return input_shape[:-2] + out_hw


def _pool_apply(x, kind, p, kernel_size, stride, padding, ceil_mode, count_include_pad, out,
                workers, backend):
    x = _data("x", x, 2)
    kernel, stride, padding, out_hw = _pool_geometry(x.shape[-2:], kernel_size, stride, padding,
                                                     ceil_mode)
    out = _out(out, x.shape[:-2] + out_hw, x.dtype)
    planes = x.reshape(-1, *x.shape[-2:])
    if planes.shape[0] == 0:
        return out
    m = _absmax(planes)
    if kind == _POOL_MAX or math.isinf(p):
        calc = None  # a maximum cannot overflow
    else:
        # sum over the block of |x|^p (|x| for the average)
        calc = _precision(math.log2(kernel[0] * kernel[1]) + p * _log2(max(m, 1.0)), x.dtype)
    o3 = out.reshape(-1, *out_hw)
    # a stride beyond the padded extent gives one output, as the extent does
    stride = tuple(min(s, n + 2 * q) for s, n, q in zip(stride, x.shape[-2:], padding,
                                                         strict=True))
    if calc is not None:
        planes, o3 = planes.astype(calc), np.empty(o3.shape, calc)
    _kernels(backend).pool2d(planes, o3, kind, kernel, stride, padding, float(p),
                             bool(count_include_pad), _n_threads(workers, x.size))
    if calc is not None:
        with np.errstate(over="ignore"):
            out.reshape(o3.shape)[...] = o3
    return out


def _lp_order(p) -> float:
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
    p = _lp_order(p)
    return _pool_apply(x, _POOL_LP, p, kernel_size, stride, padding, ceil_mode, True, out,
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
    return _pool_apply(x, _POOL_MAX, np.inf, kernel_size, stride, padding, ceil_mode, True, out,
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
    return _pool_apply(x, _POOL_AVG, 1.0, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, out, workers, backend)


# ---- activations, dense layers --------------------------------------------------------------

def _activation(x, act: int, param: float, out, workers, backend) -> np.ndarray:
    x = _data("x", x, 1)
    _act_param(act, param, x.dtype)
    out = _out(out, x.shape, x.dtype)
    _kernels(backend).activation(x, out, act, float(param), _n_threads(workers, x.size))
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
    return _activation(x, _ACT["relu"], 0.0, out, workers, backend)


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
    return _activation(x, _ACT["leaky_relu"], slope, out, workers, backend)


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
    return _activation(x, _ACT["abs"], 0.0, out, workers, backend)


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
    return _activation(x, _ACT["tanh"], 0.0, out, workers, backend)


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
    return _activation(x, _ACT["sigmoid"], 0.0, out, workers, backend)


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
    return _activation(x, _ACT["log1p"], gain, out, workers, backend)


def _dense_apply(x, w, b, act, act_param, out, workers, backend):
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
    out = _out(out, shape, x.dtype)
    x2 = x.reshape(-1, w.shape[1])
    if x2.shape[0] == 0:
        return out
    _act_param(act, act_param, x.dtype)
    l1 = float(np.abs(w).sum(1, dtype=np.float64).max(initial=0))
    bmax = 0.0 if b is None else float(np.abs(b).max(initial=0))
    calc = _precision(_log2((_absmax(x2) * l1 + bmax) * _act_scale(act, act_param)), x.dtype)
    o2 = out.reshape(-1, w.shape[0])
    if calc is not None:
        x2, w, o2 = x2.astype(calc), w.astype(calc), np.empty(o2.shape, calc)
        b = None if b is None else b.astype(calc)
    _kernels(backend).dense(x2, w, b, o2, act, act_param,
                            _n_threads(workers, x2.shape[0] * w.size))
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
    x = _data("x", x, 1)
    w = _validation.real_array("weight", weight, x.dtype, ndim=2)
    b = None if bias is None else _validation.real_array("bias", bias, x.dtype, ndim=1)
    return _dense_apply(x, w, b, 0, 0.0, out, workers, backend)


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
    return x.reshape(_flat_shape(x.shape, start_axis, end_axis))


def _flat_shape(shape: tuple, start_axis, end_axis) -> tuple:
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
