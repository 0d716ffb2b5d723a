"""The activation layers: each applies one elementwise nonlinearity (fused by a Network into a
preceding convolution or dense layer)."""

from __future__ import annotations

from .. import _validation
from ._activations import activation
from ._common import ACT
from ._layers_base import Layer


class _Elementwise(Layer):
    def forward(self, x, *, workers=None, backend=None, out=None):
        return activation(x, self.act, self.act_param, out, workers, backend)


class ReLU(_Elementwise):
    """Rectified linear unit layer: ``max(x, 0)``.

    Elementwise.  In a :class:`Network`, when it directly follows a :class:`Conv2d` or
    :class:`Dense` layer, it is applied inside that layer while its output is in cache.

    See Also
    --------
    relu : The same as a function.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.ReLU()(np.array([-1.0, 2.0]))
    array([0., 2.])
    """

    act = ACT["relu"]


class LeakyReLU(_Elementwise):
    """Leaky ReLU layer: ``x`` if ``x > 0`` else ``negative_slope * x``.

    Elementwise.  In a :class:`Network`, when it directly follows a :class:`Conv2d` or
    :class:`Dense` layer, it is applied inside that layer while its output is in cache.

    Parameters
    ----------
    negative_slope : float
        Slope for ``x <= 0`` (finite); default 0.01.

    Raises
    ------
    ParameterError
        If ``negative_slope`` is not a finite number.

    See Also
    --------
    leaky_relu : The same as a function.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.LeakyReLU(0.5)(np.array([-1.0, 2.0]))
    array([-0.5,  2. ])
    """

    act = ACT["leaky_relu"]

    def __init__(self, negative_slope: float = 0.01):
        self.act_param = _validation.finite_float("negative_slope", negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.act_param!r})"


class Abs(_Elementwise):
    """Modulus layer: ``|x|``.

    Elementwise.  In a :class:`Network`, when it directly follows a :class:`Conv2d` or
    :class:`Dense` layer, it is applied inside that layer while its output is in cache.

    See Also
    --------
    absolute : The same as a function.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.Abs()(np.array([-1.5, 2.0]))
    array([1.5, 2. ])
    """

    act = ACT["abs"]


class Tanh(_Elementwise):
    """Hyperbolic tangent layer: ``tanh(x)``.

    Elementwise.  In a :class:`Network`, when it directly follows a :class:`Conv2d` or
    :class:`Dense` layer, it is applied inside that layer while its output is in cache.

    See Also
    --------
    tanh : The same as a function.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.Tanh()(np.array([0.0]))
    array([0.])
    """

    act = ACT["tanh"]


class Sigmoid(_Elementwise):
    """Logistic sigmoid layer: ``1 / (1 + exp(-x))``.

    Elementwise.  In a :class:`Network`, when it directly follows a :class:`Conv2d` or
    :class:`Dense` layer, it is applied inside that layer while its output is in cache.

    See Also
    --------
    sigmoid : The same as a function.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.Sigmoid()(np.array([0.0]))
    array([0.5])
    """

    act = ACT["sigmoid"]


class LogCompression(_Elementwise):
    """Logarithmic compression layer: ``log(1 + gain * x)``.

    Elementwise.  In a :class:`Network`, when it directly follows a :class:`Conv2d` or
    :class:`Dense` layer, it is applied inside that layer while its output is in cache.

    Parameters
    ----------
    gain : float
        Positive factor applied before the logarithm; default 1.

    Raises
    ------
    ParameterError
        If ``gain`` is not a positive number.

    See Also
    --------
    log_compression : The same as a function.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.nn.LogCompression()(np.array([0.0, np.e - 1]))
    array([0., 1.])
    """

    act = ACT["log1p"]

    def __init__(self, gain: float = 1.0):
        self.act_param = _validation.positive_float("gain", gain)

    def __repr__(self):
        return f"LogCompression(gain={self.act_param!r})"
