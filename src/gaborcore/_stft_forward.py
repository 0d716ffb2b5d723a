"""The forward transforms of an :class:`~gaborcore.STFT` plan: stft, spectrogram, filter banks.

:class:`StftForward` holds the methods; :class:`~gaborcore.STFT` inherits them.  They use the
plan's public attributes (``n_fft``, ``hop_length``, ``window``, ``center``, ``pad``,
``pad_mode``, ``phase_convention``) and methods (:meth:`~gaborcore.STFT.kernel`,
:meth:`~gaborcore.STFT.output_shape`, :meth:`~gaborcore.STFT.n_frames`,
:meth:`~gaborcore.STFT.cached`).  The definitions are those of :mod:`gaborcore.stft`.
"""

from __future__ import annotations

import numpy as np

from . import _backend, _codes, _validation
from ._stft_frames import (
    END_PAD_MODES,
    PAD_MODES,
    apply_phase,
    n_threads,
    output_array,
    rows_view,
    target_dtype,
)
from ._validation import ParameterError
from ._warn import warn
from .filterbanks import SparseFilterbank

_OUT_COMPLEX, _OUT_POWER, _OUT_MAGNITUDE, _OUT_POW = (_codes.OUT_COMPLEX, _codes.OUT_POWER,
                                                     _codes.OUT_MAGNITUDE, _codes.OUT_POW)


