"""Convolution: :func:`conv2d`, its output shape and its matrix (:func:`conv_matrix`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

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

OPERATIONS = ("correlation", "convolution")
PADDINGS = ("valid", "same", "full", "circular")
PADDING_MODES = ("zeros", "circular")


def conv_geometry(in_hw, kernel_hw, *, stride, padding, dilation, operation, padding_mode):
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
    *_, out_hw = conv_geometry(input_shape[-2:], weight_shape[-2:], stride=stride,
                                padding=padding, dilation=dilation, operation=operation,
                                padding_mode=padding_mode)
    return lead + (() if single else (c_out,)) + out_hw


def conv_apply(x, w, b, *, stride, padding, dilation, operation, padding_mode, act, act_param,
                out, workers, backend):
    """The layer on validated arrays: x float32/64 C-contiguous, w and b (or None) of its dtype."""
    lead, c_in, c_out, single = _conv_shapes(x.shape, w.shape)
    (sh, sw), (dh, dw), pads, circular, flip, out_hw = conv_geometry(
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
    out = out_array(out, shape, x.dtype)
    x4 = x.reshape(-1, c_in, *x.shape[-2:])
    n_batch = x4.shape[0]
    if n_batch == 0:
        return out
    check_act_param(act, act_param, x.dtype)
    l1 = float(np.abs(w).reshape(c_out, -1).sum(1, dtype=np.float64).max())
    bmax = 0.0 if b is None else float(np.abs(b).max(initial=0))
    bound = (absmax(x) * l1 + bmax) * act_scale(act, act_param)
    calc = precision(safe_log2(bound), x.dtype)
    work = n_batch * c_out * out_hw[0] * out_hw[1] * c_in * w.shape[2] * w.shape[3]
    o4 = out.reshape(n_batch, c_out, *out_hw)
    if calc is not None:
        x4, w, o4 = x4.astype(calc), w.astype(calc), np.empty(o4.shape, calc)
        b = None if b is None else b.astype(calc)
    kernels(backend).conv2d(x4, w, b, o4, (sh, sw), (dh, dw), pads, circular, flip, act,
                             act_param, n_threads(workers, work))
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
    x = data_array("x", x, 2)
    w = _validation.real_array("weight", weight, x.dtype)
    b = None if bias is None else _validation.real_array("bias", bias, x.dtype).reshape(-1)
    return conv_apply(x, w, b, stride=stride, padding=padding, dilation=dilation,
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
    (sh, sw), (dh, dw), pads, circular, flip, (oh, ow) = conv_geometry(
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
