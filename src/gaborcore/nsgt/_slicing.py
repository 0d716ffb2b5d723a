"""What slices the signal (the slicing window) and what the sliced NSGT makes (its coefficients)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _backend, _validation
from .._validation import ParameterError
from ._coefficients import NSGTCoefficients

if TYPE_CHECKING:
    from ._sliced import SlicedNSGT

__all__ = ["MAX_SLICE", "slicing_window", "SlicedCoefficients"]

#: Longest slice (2**26 samples: 50 minutes at 22.05 kHz); a slice is one NSGT plan's length.
MAX_SLICE = 2**26


def slicing_window(slice_length: int, transition: int) -> np.ndarray:
    """The slicing window of the sliced NSGT (docs/theory.rst): 0 on the outer quarters, 1 in
    the middle half, Hann flanks of ``transition`` samples centred at ``s/4`` and ``3s/4``.

    Shifted by ``s/2`` the windows sum to one exactly: the falling flank is computed as one minus
    the rising flank at the same absolute sample.

    Parameters
    ----------
    slice_length : int
        ``s``, a multiple of 4, at most ``MAX_SLICE`` (2**26).
    transition : int
        Width of each flank, ``1 <= transition <= s / 2``.

    Returns
    -------
    phi : ndarray, shape (slice_length,)
        float64 window.

    Raises
    ------
    ParameterError
        ``slice_length`` not a multiple of 4 between 4 and the largest slice, or
        ``transition`` outside ``1 .. slice_length / 2``.

    See Also
    --------
    SlicedNSGT : the transform that uses it.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> w = gaborcore.slicing_window(16, 4)
    >>> w[:2].tolist(), w[6:10].tolist(), bool(np.allclose(w[:8] + w[8:], 1.0))
    ([0.0, 0.0], [1.0, 1.0, 1.0, 1.0], True)
    """
    s = _validation.positive_int("slice_length", slice_length, minimum=4, maximum=MAX_SLICE)
    if s % 4:
        raise ParameterError(f"slice_length={s} must be a multiple of 4")
    tr = _validation.positive_int("transition", transition, maximum=s // 2)
    _validation.check_size("slice_length", (s,), np.float64, what="the slicing window")
    u = (np.arange(tr) + 0.5) / tr
    rise = np.sin(0.5 * np.pi * u) ** 2
    phi = np.zeros(s)
    a = s // 4 - tr // 2
    phi[a:a + tr] = rise
    phi[a + tr:a + tr + s // 2 - tr] = 1.0
    phi[a + s // 2:a + s // 2 + tr] = 1.0 - rise
    return phi


class SlicedCoefficients:
    """Coefficients of a sliced NSGT: ``data`` of shape ``(..., n_slices, total)``.

    Slice ``i`` covers samples ``[start[i], start[i] + slice_length)`` of the signal; its
    coefficients are those of the slice's own (painless) NSGT, in the inner plan's layout.

    Parameters
    ----------
    plan : SlicedNSGT
        The transform that made them.
    data : ndarray, shape (..., n_slices, plan.inner.total)
        Per-slice coefficients.
    first_slice : int
        Index of the first slice in the stream (0 for whole signals).
    stream_length : int, optional
        Set on the last block of a stream: the number of samples streamed.

    See Also
    --------
    SlicedNSGT.forward, SlicedNSGT.process, SlicedCoefficients.assemble

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
    >>> c = sl.forward(np.zeros(5000))
    >>> c.n_slices == sl.n_slices(5000), c.slice(0).data.shape == (sl.inner.total,)
    (True, True)
    """

    def __init__(self, plan: SlicedNSGT, data: np.ndarray, first_slice: int = 0,
                 stream_length: int | None = None):
        self.plan = plan
        self.data = data
        self.first_slice = first_slice
        #: set on the last block of a stream (from ``flush``): the number of samples streamed
        self.stream_length = stream_length

    def __repr__(self) -> str:
        return (f"SlicedCoefficients(slices={self.n_slices}, first_slice={self.first_slice}, "
                f"shape={self.data.shape}, dtype={self.data.dtype})")

    @property
    def n_slices(self) -> int:
        """Number of slices held: ``data.shape[-2]``.

        Returns
        -------
        n : int
            The slices of this result (for a streamed block, only those it holds).

        See Also
        --------
        SlicedNSGT.n_slices : The slices a signal of a given length needs.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> c = sl.forward(y)
        >>> c.n_slices == sl.n_slices(5000)
        True
        """
        return self.data.shape[-2]

    def slice(self, i: int) -> NSGTCoefficients:
        """Coefficients of slice ``i`` of this result, as coefficients of the inner plan.

        Parameters
        ----------
        i : int
            Index among the slices held (not counting ``first_slice``).

        Returns
        -------
        coefs : NSGTCoefficients
            A view of ``data[..., i, :]`` with ``plan.inner`` as its plan.

        See Also
        --------
        assemble : All slices as one stream per band.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> c = sl.forward(y)
        >>> c.slice(0).plan is sl.inner, c.slice(0).shape == (sl.inner.total,)
        (True, True)
        """
        return NSGTCoefficients(self.plan.inner, self.data[..., i, :])

    def assemble(self, *, backend=None) -> list[np.ndarray]:
        """The coefficient re-arrangement: one continuous stream per band.

        Slice ``i``'s ``M_k`` coefficients (time origin at the slice start, hop ``a_k``) are
        overlap-added at position ``i M_k / 2`` of band k's stream.  The demodulation phase of
        a slice is relative to its start, which moves by ``s/2`` per slice: slice ``i`` is
        multiplied by ``(-1)^(i j_k)`` (``j_k`` the band's centre bin) so that a stationary
        component adds up coherently across slices.

        Parameters
        ----------
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        streams : list of ndarray
            One complex array per band of the inner plan, in frequency order.

        See Also
        --------
        slice : The coefficients of one slice.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> c = sl.forward(y)
        >>> len(c.assemble()) == len(sl.inner.bands)
        True
        """
        d = self.plan.inner.design
        module = _backend.kernels(_backend.resolve_backend(backend), "_nsgt")
        return module.assemble(self.data, M=d.M, offset=d.offset, centre=d.centre,
                               first_slice=self.first_slice)
