"""The pooling layers: Lp, max and average pooling (see :mod:`gaborcore.nn` for the rules)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from ._common import POOL_AVG, POOL_LP, POOL_MAX
from ._layers_base import Layer
from ._pool import lp_order, pool_apply, pool_geometry, pool_output_shape


class _Pool(Layer):
    kind = POOL_MAX

    def __init__(self, *, kernel_size, stride=None, padding=0, ceil_mode=False, p=np.inf,
                 count_include_pad=True):
        self.p = p
        self.options = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                            ceil_mode=bool(ceil_mode))
        self.count_include_pad = bool(count_include_pad)
        kernel = _validation.int_pair("kernel_size", kernel_size)
        pool_geometry((8 * kernel[0], 8 * kernel[1]), **self.options)

    def forward(self, x, *, workers=None, backend=None, out=None):
        return pool_apply(x, self.kind, self.p, self.options["kernel_size"],
                           self.options["stride"], self.options["padding"],
                           self.options["ceil_mode"], self.count_include_pad, out, workers,
                           backend)

    def output_shape(self, input_shape):
        return pool_output_shape(input_shape, **self.options)

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}({opts})"


class LpPool2d(_Pool):
    """Lp pooling layer (see :func:`lp_pool2d`).

    Parameters
    ----------
    p : float
        Order, ``1 <= p <= inf``.
    kernel_size, stride, padding, ceil_mode
        As for :func:`lp_pool2d` (same defaults); checked here.

    See Also
    --------
    lp_pool2d : The function it calls.
    MaxPool2d, AvgPool2d : The other pooling layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> layer = gaborcore.nn.LpPool2d(p=2, kernel_size=2)
    >>> layer(np.array([[3.0, 4.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]]))
    array([[5., 2.]])
    """

    kind = POOL_LP

    def __init__(self, *, p, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__(kernel_size=kernel_size, stride=stride, padding=padding,
                         ceil_mode=ceil_mode, p=lp_order(p))

    def __repr__(self):
        return super().__repr__().replace("(", f"(p={self.p!r}, ", 1)


class MaxPool2d(_Pool):
    """Max pooling layer (see :func:`max_pool2d`).

    Parameters
    ----------
    kernel_size, stride, padding, ceil_mode
        As for :func:`max_pool2d` (same defaults); checked here.

    See Also
    --------
    max_pool2d : The function it calls.
    LpPool2d, AvgPool2d : The other pooling layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> layer = gaborcore.nn.MaxPool2d(kernel_size=2)
    >>> layer.output_shape((2, 4, 8, 10))
    (2, 4, 4, 5)
    >>> layer(np.array([[1.0, -2.0], [-3.0, 0.5]]))
    array([[1.]])
    """

    kind = POOL_MAX

    def __init__(self, *, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__(kernel_size=kernel_size, stride=stride, padding=padding,
                         ceil_mode=ceil_mode)


class AvgPool2d(_Pool):
    """Average pooling layer (see :func:`avg_pool2d`).

    Parameters
    ----------
    kernel_size, stride, padding, ceil_mode, count_include_pad
        As for :func:`avg_pool2d` (same defaults); checked here.

    See Also
    --------
    avg_pool2d : The function it calls.
    LpPool2d, MaxPool2d : The other pooling layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> layer = gaborcore.nn.AvgPool2d(kernel_size=2)
    >>> layer(np.arange(8.0).reshape(2, 4))
    array([[2.5, 4.5]])
    """

    kind = POOL_AVG

    def __init__(self, *, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size=kernel_size, stride=stride, padding=padding,
                         ceil_mode=ceil_mode, p=1.0, count_include_pad=count_include_pad)
