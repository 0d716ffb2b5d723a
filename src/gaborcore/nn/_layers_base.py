"""The base class of the network layers, and the one layer that only reshapes (Flatten)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from ._dense import flat_shape, flatten


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

    def parameters_changed(self) -> None:
        """Say that the arrays of :meth:`parameters` were written in place.

        A layer keeps its parameters cast to the dtype of the inputs it was called with; after
        writing into those arrays (as :meth:`Network.set_theta` does), call this so that the
        next call casts them again.

        See Also
        --------
        parameters : the arrays written.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> layer = gaborcore.nn.Dense(np.ones((1, 2)))
        >>> x = np.ones((1, 2), np.float32)
        >>> float(layer(x)[0, 0])
        2.0
        >>> layer.parameters()[0][...] = 3.0
        >>> layer.parameters_changed()
        >>> float(layer(x)[0, 0])
        6.0
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


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
        return flat_shape(input_shape, self.start_dim, self.end_dim)

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"
