"""What an NSGT plan makes: its band table and its coefficients (a buffer plus layout views)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from .._validation import ParameterError

if TYPE_CHECKING:
    from ._plan import NSGT

__all__ = ["BandTable", "NSGTCoefficients"]


@dataclasses.dataclass(frozen=True)
class BandTable:
    """Per-band parameters, in frequency order (DC, scale bands, Nyquist[, mirrored bands]).

    Made by :class:`NSGT` (its ``bands`` attribute); ``print(plan.bands)`` shows a table.

    Parameters
    ----------
    kind : ndarray of str
        ``"dc"``, ``"band"``, ``"nyquist"`` or ``"mirror"`` (complex plans' negative bands).
    centre_hz, bandwidth_hz : ndarray
        Centre and bandwidth in Hz.
    support : ndarray
        ``W_k``, window support in DFT bins.
    M : ndarray
        Coefficients per band.
    hop, hop_seconds : ndarray
        The band's time hop ``L / M_k`` in samples and in seconds.
    offset : ndarray
        Start of the band in the coefficient buffer.

    See Also
    --------
    NSGT, NSGTCoefficients

    Examples
    --------
    >>> import gaborcore
    >>> b = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4).bands
    >>> b.kind.tolist(), int(b.M[1]), round(float(b.hop[1]), 2)
    (['dc', 'band', 'band', 'band', 'band', 'nyquist'], 45, 177.78)
    """

    kind: np.ndarray  # "dc", "band", "nyquist", "mirror"
    centre_hz: np.ndarray
    bandwidth_hz: np.ndarray
    support: np.ndarray  # W_k, bins
    M: np.ndarray  # coefficients per band
    hop: np.ndarray  # a_k = L / M_k, samples (float)
    hop_seconds: np.ndarray
    offset: np.ndarray  # start of the band in the coefficient buffer

    def __len__(self) -> int:
        return len(self.M)

    def __str__(self) -> str:
        rows = [f"{'band':>5} {'kind':>8} {'centre Hz':>11} {'bw Hz':>9} {'W':>6} {'M':>6} "
                f"{'hop smp':>9} {'hop ms':>8}"]
        for i in range(len(self)):
            rows.append(f"{i:5d} {self.kind[i]:>8} {self.centre_hz[i]:11.2f} "
                        f"{self.bandwidth_hz[i]:9.2f} {self.support[i]:6d} {self.M[i]:6d} "
                        f"{self.hop[i]:9.2f} {1e3 * self.hop_seconds[i]:8.3f}")
        return "\n".join(rows)


class NSGTCoefficients:
    """NSGT coefficients of one plan: a contiguous buffer plus views in each layout.

    ``data`` has shape ``(..., total)``; band ``k`` occupies ``data[..., offset[k]:offset[k]+M[k]]``.

    Parameters
    ----------
    plan : NSGT
        The plan that made (or will invert) the coefficients.
    data : ndarray, shape (..., plan.total)
        complex64 or complex128 buffer.

    See Also
    --------
    NSGT.forward, NSGT.inverse, NSGT.convert

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
    >>> c = plan.forward(np.zeros(8000))
    >>> c.data.shape == (plan.total,), c.band(1).shape, len(c.bands())
    (True, (45,), 6)
    """

    def __init__(self, plan: NSGT, data: np.ndarray):
        self.plan = plan
        self.data = data

    @property
    def shape(self) -> tuple:
        """Shape of :attr:`data`, ``(..., total)``.

        Returns
        -------
        shape : tuple of int
            The leading (batch) axes of the signal, then the plan's ``total``.

        See Also
        --------
        dtype : The precision of the coefficients.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> c.shape == (plan.total,)
        True
        """
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """Dtype of :attr:`data`: complex64 or complex128.

        Returns
        -------
        dtype : numpy.dtype
            complex64 for a float32 signal, complex128 for float64.

        See Also
        --------
        shape : The shape of the coefficients.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> c.dtype
        dtype('complex128')
        """
        return self.data.dtype

    def band(self, k: int) -> np.ndarray:
        """Coefficients of band ``k`` (a view), shape ``(..., M_k)``.

        Parameters
        ----------
        k : int
            Band index in frequency order: 0 is the DC band, the last the Nyquist band (see
            ``plan.bands``).

        Returns
        -------
        coefs : ndarray, shape (..., M_k)
            A view of :attr:`data`; writing into it changes the coefficients.

        See Also
        --------
        bands : Every band.
        buckets : Bands grouped by length.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> c.band(1).shape, int(plan.bands.M[1])
        ((45,), 45)
        """
        t = self.plan.bands
        return self.data[..., t.offset[k]:t.offset[k] + t.M[k]]

    def bands(self) -> list[np.ndarray]:
        """List view: one array ``(..., M_k)`` per band, in frequency order.

        Returns
        -------
        bands : list of ndarray
            ``[band(0), band(1), ...]``, views of :attr:`data`.

        See Also
        --------
        band : One band.
        matrix : The scale bands as one matrix (full layout).

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> [b.shape[-1] for b in c.bands()]
        [250, 45, 54, 64, 75, 7680]
        """
        return [self.band(k) for k in range(len(self.plan.bands))]

    def buckets(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """``(M, band indices, view (..., n, M))`` for each group of bands with equal ``M``.

        Views (no copy) for the bucketed, piecewise and full layouts, whose buffer stores each group
        contiguously; copies for the ragged layout.

        Returns
        -------
        buckets : list of (int, ndarray, ndarray)
            For each group: its ``M``, the indices of its bands, and the coefficients
            ``(..., n, M)`` of its ``n`` bands.

        See Also
        --------
        bands : One array per band.
        matrix : The scale bands as one matrix (full layout).

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> [(M, view.shape) for M, idx, view in c.buckets()][:2]
        [(45, (1, 45)), (54, (1, 54))]
        """
        out = []
        for M, idx, start in self.plan.design.groups:
            n = len(idx)
            if start is not None:
                view = self.data[..., start:start + n * M].reshape(self.data.shape[:-1] + (n, M))
            else:
                view = np.stack([self.band(k) for k in idx], axis=-2)
            out.append((M, idx, view))
        return out

    def matrix(self) -> np.ndarray:
        """The scale bands as one matrix ``(..., n_bands, M)`` (full layout only; a view).

        Returns
        -------
        matrix : ndarray, shape (..., n_bands, M)
            The scale bands (not DC and Nyquist) of a plan made with ``layout="full"``, one row
            per band; a view of :attr:`data`.

        Raises
        ------
        ParameterError
            If the plan's layout is not ``"full"`` (:meth:`NSGT.convert` gives the coefficients
            of a full-layout plan).

        See Also
        --------
        bands : One array per band, in any layout.
        NSGT.convert : Coefficients in another layout.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> full = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4,
        ...                       layout="full")
        >>> full.convert(c).matrix().shape
        (4, 75)
        """
        if self.plan.layout != "full":
            raise ParameterError(
                f"matrix() needs the full layout; this plan's layout is {self.plan.layout!r} "
                "(convert with NSGT(..., layout='full').convert(coefs))"
            )
        M, idx, start = self.plan.design.groups[0]
        return self.data[..., start:start + len(idx) * M].reshape(self.data.shape[:-1] +
                                                                  (len(idx), M))

    @property
    def dc(self) -> np.ndarray:
        """Coefficients of the DC band (a view).

        Returns
        -------
        dc : ndarray, shape (..., M_0)
            ``band(0)``.

        See Also
        --------
        nyquist : The other end of the spectrum.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> c.dc.shape
        (250,)
        """
        return self.band(0)

    @property
    def nyquist(self) -> np.ndarray:
        """Coefficients of the Nyquist band (a view).

        Returns
        -------
        nyquist : ndarray, shape (..., M_k)
            The band whose ``plan.bands.kind`` is ``"nyquist"``.

        See Also
        --------
        dc : The other end of the spectrum.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> c.nyquist.shape
        (7680,)
        """
        return self.band(int(np.flatnonzero(self.plan.bands.kind == "nyquist")[0]))

    def __repr__(self) -> str:
        return (f"NSGTCoefficients(layout={self.plan.layout!r}, bands={len(self.plan.bands)}, "
                f"shape={self.shape}, dtype={self.dtype})")

