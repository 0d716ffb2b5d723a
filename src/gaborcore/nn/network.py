"""A sequence of layers with one flat parameter vector θ (Definition IV.1 of the paper)."""

from __future__ import annotations

import threading

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._common import data_array
from .layers import Conv2d, Dense, Flatten, Layer

__all__ = ["Network"]


class Network:
    r"""A sequence of layers with one flat parameter vector θ.

    ``forward`` runs the layers in order on a batch; an activation that follows a convolution
    or dense layer is applied while that layer's output is in cache.  θ is the concatenation of
    every layer's weight and bias, raveled in C order, layer after layer (PyTorch's
    ``parameters_to_vector`` order), as Definition IV.1 of the paper uses it.

    Parameters
    ----------
    layers : sequence of Layer
        The layers, in the order they run (:class:`Conv2d`, :class:`Dense`, pooling,
        activations, :class:`Flatten`, or any :class:`Layer` subclass).

    Raises
    ------
    ParameterError
        If an element of ``layers`` is not a :class:`Layer`.

    See Also
    --------
    Layer : The base class of the layers.
    Network.from_torch : The network of a PyTorch ``nn.Sequential``.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> rng = np.random.default_rng(0)
    >>> net = gaborcore.nn.Network([
    ...     gaborcore.nn.Conv2d(rng.standard_normal((4, 1, 3, 3)), np.zeros(4), padding="same"),
    ...     gaborcore.nn.ReLU(),
    ...     gaborcore.nn.MaxPool2d(kernel_size=2),
    ...     gaborcore.nn.Flatten(),
    ...     gaborcore.nn.Dense(rng.standard_normal((3, 4 * 4 * 5))),
    ... ])
    >>> net.n_parameters
    280
    >>> net(np.ones((2, 1, 8, 10), np.float32)).shape
    (2, 3)
    """

    def __init__(self, layers):
        layers = list(layers)
        for layer in layers:
            if not isinstance(layer, Layer):
                raise ParameterError(f"layers: {layer!r} is not a gaborcore.nn.Layer")
        self.layers = layers
        self._local = threading.local()

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Network([\n    {inner},\n])"

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    # ---- parameters -------------------------------------------------------------------------
    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays of all layers, in θ order (the arrays themselves, float64).

        Returns
        -------
        params : list of ndarray
            Weight then bias (where there is one) of every layer that has parameters, layer
            after layer; writing into them changes the network.

        See Also
        --------
        get_theta : The same values as one new vector.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.Dense(np.ones((3, 2)), np.zeros(3)),
        ...                             gaborcore.nn.ReLU()])
        >>> [p.shape for p in net.parameters()]
        [(3, 2), (3,)]
        """
        return [p for layer in self.layers for p in layer.parameters()]

    @property
    def n_parameters(self) -> int:
        """Length of θ: the number of parameters of all layers.

        Returns
        -------
        n : int
            The sum of the sizes of the arrays of :meth:`parameters`.

        See Also
        --------
        theta : The parameters as one vector.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.Dense(np.ones((3, 2)), np.zeros(3))])
        >>> net.n_parameters
        9
        """
        return sum(p.size for p in self.parameters())

    def get_theta(self) -> np.ndarray:
        """θ: all parameters as one new float64 vector.

        Returns
        -------
        theta : ndarray, shape (n_parameters,)
            A copy: the arrays of :meth:`parameters`, raveled in C order and concatenated
            (empty for a network without parameters).

        See Also
        --------
        set_theta : Writes θ back into the layers.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.Dense([[1.0, 2.0]], [3.0])])
        >>> net.get_theta()
        array([1., 2., 3.])
        """
        params = self.parameters()
        if not params:
            return np.zeros(0)
        return np.concatenate([p.ravel() for p in params])

    def set_theta(self, theta) -> None:
        """Write θ (a vector of :attr:`n_parameters` real values) into the layers.

        Parameters
        ----------
        theta : array_like, shape (n_parameters,)
            Real values (float or integer), in the order of :meth:`get_theta`; copied into the
            layers' float64 arrays.

        Raises
        ------
        ParameterError
            If ``theta`` is not a real vector of :attr:`n_parameters` values, or holds NaN or
            Inf.

        See Also
        --------
        get_theta : Reads θ.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.Dense([[1.0, 2.0]], [3.0])])
        >>> net.set_theta([0.5, 0.0, -1.0])
        >>> net(np.array([[2.0, 7.0]]))
        array([[0.]])
        """
        theta = np.asarray(theta)
        if theta.dtype.kind not in "fiu" or theta.ndim != 1 or theta.size != self.n_parameters:
            raise ParameterError(
                f"theta has shape {theta.shape} and dtype {theta.dtype}; a real vector of "
                f"{self.n_parameters} values is required"
            )
        if not np.isfinite(theta).all():
            raise ParameterError("theta contains NaN or Inf values")
        pos = 0
        for layer in self.layers:
            for p in layer.parameters():
                p.ravel()[...] = theta[pos:pos + p.size]
                pos += p.size
            layer.parameters_changed()

    theta = property(get_theta, set_theta, doc="""θ as one float64 vector (get and set).

        Reading it calls :meth:`get_theta` (a new vector); assigning to it calls
        :meth:`set_theta`.

        See Also
        --------
        get_theta, set_theta : The methods behind it.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.Dense([[1.0, 2.0]])])
        >>> net.theta = [3.0, 4.0]
        >>> net.theta
        array([3., 4.])
        """)

    # ---- evaluation -------------------------------------------------------------------------
    def output_shape(self, input_shape) -> tuple:
        """Shape of :meth:`forward`'s result for an input of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of the batch, e.g. ``(N, C_in, F, T)``.

        Returns
        -------
        shape : tuple of int
            The shape after every layer, in order.

        See Also
        --------
        forward : Runs the network.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.MaxPool2d(kernel_size=2),
        ...                             gaborcore.nn.Flatten()])
        >>> net.output_shape((2, 4, 8, 10))
        (2, 80)
        """
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.output_shape(shape)
        return shape

    def _workspace(self, key, shape, dtype) -> np.ndarray:
        """A per-thread intermediate buffer, reused by the next call with the same shapes."""
        ws = getattr(self._local, "buffers", None)
        if ws is None:
            ws = self._local.buffers = {}
        buf = ws.get(key)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = ws[key] = np.empty(shape, dtype)
        return buf

    def forward(self, x, *, workers=None, backend=None) -> np.ndarray:
        """Run the network on a batch ``x`` (e.g. (N, C_in, F, T)); returns a new array.

        Calling the network is the same.  Intermediate results are kept in per-thread buffers
        that later calls with the same shapes reuse.

        Parameters
        ----------
        x : ndarray
            float32 or float64 input of the shape the first layer takes; the computation runs
            in its precision.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            As for :func:`conv2d`.

        Returns
        -------
        y : ndarray
            Of shape :meth:`output_shape` ``(x.shape)`` and the dtype of ``x``.

        Raises
        ------
        ParameterError
            If a layer refuses its input (the message names the layer and its index).

        See Also
        --------
        output_shape : The shape of the result.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> net = gaborcore.nn.Network([gaborcore.nn.Dense([[1.0, -1.0]]), gaborcore.nn.ReLU()])
        >>> net.forward(np.array([[3.0, 1.0], [1.0, 3.0]]))
        array([[2.],
               [0.]])
        """
        x = data_array("x", x, 1)
        steps = []
        i = 0
        while i < len(self.layers):
            layer = self.layers[i]
            nxt = self.layers[i + 1] if i + 1 < len(self.layers) else None
            if isinstance(layer, Conv2d | Dense) and nxt is not None and nxt.act is not None:
                steps.append((layer, nxt.act, nxt.act_param))
                i += 2
            else:
                steps.append((layer, None, 0.0))
                i += 1
        # the last step that computes (later ones only reshape) writes a fresh array
        last = max((k for k, (layer, _, _) in enumerate(steps)
                    if not isinstance(layer, Flatten)), default=-1)
        for k, (layer, act, act_param) in enumerate(steps):
            try:
                if isinstance(layer, Flatten):
                    x = layer.forward(x)
                    continue
                shape = layer.output_shape(x.shape)
                if k == last:
                    _validation.check_size("x", shape, x.dtype, what="the network's output")
                    out = np.empty(shape, x.dtype)
                else:
                    _validation.check_size("x", shape, x.dtype, what=f"the output of {layer!r}")
                    out = self._workspace(k, shape, x.dtype)
                opts = dict(workers=workers, backend=backend, out=out)
                if act is not None:
                    opts.update(act=act, act_param=act_param)
                x = layer.forward(x, **opts)
            except ParameterError as e:
                # name the layer: x may be an intermediate result (one that overflowed float32)
                i = self.layers.index(layer)
                why = (f" (x is the output of layer {i - 1}, whose values exceeded the range of "
                       f"{x.dtype})" if i and "NaN or Inf" in str(e) else "")
                raise ParameterError(f"layer {i} ({layer!r}): {e}{why}") from None
        return x if last >= 0 else x.copy()

    __call__ = forward

    # ---- PyTorch ----------------------------------------------------------------------------
    @classmethod
    def from_torch(cls, module) -> Network:
        """The network of a PyTorch ``nn.Sequential`` (weights copied, as float64); see
        :func:`gaborcore.nn.torch_import.layers_from_torch` for what is supported.

        Parameters
        ----------
        module : torch.nn.Sequential
            The model (nested Sequentials are flattened); PyTorch must be installed.

        Returns
        -------
        network : Network
            Its layers as :mod:`gaborcore.nn` layers.

        Raises
        ------
        ParameterError
            If a module has no :mod:`gaborcore.nn` counterpart or uses an option that is not
            supported.

        See Also
        --------
        Network : The class built.

        Examples
        --------
        >>> import torch, gaborcore  # doctest: +SKIP
        >>> model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU())  # doctest: +SKIP
        >>> gaborcore.nn.Network.from_torch(model).n_parameters  # doctest: +SKIP
        40
        """
        from .torch_import import layers_from_torch

        return cls(layers_from_torch(module))