class StftForward:
    """The forward transforms of :class:`~gaborcore.STFT` (a mixin: STFT inherits them)."""

    # ---- helpers ---------------------------------------------------------------------------
    def _signal(self, y, allow_complex=False, check_finite=True, power=1.0,
                extra_log2=0.0) -> np.ndarray:
        """The validated signal; with ``check_finite`` also its range: ``|STFT| ** power``
        (times ``2 ** extra_log2``, a projection's gain) must stay inside its precision, or
        the FFT's sums overflow to inf and the phases turn them into NaN."""
        if isinstance(y, np.ndarray) and y.dtype == np.float16:
            y = y.astype(np.float32)  # half precision is computed in single precision
        if not self.center and isinstance(y, np.ndarray) and 0 < y.shape[-1] < self.n_fft:
            raise ParameterError(
                f"n_fft={self.n_fft} is too large for uncentered analysis (center=False) of a "
                f"signal of length={y.shape[-1]}: at least n_fft samples are needed"
            )
        y = _validation.signal("y", y, min_length=self.min_length, allow_complex=allow_complex,
                               check_finite=False)
        if check_finite:
            m = _validation.absmax(y)  # one pass: NaN or inf when y is not finite
            if not np.isfinite(m):
                raise ParameterError("y contains NaN or Inf values; only finite samples are "
                                     "allowed")
            gain = float(np.abs(self.window).sum())
            _validation.check_range("y", power * (_validation.log2(m) + _validation.log2(gain))
                                    + extra_log2, y.dtype, f"max |y| = {m:.3g}")
        if self.center and y.shape[-1] < self.n_fft:
            warn(f"n_fft={self.n_fft} is too large for input signal of length={y.shape[-1]}")
        if y.strides[-1] != y.itemsize:
            y = np.ascontiguousarray(y)
        return y

    def _pieces(self, y2: np.ndarray, n_frames: int) -> list[tuple]:
        """``[(rows, pad, kernel pad code, t0, t1)]``: what the kernels read for frames t0..t1.

        The kernels pad "constant", "reflect" and "wrap" themselves (one piece, no copy).  The
        numpy.pad modes that depend only on the signal's ends ("edge", "symmetric",
        "linear_ramp", "empty") pad copies of the two ends, as librosa does: the frames that
        reach the padding read them, the others read the signal in place.  The modes that
        depend on the whole signal ("mean", "median", "maximum", "minimum", a function) pad a
        copy of it.
        """
        mode = self.pad_mode
        constant = PAD_MODES["constant"]
        if not self.pad or (isinstance(mode, str) and mode in PAD_MODES):
            return [(y2, self.pad, PAD_MODES.get(mode, constant), 0, n_frames)]
        n, a, n_fft, p = y2.shape[-1], self.hop_length, self.n_fft, self.pad
        first_in = -(-p // a)  # the first frame inside the signal
        end_in = (n + p - n_fft) // a + 1 if n + p >= n_fft else 0  # frames before end inside
        if mode not in END_PAD_MODES or end_in <= first_in:
            full = np.ascontiguousarray(np.pad(y2, [(0, 0), (p, p)], mode=mode))
            return [(full, 0, constant, 0, n_frames)]
        pieces = []
        if first_in > 0:  # its excerpt has >= n_fft - p >= p samples: numpy pads as on y
            head = np.pad(y2[:, :(first_in - 1) * a - p + n_fft], [(0, 0), (p, 0)], mode=mode)
            pieces.append((np.ascontiguousarray(head), 0, constant, 0, first_in))
        pieces.append((y2[:, first_in * a - p:], 0, constant, first_in, end_in))
        if n_frames > end_in:
            start = end_in * a - p
            s0 = min(start, n - p)  # at least p samples before the end, as for the head
            tail = np.ascontiguousarray(np.pad(y2[:, s0:], [(0, 0), (0, p)], mode=mode))
            pieces.append((tail[:, start - s0:], 0, constant, end_in, n_frames))
        return pieces

    def _forward(self, y2, out3, kind, power, workers, backend):
        name = _backend.resolve_backend(backend)
        kern = self.kernel(name, y2.dtype)
        for rows, pad, mode, t0, t1 in self._pieces(y2, out3.shape[-1]):
            kern.forward(rows, pad, mode, t1 - t0, kind, power, out3[..., t0:t1],
                         n_threads(workers, rows.shape[0] * (t1 - t0)))
        return out3

    # ---- transforms ------------------------------------------------------------------------
    def stft(self, y, *, dtype=None, out=None, workers=None, backend=None) -> np.ndarray:
        """Complex STFT ``X[..., m, t]`` of ``y[..., n]`` (see the module docstring).

        Real input gives the one-sided spectrum, ``n_fft // 2 + 1`` rows (complex64 for float32,
        complex128 for float64, or ``dtype``); complex input gives all ``n_fft`` rows.  The
        transform runs in the higher of the input's and ``dtype``'s precisions.  ``out`` may be
        longer than the result along the last axis: the result is then the view
        ``out[..., :n_frames]`` (as librosa).

        Parameters
        ----------
        y : array_like, shape (..., n_samples)
            Real or complex signal, finite.
        dtype : {complex64, complex128}, optional
            Precision of the result.
        out : ndarray, optional
            Array of the result's shape (or longer along the last axis) and dtype.
        workers : int, optional
            Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend for this call; default the :func:`set_backend` context, else ``"auto"``.

        Returns
        -------
        ndarray, shape (..., n_fft // 2 + 1, n_frames) or (..., n_fft, n_frames)
            The complex coefficients.

        Raises
        ------
        ParameterError
            If ``y`` is not finite, too short (uncentred) or too large, ``dtype`` is not
            complex, or ``out`` does not fit.

        See Also
        --------
        gaborcore.stft : The same through a cached plan.
        STFT.istft : The inverse.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
        >>> out = np.empty((257, 40), np.complex64)  # longer than the 33 frames
        >>> X = plan.stft(y, out=out)
        >>> X.shape, bool(np.shares_memory(X, out))
        ((257, 33), True)
        """
        dtype = target_dtype("dtype", dtype, "c")
        y = self._signal(y, allow_complex=True)
        if dtype is None and isinstance(out, np.ndarray) and out.dtype.kind == "c":
            dtype = target_dtype("out.dtype", out.dtype, "c")
        if np.iscomplexobj(y):
            return self._stft_complex(y, dtype=dtype, out=out, workers=workers, backend=backend)
        cdt = _validation.complex_dtype_for(y.dtype) if dtype is None else dtype
        if cdt == np.complex128 and y.dtype == np.float32:
            y = y.astype(np.float64)
        shape = self.output_shape(y.shape)
        res = output_array("out", out, shape, cdt, prefix=True)
        wdt = _validation.complex_dtype_for(y.dtype)
        res3 = rows_view(res, 2) if wdt == cdt else None
        work = res3 if res3 is not None else np.empty((int(np.prod(shape[:-2])), *shape[-2:]),
                                                     wdt)
        self._forward(y.reshape(-1, y.shape[-1]), work, _OUT_COMPLEX, 0.0, workers, backend)
        if res3 is None:
            res[...] = work.reshape(shape)
        if self.phase_convention == "freqinv":
            apply_phase(self, res, -1)
        return res

    def _stft_complex(self, y, *, dtype, out, workers, backend):
        shape = self.output_shape(y.shape, onesided=False)
        cdt = y.dtype if dtype is None else np.promote_types(y.dtype, dtype)
        if cdt != y.dtype:
            y = y.astype(cdt)
        out = output_array("out", out, shape, y.dtype if dtype is None else dtype, prefix=True)
        plan = self.cached(n_fft=self.n_fft, hop_length=self.hop_length,
                           win_length=self.n_fft, window=self.window, center=self.center,
                           pad_mode=self.pad_mode, phase_convention="timeinv")
        re = plan.stft(np.ascontiguousarray(y.real), workers=workers, backend=backend)
        im = plan.stft(np.ascontiguousarray(y.imag), workers=workers, backend=backend)
        n, nf = self.n_fft, self.n_freq
        out[..., :nf, :] = re + 1j * im
        mirror = np.arange(nf, n)
        out[..., nf:, :] = np.conj(re[..., n - mirror, :]) + 1j * np.conj(im[..., n - mirror, :])
        if self.phase_convention == "freqinv":
            apply_phase(self, out, -1)
        return out

    def spectrogram(self, y, *, power: float = 2.0, out=None, workers=None,
                    backend=None, check_finite: bool = True) -> np.ndarray:
        """``|X|**power`` (power 2: energy, 1: magnitude), same precision as ``y``.

        Computed block by block: no complex STFT of the whole signal is ever stored.
        ``check_finite=False`` skips the pass that refuses NaN and Inf, for callers whose
        signals are known to be finite (decoded PCM audio); non-finite input then gives
        non-finite output instead of an error.

        Parameters
        ----------
        y : array_like, shape (..., n_samples)
            Real float32 or float64 signal.
        power : float, default 2.0
            Exponent of the magnitude, positive.
        out : ndarray, optional
            Array of the result's shape and dtype (see :meth:`output_shape`).
        workers : int, optional
            Threads, as :mod:`scipy.fft` counts them; default :func:`get_workers`.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend for this call; default the :func:`set_backend` context, else ``"auto"``.
        check_finite : bool, default True
            Refuse NaN and Inf in ``y`` (one pass over it).

        Returns
        -------
        ndarray, shape (..., n_fft // 2 + 1, n_frames)
            ``|X| ** power`` in the dtype of ``y``.

        Raises
        ------
        ParameterError
            If ``power`` is not positive, ``y`` is not finite (with ``check_finite``), too
            short or too large, or ``out`` does not fit.

        See Also
        --------
        gaborcore.spectrogram : The same through a cached plan.

        Examples
        --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
        >>> S = plan.spectrogram(y)
        >>> S.shape, S.dtype
        ((257, 33), dtype('float32'))
        >>> bool(np.allclose(S, np.abs(plan.stft(y)) ** 2, rtol=1e-4, atol=1e-4))
        True
        """
        return self._spectrogram(y, power, out, workers, backend, check_finite=check_finite)

    def filterbank_spectrogram(self, y, filterbank, *, power: float = 2.0, out=None,
                               workers=None, backend=None, check_finite: bool = True
                               ) -> np.ndarray:
        """``filterbank @ |STFT(y)| ** power``, fused: the spectrogram is never stored.

        Each block of frames is windowed, transformed, raised to ``power`` and projected onto
        the filters while it is still in cache (the mel spectrogram's kernel, for any filter
        bank).

        Parameters
        ----------
        y : array_like, shape (..., n)
            Real signal(s), float32 or float64 (float16 is computed in float32).
        filterbank : SparseFilterbank
            The filters over the ``n_fft // 2 + 1`` bins (:meth:`SparseFilterbank.from_dense`
            makes one from a matrix); their weights are used in the signal's precision.
        power : float, optional
            Exponent of the magnitude (2: power, 1: magnitude). Default 2.
        out : ndarray, optional
            Output array of the result's shape and dtype.
        workers : int, optional
            Threads (scipy.fft's convention); None is the ``set_workers`` default.
        backend : {"c", "numba", "numpy"}, optional
            Kernel backend; None is the ``set_backend`` default.
        check_finite : bool, optional
            Refuse NaN and Inf in ``y`` (default); False skips that pass for signals known to
            be finite.

        Returns
        -------
        ndarray, shape (..., n_bands, n_frames)
            The projected spectrogram, in the signal's precision.

        Raises
        ------
        ParameterError
            If ``y``, ``filterbank``, ``power`` or ``out`` is invalid, or the result would
            overflow the signal's precision.

        See Also
        --------
        MelSpectrogram : The mel filter bank on this kernel.
        STFT.spectrogram : The spectrogram itself.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> plan = gaborcore.STFT(n_fft=512, hop_length=128)
        >>> y = np.random.default_rng(0).standard_normal(4096)
        >>> fb = gaborcore.SparseFilterbank.from_dense(np.eye(257)[::8])   # every 8th bin
        >>> B = plan.filterbank_spectrogram(y, fb)
        >>> B.shape, bool(np.allclose(B, plan.spectrogram(y)[::8]))
        ((33, 33), True)
        """
        if not isinstance(filterbank, SparseFilterbank):
            raise ParameterError(f"filterbank must be a SparseFilterbank, not "
                                 f"{type(filterbank).__name__}")
        n_freq = self.n_fft // 2 + 1
        ends = filterbank.start + np.diff(filterbank.offset)
        if filterbank.n_bands and (filterbank.start.min() < 0 or ends.max() > n_freq):
            raise ParameterError(f"filterbank reaches bin {int(ends.max()) - 1}; n_fft="
                                 f"{self.n_fft} has bins 0 to {n_freq - 1}")
        power = _validation.positive_float("power", power)
        # |STFT| ** power summed with the filter weights must fit the precision too (an
        # all-zero filter bank multiplies inf by 0)
        gain = float(np.abs(filterbank.data).sum()) if filterbank.nnz else 0.0
        y = self._signal(y, check_finite=check_finite, power=max(power, 2.0),
                         extra_log2=max(0.0, _validation.log2(gain)))
        shape = (*y.shape[:-1], filterbank.n_bands, self.n_frames(y.shape[-1]))
        if out is None:
            _validation.check_size("y", shape, y.dtype, what="the projected spectrogram")
            out = np.empty(shape, y.dtype)
        else:
            out = _validation.out_array("out", out, shape, y.dtype)
        fb = filterbank if filterbank.data.dtype == y.dtype else filterbank.astype(y.dtype)
        kern = self.kernel(_backend.resolve_backend(backend), y.dtype)
        kind = {2.0: _OUT_POWER, 1.0: _OUT_MAGNITUDE}.get(power, _OUT_POW)
        out3 = out.reshape(-1, *shape[-2:])
        for rows, pad, pad_mode, t0, t1 in self._pieces(y.reshape(-1, y.shape[-1]), shape[-1]):
            kern.filterbank(rows, pad, pad_mode, t1 - t0, kind, power, fb.data, fb.start,
                            fb.offset, out3[..., t0:t1],
                            n_threads(workers, rows.shape[0] * (t1 - t0)))
        return out

    def _spectrogram(self, y, power, out, workers, backend, check_finite=True) -> np.ndarray:
        """:meth:`spectrogram`; ``check_finite=False`` for a caller whose signals are known to
        be finite (the extraction job's decoded clips), which spares a pass over them."""
        power = _validation.positive_float("power", power)
        # |X| is computed from the squares even for power < 2
        y = self._signal(y, check_finite=check_finite, power=max(power, 2.0))
        shape = self.output_shape(y.shape)
        out = (np.empty(shape, y.dtype) if out is None
               else _validation.out_array("out", out, shape, y.dtype))
        kind = {2.0: _OUT_POWER, 1.0: _OUT_MAGNITUDE}.get(power, _OUT_POW)
        y2 = y.reshape(-1, y.shape[-1])
        self._forward(y2, out.reshape(-1, *shape[-2:]), kind, power, workers, backend)
        return out
