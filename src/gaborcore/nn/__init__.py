r"""CNN front-end layers on spectrograms: convolution, pooling, activations, dense layers, networks.

Section III of Dörfler, Bammer and Grill (2017) writes a CNN on a spectrogram as convolutional
layers ``S_{n+1} = P_p^{K,L} σ(sum_k S_n * w + b)`` followed by dense layers
``x_{n+1} = σ(A_n x_n + b_n)``.  This module computes those blocks on the compiled kernels
(``backend="c"``: an implicit-GEMM convolution, one-pass pooling, OpenMP), or with numba or
NumPy, and builds networks from them.

Arrays are ``(batch, channels, F, T)`` (frequency rows, time columns: a spectrogram of
gaborcore's layout ``(..., n_freq, n_frames)`` with a channel axis added); any number of leading
batch axes is accepted.  float32 stays float32 and float64 stays float64; weights are cast to the
precision of the data.

Definitions (``xp`` is the input padded by ``(top, bottom, left, right)`` samples, with zeros or
circularly: ``xp[r, c] = x[(r - top) mod F, (c - left) mod T]``):

* CNN-style correlation (what CNN layers, and PyTorch's ``conv2d``, compute; :doc:`/theory`'s ``⋆``)::

      y[b, o, i, j] = bias[o] + sum_{c, u, v} xp[b, c, i*sh + u*dh, j*sw + v*dw] * w[o, c, u, v]

* true convolution (:doc:`/theory`'s ``⊛``, the paper's ``S * w``): the same with the kernel reversed,
  ``w[o, c, kh-1-u, kw-1-v]``.

* padding ``"valid"`` (none), ``"full"`` (``dh*(kh-1)`` on both sides), ``"same"`` (output of
  ``ceil(F / sh)`` rows: the kernel element ``(kh - 1) // 2`` sits on the output sample, so the
  correlation pads ``(total // 2, total - total // 2)`` like PyTorch and the convolution
  ``(total - total // 2, total // 2)`` like :func:`scipy.signal.convolve2d`), ``"circular"``
  (``"same"`` on the torus: the paper's circular convolution and the torus conventions of :doc:`/theory`),
  or explicit sample counts.

* Lp pooling (the paper's Eq. (4)): ``y[i, j] = ||v_{i,j}||_p = (sum |v|^p)^(1/p)`` over the
  ``kh x kw`` block ``v_{i,j}`` starting at ``(i*sh - ph, j*sw - pw)`` (padding contributes
  nothing), ``max |v|`` for ``p = inf``.  Max pooling takes ``max v`` (padding is ``-inf``);
  average pooling divides the sum by the block size as PyTorch's ``avg_pool2d`` does.
"""

from __future__ import annotations

from .functional import OPERATIONS as OPERATIONS  # the option names, as before the split
from .functional import PADDING_MODES as PADDING_MODES
from .functional import PADDINGS as PADDINGS
from .functional import (
    absolute,
    avg_pool2d,
    conv2d,
    conv_matrix,
    conv_output_shape,
    dense,
    flatten,
    leaky_relu,
    log_compression,
    lp_pool2d,
    max_pool2d,
    pool_output_shape,
    relu,
    sigmoid,
    tanh,
)
from .layers import (
    Abs,
    AvgPool2d,
    Conv2d,
    Dense,
    Flatten,
    Layer,
    LeakyReLU,
    LogCompression,
    LpPool2d,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
)
from .network import Network

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
    "Layer",
    "Conv2d",
    "LpPool2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "LeakyReLU",
    "Abs",
    "Tanh",
    "Sigmoid",
    "LogCompression",
    "Flatten",
    "Dense",
    "Network",
]
