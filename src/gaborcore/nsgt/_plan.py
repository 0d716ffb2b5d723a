"""The NSGT plan: validation, frame design through :mod:`._design`, dispatch to the kernels."""

from __future__ import annotations

import threading

import numpy as np

from .. import _backend, _validation
from .._cache import plan_cache
from .._validation import ParameterError
from ._checks import coefficient_data, require_painless, signal_input
from ._coefficients import BandTable, NSGTCoefficients
from ._design import BAND_LENGTHS, FREQUENCY_WINDOWS, LAYOUTS, FrameDesign, design_frame
from ._scales import nsgt_frequencies

__all__ = ["NSGT"]


class NSGT:
    """Non-stationary Gabor transform plan for signals of length ``length``.

    Parameters
    ----------
    length : int
        Signal length L (the last axis of the input).  With ``pad=True``, shorter signals are
        zero-padded to L and ``inverse`` returns L samples.
    sr : float
        Sampling rate in Hz.
    scale : {"cqt", "vqt", "mel", "bark", "erb", "log", "linear"}
        Frequency scale (see :func:`nsgt_frequencies`); or give ``frequencies``.
    fmin, fmax, n_bins, bins_per_octave, gamma, frequencies, htk
        Scale parameters (see :func:`nsgt_frequencies`).
    window : {"hann", "blackmanharris", "gaussian"}
        Window shape in frequency.
    min_win : int
        Smallest window support in bins (>= 1).
    qvar : float
        Bandwidth factor: > 1 widens every window (more overlap, more redundancy).
    oversampling : float
        ``M_k >= oversampling * W_k`` (>= 1): more coefficients per band, smaller hops.
    layout : {"ragged", "bucketed", "piecewise", "full"}
    real : bool
        Real signals (default) or complex ones.
    band_lengths : {"fast", "smooth", "exact"}
        How each ``M_k`` is rounded up from ``oversampling * W_k`` (ragged, bucketed and full
        layouts): ``"smooth"`` (default) to the next ``2^a 3^b 5^c``, the lengths FFTW
        transforms fastest; ``"fast"`` to the next length with prime factors 2, 3, 5, 7, 11;
        ``"exact"`` not at all (``M_k = ceil(oversampling W_k)``, the least redundancy).  Every
        choice is painless and exactly invertible.  Measured (60 s at 22.05 kHz, 84 constant-Q
        bands from 32.7 Hz, float32, C backend, one thread): redundancy 1.025 / 1.012 / 1.011
        and forward 9 / 13 / 30 ms for smooth / fast / exact (see the NSGT docs page).
    M : int or array, optional
        Force the number of coefficients per band (all bands, DC / Nyquist included); every
        ``M_k`` must be at least ``W_k`` (the painless case), else :class:`ParameterError`.
    pad : bool
        Zero-pad signals shorter than ``length`` (``inverse`` returns ``length`` samples, or
        ``length=`` of them).
    painless : bool
        ``False`` accepts ``M_k < W_k``: band ``k``'s coefficients are then its filter output
        sampled every ``L / M_k`` samples, aliased (:ref:`theory-nsgt`: the product is folded modulo
        ``M_k``).  Such a plan analyses only: :meth:`inverse` and :meth:`convert` refuse it.

    Raises
    ------
    ParameterError
        A ``length`` below 8 or whose spectrum would not fit in memory; an unknown
        ``layout``, ``window`` or ``band_lengths``; ``oversampling`` below 1; any scale
        parameter :func:`nsgt_frequencies` refuses; an ``M`` below the window supports while
        ``painless=True``.

    See Also
    --------
    SlicedNSGT : the same transform on slices, for signals of any length and streams.
    cqt : constant-Q magnitudes on a hop grid.
    nsgt_frequencies : the scales.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.NSGT(length=22050, sr=22050, fmin=110.0, fmax=7040.0, bins_per_octave=12)
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> c = plan.forward(y)
    >>> len(plan.bands), c.band(10).shape, c.band(40).shape
    (75, (24,), (120,))
    >>> bool(np.allclose(plan.inverse(c), y))
    True
    """

    def __init__(self, *, length: int, sr: float, scale: str = "cqt", fmin: float = 32.7,
                 fmax: float | None = None, n_bins: int | None = None,
                 bins_per_octave: int = 12, gamma: float = 0.0, frequencies=None,
                 htk: bool = True, window: str = "hann", min_win: int = 4, qvar: float = 1.0,
                 oversampling: float = 1.0, layout: str = "ragged", real: bool = True, M=None,
                 pad: bool = False, band_lengths: str = "smooth", painless: bool = True):
        # FFTW sizes are C ints; the spectrum of one signal must fit in memory
        self.length = _validation.positive_int("length", length, minimum=8, maximum=2**31 - 1)
        _validation.check_size("length", (self.length,), np.complex128,
                               what="the spectrum of one signal")
        self.sr = _validation.sample_rate("sr", sr)
        self.layout = _validation.choice("layout", layout, LAYOUTS)
        self.window = _validation.choice("window", window, FREQUENCY_WINDOWS)
        self.band_lengths = _validation.choice("band_lengths", band_lengths, BAND_LENGTHS)
        self.min_win = _validation.positive_int("min_win", min_win, maximum=self.length)
        self.qvar = _validation.positive_float("qvar", qvar)
        self.oversampling = _validation.positive_float("oversampling", oversampling)
        if self.oversampling < 1:
            raise ParameterError(f"oversampling={oversampling} must be >= 1 (painless frames)")
        self.real = bool(real)
        self.pad = bool(pad)
        self.scale = "custom" if frequencies is not None else scale
        xi, bw = nsgt_frequencies(sr=self.sr, scale=scale, fmin=fmin, fmax=fmax, n_bins=n_bins,
                                  bins_per_octave=bins_per_octave, gamma=gamma,
                                  frequencies=frequencies, htk=htk)
        self.design: FrameDesign = design_frame(
            length=self.length, sr=self.sr, xi=xi, bw=bw * self.qvar, window=self.window,
            min_win=self.min_win, oversampling=self.oversampling, layout=self.layout,
            real=self.real, M_user=M, band_lengths=self.band_lengths, painless=bool(painless))
        d = self.design
        self.total = d.total
        self.diagonal = d.diagonal
        self.bands = BandTable(
            kind=d.kind, centre_hz=d.centre_hz, bandwidth_hz=d.bandwidth_hz, support=d.width,
            M=d.M, hop=self.length / d.M, hop_seconds=self.length / d.M / self.sr,
            offset=d.offset)
        self._lock = threading.Lock()
        self._kernels: dict = {}

    @classmethod
    def cached(cls, **params) -> NSGT:
        """A plan from the shared, bounded plan cache (:func:`gaborcore.plan_cache_info`).

        Equal parameters give the same plan object (until the cache evicts it); a new one is
        made, once, on a miss.

        Parameters
        ----------
        **params
            Keyword arguments of :class:`NSGT`.

        Returns
        -------
        plan : NSGT
            The cached plan.

        See Also
        --------
        gaborcore.plan_cache_info : Size and use of the cache.

        Examples
        --------
        >>> import gaborcore
        >>> a = gaborcore.NSGT.cached(length=8000, sr=8000, fmin=125.0, n_bins=4)
        >>> a is gaborcore.NSGT.cached(length=8000, sr=8000, fmin=125.0, n_bins=4)
        True
        """
        key = ("nsgt", *sorted((k, _hashable(v)) for k, v in params.items()))
        return plan_cache.get_or_create(key, lambda: cls(**params))

    @property
    def nbytes(self) -> int:
        """Estimated memory of the plan once a kernel is made: the design (D, windows), the
        gather/scatter tables of one precision and a scratch set of one signal (measured for
        60 s of 84 constant-Q bands with the C backend: 219 MB of resident memory after the
        first forward; this estimate, 100 bytes per window bin and 8 per sample: 229 MB).

        Returns
        -------
        nbytes : int
            The estimate, in bytes.

        See Also
        --------
        redundancy : Coefficients per sample.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> plan.nbytes > 8 * plan.length
        True
        """
        n_bins = int(self.design.width.sum())
        return int(self.design.diagonal.nbytes + 8 * self.length + 100 * n_bins
                   + 16 * (2 * self.length + self.total + n_bins))

    # ---- diagnostics -----------------------------------------------------------------------
    @property
    def frame_bounds(self) -> tuple[float, float]:
        """Optimal frame bounds of the painless frame: min and max of the diagonal D.

        Returns
        -------
        bounds : (float, float)
            ``(A, B)``; the painless frame operator is diagonal in frequency, with entries D
            (:ref:`theory-nsgt`).

        See Also
        --------
        is_painless : Whether the frame is painless.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> A, B = plan.frame_bounds
        >>> bool(0 < A <= B)
        True
        """
        return float(self.diagonal.min()), float(self.diagonal.max())

    @property
    def redundancy(self) -> float:
        """Complex coefficients per signal sample, ``sum_k M_k / L``.

        Returns
        -------
        redundancy : float
            ``total / length``.

        See Also
        --------
        nbytes : Memory of the plan.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> plan.redundancy == plan.total / plan.length
        True
        """
        return self.total / self.length

    @property
    def is_painless(self) -> bool:
        """True when every band has at least as many coefficients as window bins.

        Returns
        -------
        painless : bool
            Whether ``M_k >= W_k`` for every band: :meth:`inverse` and :meth:`convert` need it.

        See Also
        --------
        frame_bounds : The frame bounds of a painless frame.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> plan.is_painless
        True
        """
        return bool(np.all(self.bands.M >= self.bands.support))

    @property
    def latency(self) -> int:
        """Samples needed before any coefficient is known: the whole signal, L (see
        :class:`SlicedNSGT` for a transform with bounded latency).

        Returns
        -------
        latency : int
            ``length``, in samples.

        See Also
        --------
        SlicedNSGT.latency : The bounded latency of the sliced transform.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> plan.latency
        8000
        """
        return self.length

    def __repr__(self) -> str:
        return (f"NSGT(length={self.length}, sr={self.sr:g}, scale={self.scale!r}, "
                f"bands={len(self.bands)}, layout={self.layout!r}, real={self.real}, "
                f"redundancy={self.redundancy:.2f})")

    def _kernel(self, backend: str | None = None):
        """The kernel object of ``backend`` for this plan's design (made once, under a lock)."""
        name = _backend.resolve_backend(backend)
        with self._lock:
            kern = self._kernels.get(name)
            if kern is None:
                module = _backend.kernels(name, "_nsgt")
                kern = self._kernels[name] = module.NsgtKernel(**self.design.kernel_arrays())
        return kern
    # ---- transforms ------------------------------------------------------------------------
    def forward(self, y, *, out=None, workers=None, backend=None) -> NSGTCoefficients:
        """Coefficients of ``y[..., L]`` (float32 -> complex64, float64 -> complex128).

        ``out``: a C-contiguous complex array ``(..., total)`` to write into (no allocation).
        Calling the plan is the same.

        Parameters
        ----------
        y : array_like, shape (..., L)
            Real signal (complex for a plan made with ``real=False``); leading axes are batch
            axes.  With ``pad=True`` a shorter signal is zero-padded to ``L``.
        out : ndarray, optional
            Preallocated result, shape ``(..., total)``, of the complex dtype above.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        coefs : NSGTCoefficients
            The coefficients, ``data`` of shape ``(..., total)``.

        Raises
        ------
        ParameterError
            If ``y`` does not have ``L`` samples (or more, with ``pad=True``), is complex for a
            real plan, has values so large the sums could overflow, or ``out`` does not fit.

        See Also
        --------
        inverse : The reconstruction.
        SlicedNSGT : For signals of any length, or streams.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> c = plan.forward(np.random.default_rng(0).standard_normal(8000))
        >>> c.shape == (plan.total,), c.dtype
        (True, dtype('complex128'))
        """
        y = signal_input(self, y)
        cdt = _validation.complex_dtype_for(_validation.real_dtype_for(y.dtype))
        shape = y.shape[:-1] + (self.total,)
        if out is None:
            _validation.check_size("y", shape, cdt, what="the coefficients")
            out = np.empty(shape, cdt)
        else:
            out = _validation.out_array("out", out, shape, np.dtype(cdt))
        n_threads = _backend.resolve_workers(workers)
        self._kernel(backend).forward(np.ascontiguousarray(y).reshape(-1, self.length),
                                     out.reshape(-1, self.total), n_threads)
        return NSGTCoefficients(self, out)

    def inverse(self, coefs, *, length: int | None = None, workers=None,
                backend=None) -> np.ndarray:
        """Reconstruction through the canonical dual windows (exact for this painless frame).

        Parameters
        ----------
        coefs : NSGTCoefficients or ndarray
            Coefficients of this plan (or of a plan with the same windows and layout), or a
            complex64/complex128 array ``(..., total)``.
        length : int, optional
            Return only the first ``length <= L`` samples (e.g. the length before ``pad``);
            default all ``L``.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        y : ndarray, shape (..., length)
            Real for a real plan (float32 from complex64), complex otherwise.

        Raises
        ------
        ParameterError
            If the plan is not painless, ``coefs`` belong to a plan with other windows or layout,
            have the wrong size or dtype, hold NaN or Inf, or ``length`` exceeds ``L``.

        See Also
        --------
        forward : The analysis.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> y = np.random.default_rng(0).standard_normal(8000)
        >>> bool(np.allclose(plan.inverse(plan.forward(y)), y))
        True
        """
        require_painless(self, "inverse")
        data = coefficient_data(self, coefs)
        rdt = _validation.real_dtype_for(data.dtype)
        odt = rdt if self.real else data.dtype
        out = np.empty(data.shape[:-1] + (self.length,), odt)
        n_threads = _backend.resolve_workers(workers)
        self._kernel(backend).inverse(np.ascontiguousarray(data).reshape(-1, self.total),
                                     out.reshape(-1, self.length), n_threads)
        if length is not None:
            out = out[..., :_validation.positive_int("length", length, maximum=self.length)]
        return out

    __call__ = forward

    def convert(self, coefs: NSGTCoefficients, *, workers=None,
                backend=None) -> NSGTCoefficients:
        """Coefficients of another plan with the same windows, in this plan's layout (exact).

        Each band is resampled in frequency (FFT to its window bins, inverse FFT at the new M),
        which is exact for painless frames.  The plans must share length, sr and scale design.

        Parameters
        ----------
        coefs : NSGTCoefficients
            Coefficients of a painless plan with the same windows.
        workers : int, optional
            Threads (scipy.fft semantics); results do not depend on it.
        backend : {"auto", "c", "numba", "numpy"}, optional
            The kernels to run.

        Returns
        -------
        converted : NSGTCoefficients
            The same signal's coefficients in this plan's layout and ``M_k``.

        Raises
        ------
        ParameterError
            If ``coefs`` are not :class:`NSGTCoefficients`, either plan is not painless, or the
            windows differ.

        See Also
        --------
        NSGTCoefficients.matrix : The full layout as one matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4)
        >>> full = gaborcore.NSGT(length=8000, sr=8000, fmin=125.0, n_bins=4, bins_per_octave=4,
        ...                       layout="full")
        >>> y = np.random.default_rng(0).standard_normal(8000)
        >>> cf = full.convert(plan.forward(y))
        >>> cf.plan is full, bool(np.allclose(full.inverse(cf), y))
        (True, True)
        """
        if not isinstance(coefs, NSGTCoefficients):
            raise ParameterError("coefs must be NSGTCoefficients (they carry their plan)")
        src = coefs.plan
        require_painless(self, "convert")
        require_painless(src, "convert")
        if not self.design.same_windows(src.design):
            raise ParameterError("the plans differ in their windows: conversion is not exact")
        data = coefs.data
        out = np.empty(data.shape[:-1] + (self.total,), data.dtype)
        d = self.design
        module = _backend.kernels(_backend.resolve_backend(backend), "_nsgt")
        module.convert(data, out, first=d.first, width=d.width, centre=d.centre,
                       src_M=src.bands.M, src_offset=src.bands.offset, dst_M=d.M,
                       dst_offset=d.offset, n_threads=_backend.resolve_workers(workers))
        return NSGTCoefficients(self, out)


def _hashable(value):
    if isinstance(value, np.ndarray | list | tuple):
        a = np.asarray(value)
        return ("array", a.dtype.str, a.shape, a.tobytes())
    return value
