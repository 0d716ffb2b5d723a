"""Sliced NSGT (sliCQ, :ref:`theory-nsgt`): slices of a painless NSGT, whole or streamed."""

from __future__ import annotations

import numpy as np

from .. import _backend, _validation
from .._validation import ParameterError
from ._design import band_length
from ._plan import NSGT
from ._sliced_inverse import SlicedInverse
from ._slicing import MAX_SLICE, SlicedCoefficients, slicing_window

__all__ = ["SlicedNSGT"]


class SlicedNSGT:
    """Sliced NSGT (sliCQ) for signals of any length, whole or streamed block by block.

    The signal is cut into slices of ``slice_length`` samples every ``slice_length / 2`` samples,
    each multiplied by :func:`slicing_window` (the windows sum to one), and each slice gets a
    painless NSGT of length ``slice_length`` (any ``NSGT`` scale parameters).  The inverse is the
    per-slice inverse plus overlap-add, so reconstruction is exact.  Slice ``i`` starts at sample
    ``i * slice_length / 2 - slice_length / 2`` (zeros before the signal).

    Streaming: :meth:`process` takes blocks of any size and returns the coefficients of the
    slices that became complete; :meth:`flush` ends the stream.  :meth:`inverse_stream` returns
    the matching push-style inverse.  Memory is bounded by a few slices, whatever the length.

    Parameters
    ----------
    slice_length : int
        Samples per slice, a multiple of 4.
    transition : int, optional
        Width of the window's flanks, ``1 <= transition <= slice_length / 2`` (default s/4).
    sr : float
        Sampling rate.
    **params
        Scale parameters of :class:`NSGT` (``scale``, ``fmin``, ``fmax``, ``n_bins``, ...) and its
        ``layout``.  The inner plan's ``M_k`` are multiples of 4 (so ``M_k / 2`` coefficients
        per slice hop in :meth:`SlicedCoefficients.assemble`).
    chunk_slices : int
        Slices transformed at a time by :meth:`forward` and :meth:`inverse` (bounds memory).

    Raises
    ------
    ParameterError
        If ``slice_length`` is not a multiple of 4 in the accepted range, ``transition`` is
        outside ``[1, slice_length / 2]``, ``params`` names ``length``, ``M`` or ``pad`` (the
        sliced transform sets them), or :class:`NSGT` refuses the scale parameters.

    See Also
    --------
    NSGT : the transform of each slice.
    slicing_window : the window of each slice.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> sl = gaborcore.SlicedNSGT(slice_length=2048, sr=8000, fmin=100.0, fmax=3000.0)
    >>> y = np.random.default_rng(0).standard_normal(20000)
    >>> c = sl.forward(y)
    >>> bool(np.allclose(sl.inverse(c, length=y.size), y))
    True
    """

    def __init__(self, *, slice_length: int = 2**15, transition: int | None = None,
                 sr: float, chunk_slices: int = 16, **params):
        s = _validation.positive_int("slice_length", slice_length, minimum=16, maximum=MAX_SLICE)
        if s % 4:
            raise ParameterError(f"slice_length={s} must be a multiple of 4")
        tr = s // 4 if transition is None else transition
        tr = _validation.positive_int("transition", tr, maximum=s // 2)
        self.slice_length, self.transition = s, tr
        self.hop = s // 2
        if "length" in params or "M" in params or "pad" in params:
            raise ParameterError("length, M and pad are set by the sliced transform itself")
        probe = NSGT(length=s, sr=sr, **params)
        M = 4 * np.array([band_length(-(-int(m) // 4), probe.band_lengths)
                          for m in probe.bands.M])
        self.inner = NSGT(length=s, sr=sr, M=M, **params)
        self.window = slicing_window(s, tr)
        self.chunk_slices = _validation.positive_int("chunk_slices", chunk_slices)
        self.reset()

    def __repr__(self) -> str:
        return (f"SlicedNSGT(slice_length={self.slice_length}, transition={self.transition}, "
                f"inner={self.inner!r})")

    @property
    def latency(self) -> int:
        """Samples that must follow sample t before every coefficient depending on it is out.

        Returns
        -------
        latency : int
            ``3 slice_length / 4 + ceil(transition / 2)`` samples.

        See Also
        --------
        NSGT.latency : The whole-signal transform's latency, its length.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> sl.latency
        896
        """
        return 3 * self.slice_length // 4 + self.transition // 2 + self.transition % 2

    def slice_start(self, i) -> np.ndarray:
        """Sample at which slice ``i`` starts: ``i * slice_length / 2 - slice_length / 2``.

        Parameters
        ----------
        i : int or array_like of int
            Slice indices.

        Returns
        -------
        start : ndarray
            The start samples (negative for slice 0: zeros precede the signal).

        See Also
        --------
        n_slices : The number of slices of a signal.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> sl.slice_start([0, 1, 2])
        array([-512,    0,  512])
        """
        return np.asarray(i) * self.hop - self.hop

    def n_slices(self, length: int) -> int:
        """Slices needed so that the windows sum to one on every sample ``0 <= t < length``.

        Parameters
        ----------
        length : int
            Samples of the signal.

        Returns
        -------
        n : int
            At least 1.

        See Also
        --------
        forward : Gives this many slices.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> sl.n_slices(5000)
        11
        """
        s, tr = self.slice_length, self.transition
        # the last slice's flat part must reach past the end: start + 3s/4 - tr/2 >= length
        need = length + self.hop - (3 * s // 4 - tr // 2)
        return max(1, -(-need // self.hop) + 1)

    # ---- whole signals ---------------------------------------------------------------------
    def _analyse(self, segments: np.ndarray, workers, backend) -> np.ndarray:
        segments = segments * self.window.astype(segments.dtype)
        return self.inner.forward(segments, workers=workers, backend=backend).data

    def forward(self, y, *, workers=None, backend=None) -> SlicedCoefficients:
        """Per-slice coefficients of ``y[..., L]``, shape ``(..., n_slices, total)``.

        Parameters
        ----------
        y : array_like, shape (..., L)
            Signal of any length (complex only if the inner plan has ``real=False``).
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        coefs : SlicedCoefficients
            ``data`` of shape ``(..., n_slices(L), inner.total)``.

        See Also
        --------
        inverse : The reconstruction.
        process : The same, block by block.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> c = sl.forward(y)
        >>> c.data.shape
        (11, 1140)
        """
        y = _validation.signal("y", y, min_length=1, allow_complex=not self.inner.real)
        L = y.shape[-1]
        n = self.n_slices(L)
        s, h = self.slice_length, self.hop
        cdt = _validation.complex_dtype_for(_validation.real_dtype_for(y.dtype))
        out = np.empty(y.shape[:-1] + (n, self.inner.total), cdt)
        for i0 in range(0, n, self.chunk_slices):  # a few slices at a time: bounded memory
            i1 = min(n, i0 + self.chunk_slices)
            a, b = i0 * h, (i1 + 1) * h  # in padded coordinates (signal starts at h)
            seg = np.zeros(y.shape[:-1] + (b - a,), y.dtype)
            lo, hi = max(a, h), min(b, h + L)
            if hi > lo:
                seg[..., lo - a:hi - a] = y[..., lo - h:hi - h]
            frames = np.lib.stride_tricks.sliding_window_view(seg, s, axis=-1)[..., ::h, :]
            out[..., i0:i1, :] = self._analyse(frames[..., :i1 - i0, :], workers, backend)
        return SlicedCoefficients(self, out)

    def inverse(self, coefs: SlicedCoefficients, *, length: int, workers=None,
                backend=None) -> np.ndarray:
        """Exact reconstruction: per-slice inverse NSGT and overlap-add, cropped to ``length``.

        Parameters
        ----------
        coefs : SlicedCoefficients or ndarray
            Coefficients of :meth:`forward`, or their ``data`` ``(..., n_slices, total)``.
        length : int
            Samples to return (the length of the signal).
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        y : ndarray, shape (..., length)
            Real for a real inner plan, complex otherwise.

        Raises
        ------
        ParameterError
            If there are fewer slices than ``n_slices(length)``.

        See Also
        --------
        forward : The analysis.
        inverse_stream : The same, block by block.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> c = sl.forward(y)
        >>> bool(np.allclose(sl.inverse(c, length=5000), y))
        True
        """
        data = coefs.data if isinstance(coefs, SlicedCoefficients) else coefs
        length = _validation.positive_int("length", length)
        n = data.shape[-2]
        h = self.hop
        if n < self.n_slices(length):
            raise ParameterError(
                f"{n} slices cannot reconstruct {length} samples (needs {self.n_slices(length)})"
            )
        rdt = _validation.real_dtype_for(data.dtype)
        odt = rdt if self.inner.real else data.dtype
        acc = np.zeros(data.shape[:-2] + ((n + 1) * h,), odt)
        module = _backend.kernels(_backend.resolve_backend(backend), "_nsgt")
        for i0 in range(0, n, self.chunk_slices):
            i1 = min(n, i0 + self.chunk_slices)
            seg = self.inner.inverse(np.ascontiguousarray(data[..., i0:i1, :]), workers=workers,
                                     backend=backend)
            module.overlap_add(acc, seg, i0 * h, h)
        return acc[..., h:h + length]

    # ---- streaming -------------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new stream: forget the samples pushed by :meth:`process`.

        See Also
        --------
        flush : Ends a stream (and resets).

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> _ = sl.process(np.ones(3000))
        >>> sl.reset()
        >>> sl.process(np.ones(100)).first_slice
        0
        """
        self._buf = None  # samples from the start of the next slice on
        self._next = 0  # index of the next slice
        self._received = 0

    def process(self, block, *, workers=None, backend=None) -> SlicedCoefficients:
        """Push samples ``block[..., n]``; return the coefficients of the slices now complete.

        The result's ``first_slice`` is the index of its first slice in the stream.

        Parameters
        ----------
        block : array_like, shape (..., n)
            The next samples (any ``n``, 0 included); the leading shape must stay the same
            during a stream.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        coefs : SlicedCoefficients
            The slices completed by this block (possibly none).

        Raises
        ------
        ParameterError
            If the leading shape of ``block`` differs from that of the stream.

        See Also
        --------
        flush : Ends the stream.
        inverse_stream : The matching inverse.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> parts = [sl.process(y[:3000]), sl.process(y[3000:]), sl.flush()]
        >>> [(p.first_slice, p.n_slices) for p in parts]
        [(0, 5), (5, 4), (9, 2)]
        >>> bool(np.allclose(np.concatenate([p.data for p in parts]), sl.forward(y).data))
        True
        """
        block = _validation.signal("block", block, min_length=0,
                                   allow_complex=not self.inner.real) if np.size(block) else \
            np.asarray(block)
        if self._buf is None:
            dt = block.dtype if block.dtype.kind in "fc" else np.float64
            self._buf = np.zeros(block.shape[:-1] + (self.hop,), dt)  # zeros before the signal
        elif block.shape[:-1] != self._buf.shape[:-1]:
            raise ParameterError(
                f"block has leading shape {block.shape[:-1]}; the stream has "
                f"{self._buf.shape[:-1]}"
            )
        if block.shape[-1]:
            self._buf = np.concatenate([self._buf, block.astype(self._buf.dtype)], axis=-1)
            self._received += block.shape[-1]
        return self._emit(workers, backend, final=False)

    def flush(self, *, workers=None, backend=None) -> SlicedCoefficients:
        """End the stream: zero-pad and return the remaining slices.

        The result's ``stream_length`` is the number of samples streamed; the transform is then
        reset for a new stream.

        Parameters
        ----------
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        coefs : SlicedCoefficients
            The last slices.

        Raises
        ------
        ParameterError
            If nothing was pushed with :meth:`process`.

        See Also
        --------
        process : Pushes samples.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> y = np.random.default_rng(0).standard_normal(5000)
        >>> _ = sl.process(y[:3000])
        >>> sl.flush().stream_length
        3000
        """
        if self._buf is None:
            raise ParameterError("flush() before any process(): the stream is empty")
        total = self.n_slices(max(self._received, 1))
        missing = (total + 1) * self.hop - (self._next * self.hop + self._buf.shape[-1])
        if missing > 0:
            pad = np.zeros(self._buf.shape[:-1] + (missing,), self._buf.dtype)
            self._buf = np.concatenate([self._buf, pad], axis=-1)
        res = self._emit(workers, backend, final=True, limit=total)
        res.stream_length = self._received
        self.reset()
        return res

    def _emit(self, workers, backend, *, final, limit=None) -> SlicedCoefficients:
        s, h = self.slice_length, self.hop
        ready = (self._buf.shape[-1] - s) // h + 1 if self._buf.shape[-1] >= s else 0
        if limit is not None:
            ready = min(ready, limit - self._next)
        first = self._next
        cdt = _validation.complex_dtype_for(_validation.real_dtype_for(self._buf.dtype))
        out = np.empty(self._buf.shape[:-1] + (max(ready, 0), self.inner.total), cdt)
        if ready > 0:
            frames = np.lib.stride_tricks.sliding_window_view(self._buf, s, axis=-1)[..., ::h, :]
            for i0 in range(0, ready, self.chunk_slices):
                i1 = min(ready, i0 + self.chunk_slices)
                out[..., i0:i1, :] = self._analyse(frames[..., i0:i1, :], workers, backend)
            self._buf = self._buf[..., ready * h:].copy()
            self._next += ready
        return SlicedCoefficients(self, out, first_slice=first)

    def inverse_stream(self) -> SlicedInverse:
        """A push-style inverse for the coefficients of :meth:`process` / :meth:`flush`.

        Returns
        -------
        inverse : SlicedInverse
            A new inverse stream of this transform.

        See Also
        --------
        SlicedInverse : Its methods.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> sl = gaborcore.SlicedNSGT(slice_length=1024, sr=8000, fmin=200.0, fmax=3000.0)
        >>> sl.inverse_stream().sliced is sl
        True
        """
        return SlicedInverse(self)
