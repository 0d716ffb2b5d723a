"""The push-style inverse of a streamed sliced NSGT: per-slice inverse and overlap-add."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _backend, _validation
from .._validation import ParameterError

if TYPE_CHECKING:
    from ._sliced import SlicedNSGT
    from ._slicing import SlicedCoefficients

__all__ = ["SlicedInverse"]


class SlicedInverse:
    """Push-style inverse of :class:`SlicedNSGT`: ``process(coefs)`` returns the samples that no
    later slice can change; ``flush(length)`` returns the rest, cropped to the stream length.

    Parameters
    ----------
    sliced : SlicedNSGT
        The transform whose coefficients arrive (usually from :meth:`SlicedNSGT.inverse_stream`).

    See Also
    --------
    SlicedNSGT.process, SlicedNSGT.flush

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
    >>> y = np.random.default_rng(1).standard_normal(6000)
    >>> inv = sl.inverse_stream()
    >>> parts = [inv.process(sl.process(y[:2500])), inv.process(sl.process(y[2500:])),
    ...          inv.process(sl.flush()), inv.flush()]
    >>> bool(np.allclose(np.concatenate(parts), y))
    True
    """

    def __init__(self, sliced: SlicedNSGT):
        self.sliced = sliced
        self.reset()

    def reset(self) -> None:
        """Start a new stream: drop what was accumulated (:meth:`flush` does it too).

        See Also
        --------
        SlicedNSGT.reset : The same for the forward stream.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> inv = sl.inverse_stream()
        >>> _ = inv.process(sl.process(y))
        >>> inv.reset()
        >>> sl.reset()
        >>> inv.process(sl.process(y)).shape
        (4224,)
        """
        self._acc = None
        self._base = 0
        self._emitted = 0  # samples already returned
        self._next = 0
        self._length = None

    def process(self, coefs: SlicedCoefficients, *, workers=None, backend=None) -> np.ndarray:
        """Add the next slices; return the samples that no later slice can change.

        Parameters
        ----------
        coefs : SlicedCoefficients
            The next result of :meth:`SlicedNSGT.process` or :meth:`SlicedNSGT.flush`, in
            order.  After the last block (it carries ``stream_length``) every remaining sample
            up to that length is returned.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        y : ndarray, shape (..., n)
            The next ``n`` samples of the signal (``n`` may be 0).

        Raises
        ------
        ParameterError
            If the slices do not continue the stream (``coefs.first_slice`` is not the next
            slice expected).

        See Also
        --------
        flush : The remaining samples.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> inv = sl.inverse_stream()
        >>> a = inv.process(sl.process(y))
        >>> b = inv.process(sl.flush())
        >>> bool(np.allclose(np.concatenate([a, b]), y))
        True
        """
        sl = self.sliced
        h, s = sl.hop, sl.slice_length
        n = coefs.n_slices
        if coefs.first_slice != self._next:
            raise ParameterError(
                f"slices must arrive in order: expected slice {self._next}, got "
                f"{coefs.first_slice}"
            )
        if n == 0:
            lead = coefs.data.shape[:-2]
            rdt = _validation.real_dtype_for(coefs.data.dtype)
            return np.zeros(lead + (0,), rdt if sl.inner.real else coefs.data.dtype)
        seg = sl.inner.inverse(np.ascontiguousarray(coefs.data), workers=workers,
                               backend=backend)
        if self._acc is None:
            # padded coordinates: the signal starts at h; acc starts at slice self._next
            self._acc = np.zeros(seg.shape[:-2] + (s,), seg.dtype)
            self._base = 0
        start = self._next * h - self._base
        need = start + (n + 1) * h
        if need > self._acc.shape[-1]:
            grow = np.zeros(self._acc.shape[:-1] + (need - self._acc.shape[-1],),
                            self._acc.dtype)
            self._acc = np.concatenate([self._acc, grow], axis=-1)
        module = _backend.kernels(_backend.resolve_backend(backend), "_nsgt")
        module.overlap_add(self._acc, seg, start, h)
        self._next += n
        # samples before the next slice's first non-zero window value are final
        final_padded = self._next * h + s // 4 - sl.transition // 2
        if coefs.stream_length is not None:  # the last block: nothing follows
            self._length = coefs.stream_length
            final_padded = h + coefs.stream_length
        return self._release(final_padded)

    def _release(self, final_padded: int) -> np.ndarray:
        h = self.sliced.hop
        lo = h + self._emitted  # padded coordinate of the next sample to return
        hi = max(lo, final_padded)
        out = self._acc[..., lo - self._base:hi - self._base].copy()
        self._emitted += hi - lo
        # drop what is returned, but keep everything from the next slice's start on
        keep_from = min(hi, self._next * h)
        self._acc = self._acc[..., keep_from - self._base:].copy()
        self._base = keep_from
        return out

    def flush(self, *, length: int | None = None) -> np.ndarray:
        """Return the remaining samples up to ``length`` samples in all (default: the stream
        length carried by the last block of :meth:`SlicedNSGT.flush`), and start over.

        Parameters
        ----------
        length : int, optional
            Samples of the whole signal; required when the last block (from
            :meth:`SlicedNSGT.flush`) has not arrived.

        Returns
        -------
        y : ndarray, shape (..., n)
            The samples not returned yet (possibly none).

        Raises
        ------
        ParameterError
            If ``length`` is not given and unknown, or nothing was processed.

        See Also
        --------
        process : Adds slices.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> inv = sl.inverse_stream()
        >>> parts = [inv.process(sl.process(y)), inv.process(sl.flush()), inv.flush()]
        >>> [p.size for p in parts], bool(np.allclose(np.concatenate(parts), y))
        ([4224, 776, 0], True)
        """
        if length is None:
            length = self._length
        if length is None:
            raise ParameterError("flush() needs length= when the stream's last block has not "
                                 "arrived")
        length = _validation.positive_int("length", length)
        h = self.sliced.hop
        if self._acc is None:
            raise ParameterError("flush() before any process(): nothing to reconstruct")
        out = self._release(max(h + length, h + self._emitted))
        self.reset()
        return out
