"""Network layers: each holds its parameters (float64 masters) and calls :mod:`.functional`."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from .functional import (
    _ACT,
    _POOL_AVG,
    _POOL_LP,
    _POOL_MAX,
    _activation,
    _conv_apply,
    _conv_geometry,
    _data,
    _dense_apply,
    _flat_shape,
    _lp_order,
    _pool_apply,
    _pool_geometry,
    conv_output_shape,
    flatten,
    pool_output_shape,
)

__all__ = [
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
]


class Layer:
    """A network layer: ``forward`` on a batch, its parameters (float64 arrays), its shapes.

    The base class of the layers a :class:`Network` accepts.  A subclass overrides
    :meth:`forward` (and :meth:`output_shape` and :meth:`parameters` where they differ from the
    defaults: the shape unchanged, no parameters).  Calling a layer calls :meth:`forward`.

    See Also
    --------
    Network : Runs a sequence of layers.
    Conv2d, Dense, LpPool2d, ReLU : Some of the layers.

    Examples
    --------
    >>> import gaborcore
    >>> layer = gaborcore.nn.ReLU()
    >>> isinstance(layer, gaborcore.nn.Layer), layer.parameters(), layer.output_shape((2, 3))
    (True, [], (2, 3))
    """

    #: code of the elementwise activation (a :class:`Network` fuses it into a preceding
    #: convolution or dense layer); None for other layers
    act: int | None = None
    act_param: float = 0.0

    def parameters(self) -> list[np.ndarray]:
        """The trainable arrays (float64, in θ order: weight, then bias).

        Returns
        -------
        params : list of ndarray
            The arrays themselves (writing into them changes the layer); empty for a layer
            without parameters, as here.

        See Also
        --------
        Network.get_theta : The parameters of every layer as one vector.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> [p.shape for p in gaborcore.nn.Dense(np.ones((3, 2)), np.zeros(3)).parameters()]
        [(3, 2), (3,)]
        """
        return []

    def forward(self, x, *, workers=None, backend=None) -> np.ndarray:
        """Apply the layer to a batch ``x``; subclasses implement it.

        Parameters
        ----------
        x : ndarray
            float32 or float64 input.
        workers : int, optional
            Threads (scipy.fft semantics).
        backend : {"auto", "c", "numba", "numpy"}, optional
            As for :func:`conv2d`.

        Returns
        -------
        y : ndarray
            The layer's output.

        Raises
        ------
        NotImplementedError
            Always, on the base class.

        See Also
        --------
        output_shape : The shape of the result.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> gaborcore.nn.ReLU().forward(np.array([-1.0, 1.0]))
        array([0., 1.])
        """
        raise NotImplementedError

    def __call__(self, x, *, workers=None, backend=None) -> np.ndarray:
        return self.forward(x, workers=workers, backend=backend)

    def output_shape(self, input_shape: tuple) -> tuple:
        """Shape of :meth:`forward`'s result for an input of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the input.

        Returns
        -------
        shape : tuple of int
            ``input_shape`` itself on the base class (an elementwise layer); subclasses that
            change the shape override it.

        See Also
        --------
        forward : Applies the layer.

        Examples
        --------
        >>> import gaborcore
        >>> gaborcore.nn.ReLU().output_shape((2, 4, 8, 10))
        (2, 4, 8, 10)
        """
        return tuple(input_shape)

    def _changed(self) -> None:
        """Called after the parameters were written: drop cached casts."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _Weighted(Layer):
    """A layer with a weight and an optional bias (master copies in float64)."""

    def __init__(self, weight, bias):
        self.weight = _validation.real_array("weight", weight, np.dtype(np.float64))
        self.bias = None if bias is None else _validation.real_array("bias", bias, np.dtype(np.float64), ndim=1)
        if self.bias is not None and self.bias.shape[0] != self.weight.shape[0]:
            raise ParameterError(f"bias has {self.bias.shape[0]} values; weight has "
                                 f"{self.weight.shape[0]} outputs")
        self._cast: dict = {}

    def parameters(self) -> list[np.ndarray]:
        return [self.weight] + ([] if self.bias is None else [self.bias])

    def _changed(self) -> None:
        self._cast = {}

    def _params(self, dtype: np.dtype):
        """Weight and bias in ``dtype``, cast once."""
        cast = self._cast.get(dtype.str)
        if cast is None:
            cast = (np.ascontiguousarray(self.weight, dtype),
                    None if self.bias is None else np.ascontiguousarray(self.bias, dtype))
            self._cast[dtype.str] = cast
        return cast


