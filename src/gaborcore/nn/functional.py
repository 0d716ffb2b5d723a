"""The CNN kernels as functions: convolution, pooling, activations, dense layers.

Validation (through :mod:`gaborcore._validation` and the overflow bounds of the CNN helpers),
backend choice and threads; the arithmetic is in the backends' ``_nn`` modules.  See
:mod:`gaborcore.nn` for the definitions.
"""

# One module per responsibility: _common (argument checks, backend and threads, overflow bounds),
# _conv (convolution), _pool (pooling), _activations (elementwise nonlinearities), _dense (dense
# layers, flatten).  This module gathers their public functions.

from __future__ import annotations

from ._activations import absolute, leaky_relu, log_compression, relu, sigmoid, tanh
from ._conv import OPERATIONS as OPERATIONS  # the option names, importable from here as before
from ._conv import PADDING_MODES as PADDING_MODES
from ._conv import PADDINGS as PADDINGS
from ._conv import conv2d, conv_matrix, conv_output_shape
from ._dense import dense, flatten
from ._pool import avg_pool2d, lp_pool2d, max_pool2d, pool_output_shape

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
