"""The layers with parameters: convolution and dense layers (float64 masters, cast once)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._common import data_array
from ._conv import conv_apply, conv_geometry, conv_output_shape
from ._dense import dense_apply
from ._layers_base import Layer


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

    def parameters_changed(self) -> None:
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
        conv_geometry((64 * k[0], 64 * k[1]), k, **self.options)

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
        x = data_array("x", x, 3)
        w, b = self._params(x.dtype)
        return conv_apply(x, w, b, **self.options, act=act, act_param=act_param, out=out,
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
        x = data_array("x", x, 1)
        w, b = self._params(x.dtype)
        return dense_apply(x, w, b, act, act_param, out, workers, backend)

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