class Conv2d(_Weighted):
    """Convolution layer (see :func:`conv2d`); ``weight`` (C_out, C_in, kh, kw).

    Holds float64 copies of ``weight`` and ``bias`` (cast to the precision of the data when it
    runs) and the options of :func:`conv2d`, which are checked here.

    Parameters
    ----------
    weight : array_like, shape (C_out, C_in, kh, kw)
        The kernels.
    bias : array_like, shape (C_out,), optional
        One value per output channel; default none.
    stride, padding, dilation, operation, padding_mode
        As for :func:`conv2d` (same defaults).

    Raises
    ------
    ParameterError
        If ``weight`` is not 4-D, ``bias`` does not have ``C_out`` values, or an option is not
        one :func:`conv2d` accepts.

    See Also
    --------
    conv2d : The function it calls.
    Network : Runs a sequence of layers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> rng = np.random.default_rng(0)
    >>> layer = gaborcore.nn.Conv2d(rng.standard_normal((4, 1, 3, 3)), np.zeros(4), padding="same")
    >>> layer.weight.shape, layer.options["padding"]
    ((4, 1, 3, 3), 'same')
    >>> layer(np.ones((2, 1, 8, 10))).shape, layer.output_shape((2, 1, 8, 10))
    ((2, 4, 8, 10), (2, 4, 8, 10))
    """

    def __init__(self, weight, bias=None, *, stride=1, padding="valid", dilation=1,
                 operation: str = "correlation", padding_mode: str = "zeros"):
        super().__init__(weight, bias)
        if self.weight.ndim != 4:
            raise ParameterError(f"weight has shape {self.weight.shape}; (C_out, C_in, kh, kw) "
                                 "is required")
        self.options = dict(stride=stride, padding=padding, dilation=dilation,
                            operation=operation, padding_mode=padding_mode)
        # check the options once (on a large enough dummy input)
        k = self.weight.shape[2:]
        _conv_geometry((64 * k[0], 64 * k[1]), k, **self.options)

    def forward(self, x, *, workers=None, backend=None, act=0, act_param=0.0, out=None):
        """Apply the layer to a batch ``x``.

        Parameters
        ----------
        x : ndarray
            float32 or float64 input; the computation runs in its precision.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            As for :func:`conv2d`.
        act : int
            Internal code of an activation to apply to the result (0: none); a
            :class:`Network` sets it to fuse the next layer.
        act_param : float
            Slope or gain of that activation; default 0.
        out : ndarray, optional
            Preallocated C-contiguous result.

        Returns
        -------
        y : ndarray
            Of shape :meth:`output_shape` ``(x.shape)`` and the dtype of ``x``.

        See Also
        --------
        conv2d : The function it calls.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> layer = gaborcore.nn.Conv2d(np.ones((2, 1, 2, 2)))
        >>> layer.forward(np.ones((1, 1, 3, 3)))[0, :, 0]
        array([[4., 4.],
               [4., 4.]])
        """
        x = _data("x", x, 3)
        w, b = self._params(x.dtype)
        return _conv_apply(x, w, b, **self.options, act=act, act_param=act_param, out=out,
                           workers=workers, backend=backend)

    def output_shape(self, input_shape):
        """Shape of :meth:`forward`'s result for an input of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the input.

        Returns
        -------
        shape : tuple of int
            Shape of the output.

        See Also
        --------
        conv_output_shape : The function it calls.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> gaborcore.nn.Conv2d(np.ones((4, 1, 3, 3))).output_shape((2, 1, 8, 10))
        (2, 4, 6, 8)
        """
        return conv_output_shape(input_shape, self.weight.shape, **self.options)

    def __repr__(self):
        c_out, c_in, kh, kw = self.weight.shape
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"Conv2d({c_in}, {c_out}, kernel=({kh}, {kw}), {opts})"


class Dense(_Weighted):
    """Dense layer (see :func:`dense`); ``weight`` (n_out, n_in) as PyTorch's Linear.

    Holds float64 copies of ``weight`` and ``bias``, cast to the precision of the data when it
    runs.

    Parameters
    ----------
    weight : array_like, shape (n_out, n_in)
        The matrix :math:`W`.
    bias : array_like, shape (n_out,), optional
        The vector :math:`b`; default none.

    Raises
    ------
    ParameterError
        If ``weight`` is not 2-D or ``bias`` does not have ``n_out`` values.

    See Also
    --------
    dense : The function it calls.
    Flatten : Turns a feature map into vectors before a dense layer.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> layer = gaborcore.nn.Dense([[1.0, 1.0], [0.0, -1.0]], [0.5, 0.0])
    >>> layer
    Dense(2, 2)
    >>> layer(np.array([[1.0, 2.0]]))
    array([[ 3.5, -2. ]])
    """

    def __init__(self, weight, bias=None):
        super().__init__(weight, bias)
        if self.weight.ndim != 2:
            raise ParameterError(f"weight has shape {self.weight.shape}; (n_out, n_in) is "
                                 "required")

    def forward(self, x, *, workers=None, backend=None, act=0, act_param=0.0, out=None):
        """Apply the layer to a batch ``x``.

        Parameters
        ----------
        x : ndarray
            float32 or float64 input; the computation runs in its precision.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            As for :func:`conv2d`.
        act : int
            Internal code of an activation to apply to the result (0: none); a
            :class:`Network` sets it to fuse the next layer.
        act_param : float
            Slope or gain of that activation; default 0.
        out : ndarray, optional
            Preallocated C-contiguous result.

        Returns
        -------
        y : ndarray
            Of shape :meth:`output_shape` ``(x.shape)`` and the dtype of ``x``.

        See Also
        --------
        dense : The function it calls.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> gaborcore.nn.Dense([[1.0, 1.0]], [0.5]).forward(np.array([[1.0, 2.0]]))
        array([[3.5]])
        """
        x = _data("x", x, 1)
        w, b = self._params(x.dtype)
        return _dense_apply(x, w, b, act, act_param, out, workers, backend)

    def output_shape(self, input_shape):
        """Shape of :meth:`forward`'s result for an input of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the input.

        Returns
        -------
        shape : tuple of int
            Shape of the output.

        See Also
        --------
        forward : Applies the layer.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> gaborcore.nn.Dense(np.ones((3, 80))).output_shape((2, 80))
        (2, 3)
        """
        return tuple(input_shape)[:-1] + (self.weight.shape[0],)

    def __repr__(self):
        return f"Dense({self.weight.shape[1]}, {self.weight.shape[0]})"


class _Pool(Layer):
    kind = _POOL_MAX

    def __init__(self, *, kernel_size, stride=None, padding=0, ceil_mode=False, p=np.inf,
                 count_include_pad=True):
        self.p = p
        self.options = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                            ceil_mode=bool(ceil_mode))
        self.count_include_pad = bool(count_include_pad)
        kernel = _validation.int_pair("kernel_size", kernel_size)
        _pool_geometry((8 * kernel[0], 8 * kernel[1]), **self.options)

    def forward(self, x, *, workers=None, backend=None, out=None):
        return _pool_apply(x, self.kind, self.p, self.options["kernel_size"],
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

    kind = _POOL_LP

    def __init__(self, *, p, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__(kernel_size=kernel_size, stride=stride, padding=padding,
                         ceil_mode=ceil_mode, p=_lp_order(p))

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

    kind = _POOL_MAX

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

    kind = _POOL_AVG

    def __init__(self, *, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__(kernel_size=kernel_size, stride=stride, padding=padding,
                         ceil_mode=ceil_mode, p=1.0, count_include_pad=count_include_pad)


class _Elementwise(Layer):
    def forward(self, x, *, workers=None, backend=None, out=None):
        return _activation(x, self.act, self.act_param, out, workers, backend)


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

    act = _ACT["relu"]


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

    act = _ACT["leaky_relu"]

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

    act = _ACT["abs"]


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

    act = _ACT["tanh"]


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

    act = _ACT["sigmoid"]


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

    act = _ACT["log1p"]

    def __init__(self, gain: float = 1.0):
        self.act_param = _validation.positive_float("gain", gain)

    def __repr__(self):
        return f"LogCompression(gain={self.act_param!r})"


class Flatten(Layer):
    """Merge axes ``start_dim .. end_dim`` (PyTorch's Flatten; a view).

    Parameters
    ----------
    start_dim : int
        First axis to merge (negative counts from the end); default 1, keeping the batch axis.
    end_dim : int
        Last axis to merge, included; default -1.

    See Also
    --------
    flatten : The function it calls.
    Dense : The layer that usually follows.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> layer = gaborcore.nn.Flatten()
    >>> layer(np.zeros((2, 4, 4, 5))).shape, layer.output_shape((2, 4, 4, 5))
    ((2, 80), (2, 80))
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim = _validation.positive_int("start_dim", start_dim, minimum=-64, maximum=64)
        self.end_dim = _validation.positive_int("end_dim", end_dim, minimum=-64, maximum=64)

    def forward(self, x, *, workers=None, backend=None):
        """Merge the axes of ``x`` (a reshape; ``workers`` and ``backend`` are not used).

        Parameters
        ----------
        x : array_like
            Input array.
        workers, backend : optional
            Accepted for the :class:`Layer` interface; ignored.

        Returns
        -------
        y : ndarray
            ``x`` reshaped to :meth:`output_shape` ``(x.shape)``.

        See Also
        --------
        flatten : The function it calls.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> gaborcore.nn.Flatten().forward(np.zeros((2, 3, 4))).shape
        (2, 12)
        """
        return flatten(x, start_axis=self.start_dim, end_axis=self.end_dim)

    def output_shape(self, input_shape):
        """Shape of :meth:`forward`'s result for an input of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the input.

        Returns
        -------
        shape : tuple of int
            Shape of the output.

        See Also
        --------
        flatten : Merges the axes.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> gaborcore.nn.Flatten(start_dim=0).output_shape((2, 3, 4))
        (24,)
        """
        return _flat_shape(input_shape, self.start_dim, self.end_dim)

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"
