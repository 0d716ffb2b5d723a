"""Gabor multipliers on a lattice (:class:`GaborMultiplier`) and on an NSGT frame
(:class:`NSGTMultiplier`)."""

from __future__ import annotations

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ..stft import dgt, idgt
from ..windows import frame_diagonal
from ._torus import centred_window, torus_signal

__all__ = ["GaborMultiplier", "NSGTMultiplier"]


class GaborMultiplier:
    """``G_m f = sum_{n,k} m[n, k] <f, g_{n,k}> g_{n,k}`` on the lattice (hop, n_fft).

    ``g_{n,k} = M_{bk} T_{an} g`` with ``a = hop_length``, ``b = L / n_fft``.  Real signals, a
    real window supported within ``n_fft`` samples and a real mask symmetric in frequency
    (``m[n, k] == m[n, -k]``) use the compiled Gabor transform both ways; anything else uses the
    explicit (NumPy) synthesis.

    The multiplier is applied with ``G(f)`` or ``G.apply(f)`` (``f`` of shape ``(..., L)``);
    ``G.coefficients(f)`` is the analysis (shape ``(..., N, M)``), ``G.synthesize(d)`` the
    synthesis, ``G.adjoint()`` the multiplier of ``conj(m)`` and ``G.matrix()`` the explicit
    ``L x L`` matrix (``L <= 4096``).

    Parameters
    ----------
    mask : array_like, shape (N, M)
        The symbol ``m[n, k]`` (frame n, channel k), real or complex; ``N = L / hop``.
    window : array_like, shape (L,)
        The window g on ``Z_L`` (see :func:`torus_window`); its length is the signal length.
    hop_length : int
        Time step ``a`` of the lattice; divides ``L``.
    n_fft : int
        Number of channels ``M``; divides ``L``.

    Raises
    ------
    ParameterError
        If ``window`` is not a finite 1-D array, ``L`` is not a multiple of ``hop_length`` and
        ``n_fft``, ``mask`` does not have shape ``(L // hop_length, n_fft)`` or is not finite, or
        the products would overflow float64.

    See Also
    --------
    multiplier_spreading_function : Its spreading function (identity I7).
    NSGTMultiplier : The same on a non-stationary Gabor frame.
    frame_bounds : A mask of ones gives the frame operator.

    Notes
    -----
    ``<G_m f, f> = sum m[n, k] |<f, g_{n,k}>|^2`` (identity I6 of :ref:`theory-identities`): a
    multiplier weights the spectrogram samples on the lattice.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import operators
    >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
    >>> G = operators.GaborMultiplier(np.ones((12, 16)), g, hop_length=4, n_fft=16)
    >>> f = np.random.default_rng(0).standard_normal(48)
    >>> A, B = gaborcore.frame_bounds("hann", hop_length=4, n_fft=16)
    >>> bool(np.allclose(G(f), A * f))  # a tight frame: the mask of ones is A times identity
    True
    >>> bool(np.allclose(G.matrix() @ f, G(f)))
    True
    """

    def __init__(self, mask, window, *, hop_length: int, n_fft: int):
        g = torus_signal("window", window)
        L = g.shape[0]
        hop_length = _validation.positive_int("hop_length", hop_length)
        n_fft = _validation.positive_int("n_fft", n_fft)
        self.length, self.hop_length, self.n_fft = L, hop_length, n_fft
        if L % self.hop_length or L % self.n_fft:
            raise ParameterError(
                f"length {L} must be a multiple of hop_length={hop_length} and n_fft={n_fft}"
            )
        m = np.asarray(mask)
        N = L // self.hop_length
        if m.shape != (N, self.n_fft):
            raise ParameterError(f"mask has shape {m.shape}; expected (N, M) = ({N}, {n_fft})")
        if m.dtype.kind not in "fciu" or not np.isfinite(m).all():
            raise ParameterError(f"mask must hold finite real or complex numbers (dtype "
                                 f"{m.dtype})")
        # |G_m f| <= max|m| max|g|^2 L^2 max|f| bounds every sum of analysis and synthesis
        mm = _validation.absmax(m.astype(np.result_type(m.dtype, np.float64)))
        self._log2_gain = (_validation.log2(mm) + 2 * _validation.log2(_validation.absmax(g))
                           + 2 * np.log2(L) + 1)
        _validation.check_range("mask", self._log2_gain, np.float64, f"max |mask| = {mm:.3g}")
        self.mask = m
        self.window = g
        k = np.arange(self.n_fft)
        self._fast = (not np.iscomplexobj(g) and not np.iscomplexobj(m)
                      and np.allclose(m, m[:, (-k) % self.n_fft], rtol=0, atol=0))
        try:
            self._w = centred_window(g, self.n_fft) if not np.iscomplexobj(g) else None
        except ParameterError:
            self._w, self._fast = None, False

    def adjoint(self) -> GaborMultiplier:
        """The adjoint multiplier ``G_m^* = G_{conj(m)}``.

        Returns
        -------
        GaborMultiplier
            The multiplier of the conjugate mask, same window and lattice.

        See Also
        --------
        GaborMultiplier.matrix : Its matrix is the conjugate transpose.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> bool(np.allclose(G.adjoint().matrix(), G.matrix().conj().T))
        True
        """
        return GaborMultiplier(np.conj(self.mask), self.window, hop_length=self.hop_length,
                               n_fft=self.n_fft)

    def coefficients(self, f) -> np.ndarray:
        """The analysis coefficients ``<f, g_{n,k}>``, shape ``(..., N, M)``.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s).

        Returns
        -------
        ndarray of complex128, shape (..., N, M)
            Indexed ``[frame n, channel k]``, all ``M`` channels.

        See Also
        --------
        GaborMultiplier.synthesize : The synthesis.
        gaborcore.dgt : The same coefficients, one-sided and transposed.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> c = G.coefficients(f)
        >>> c.shape, bool(np.allclose(c[:, :9], gaborcore.dgt(f, n_fft=16, hop_length=4).T))
        ((12, 16), True)
        """
        f = np.asarray(f)
        if self._w is not None:
            c = dgt(f.astype(np.complex128), window=self._w, hop_length=self.hop_length,
                    n_fft=self.n_fft)
            return np.swapaxes(c, -1, -2)
        L, a, M = self.length, self.hop_length, self.n_fft
        t = np.arange(L)
        out = np.empty(f.shape[:-1] + (L // a, M), np.complex128)
        for n in range(L // a):
            u = f * np.conj(self.window[(t - a * n) % L])
            out[..., n, :] = np.fft.fft(u.reshape(f.shape[:-1] + (L // M, M)).sum(-2), axis=-1)
        return out

    def synthesize(self, d) -> np.ndarray:
        """The synthesis ``sum_{n,k} d[n, k] g_{n,k}`` for coefficients ``d[..., n, k]``.

        Parameters
        ----------
        d : array_like, shape (..., N, M)
            Coefficients on the lattice.

        Returns
        -------
        ndarray of complex128, shape (..., L)
            The synthesised signal(s).

        See Also
        --------
        GaborMultiplier.coefficients : The analysis.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> y = G.synthesize(G.mask * G.coefficients(f))  # the multiplier, explicitly
        >>> bool(np.allclose(y, G(f)))
        True
        """
        d = np.asarray(d)
        L, a, M = self.length, self.hop_length, self.n_fft
        t = np.arange(L)
        out = np.zeros(d.shape[:-2] + (L,), np.complex128)
        for n in range(L // a):
            u = M * np.fft.ifft(d[..., n, :], axis=-1)  # sum_k d e^{2 pi i k t / M}, period M
            out += u[..., t % M] * self.window[(t - a * n) % L]
        return out

    def apply(self, f) -> np.ndarray:
        """``G_m f`` for ``f[..., L]`` (real in, real out on the compiled path).

        ``G(f)`` is the same call.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s), real or complex, finite.

        Returns
        -------
        ndarray, shape (..., L)
            ``G_m f``: real (float64) on the compiled path (real signal, window and
            frequency-symmetric mask), complex128 otherwise.

        Raises
        ------
        ParameterError
            If ``f`` does not have ``L`` samples, is not finite, or the result would overflow.

        See Also
        --------
        GaborMultiplier.matrix : The same as a matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> bool(np.allclose(G.apply(f), G.matrix() @ f))
        True
        """
        f = _validation.signal("f", f, min_length=self.length, allow_complex=True)
        if f.shape[-1] != self.length:
            raise ParameterError(f"f has {f.shape[-1]} samples; the multiplier has L={self.length}")
        m = _validation.absmax(f)
        _validation.check_range("f", _validation.log2(m) + self._log2_gain,
                                np.result_type(f.dtype, np.float64), f"max |f| = {m:.3g}")
        if self._fast and not np.iscomplexobj(f):
            out = self._apply_fast(f)
            # the fast path divides by the frame diagonal D and multiplies by it again: a window
            # whose D spans hundreds of decades can overflow in between, the explicit sums cannot
            if _validation.all_finite(out):
                return out
        return self.synthesize(self.mask * self.coefficients(f))

    __call__ = apply

    def _apply_fast(self, f):
        # analysis and synthesis through the compiled STFT kernels: idgt is synthesis with the
        # canonical dual g / D, so synthesis with g itself is idgt times D
        L, a, M = self.length, self.hop_length, self.n_fft
        n_freq = M // 2 + 1
        c = dgt(f, window=self._w, hop_length=a, n_fft=M)
        d = c * self.mask[:, :n_freq].T.astype(c.dtype)
        y = idgt(d, window=self._w, hop_length=a, n_fft=M, length=L)
        return y * self._diagonal()

    def _diagonal(self) -> np.ndarray:
        D = getattr(self, "_D", None)
        if D is None:
            L, a, M = self.length, self.hop_length, self.n_fft
            lin = frame_diagonal(self._w, a, L // a)
            k = -(-lin.shape[0] // L)
            ext = np.zeros(k * L)
            ext[: lin.shape[0]] = lin
            D = self._D = M * np.roll(ext.reshape(k, L).sum(0), -(M // 2))
        return D

    def matrix(self) -> np.ndarray:
        """The explicit L x L matrix (small L only).

        Returns
        -------
        ndarray of complex128, shape (L, L)
            ``K`` with ``G_m f = K @ f``.

        Raises
        ------
        ParameterError
            If ``L > 4096``.

        See Also
        --------
        spreading_function : The spreading function of a matrix.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore import operators
        >>> g = operators.torus_window(gaborcore.get_window("hann", 16), 48)
        >>> rng = np.random.default_rng(0)
        >>> G = operators.GaborMultiplier(rng.uniform(size=(12, 16)), g, hop_length=4, n_fft=16)
        >>> f = rng.standard_normal(48)
        >>> K = G.matrix()
        >>> K.shape, bool(np.allclose(K @ f, G(f)))
        ((48, 48), True)
        """
        if self.length > 4096:
            raise ParameterError(f"matrix() is for small L; L={self.length}")
        return self.synthesize(self.mask * self.coefficients(np.eye(self.length))).T


class NSGTMultiplier:
    """A multiplier on the frame of an NSGT plan, ``sum_{k,n} m_k[n] <f, phi_{k,n}> phi_{k,n}``.

    The frame is that of an :class:`~gaborcore.NSGT` plan, with the analysis windows (not the
    duals) on both sides.  Apply it with ``mult(f)`` or ``mult.apply(f, backend=None)``, ``f`` of
    shape ``(..., L)``: real for a real plan.

    Parameters
    ----------
    plan : NSGT
        The plan whose atoms ``phi_{k,n}`` the multiplier uses.
    mask : ndarray, shape (plan.total,), or NSGTCoefficients
        The symbol, in the plan's coefficient layout.

    Raises
    ------
    ParameterError
        If ``mask`` does not have ``plan.total`` entries.

    See Also
    --------
    GaborMultiplier : The stationary case.
    gaborcore.NSGT : The plan.

    Notes
    -----
    The NSGT frame is described on the theory page, :ref:`theory-nsgt`.

    Examples
    --------
    A mask of ones gives the frame operator, diagonal in frequency for a painless plan:

    >>> import numpy as np, gaborcore
    >>> from gaborcore.operators import NSGTMultiplier
    >>> plan = gaborcore.NSGT(sr=22050, length=8192, fmin=100.0, fmax=8000.0, bins_per_octave=12)
    >>> mult = NSGTMultiplier(plan, np.ones(plan.total))
    >>> f = np.random.default_rng(0).standard_normal(8192)
    >>> Sf = plan.length * np.fft.ifft(plan.diagonal * np.fft.fft(f)).real
    >>> bool(np.allclose(mult(f), Sf))
    True
    """

    def __init__(self, plan, mask):
        self.plan = plan
        data = getattr(mask, "data", mask)
        data = np.asarray(data)
        if data.shape != (plan.total,):
            raise ParameterError(f"mask has shape {data.shape}; the plan has {plan.total} "
                                 "coefficients")
        self.mask = data

    def apply(self, f, *, backend=None) -> np.ndarray:
        """The multiplier applied to ``f[..., L]``; ``mult(f)`` is the same call.

        Parameters
        ----------
        f : array_like, shape (..., L)
            The signal(s), as the plan's ``forward`` takes them.
        backend : {"auto", "c", "numba", "numpy"}, optional
            Backend of the NSGT.

        Returns
        -------
        ndarray, shape (..., L)
            Real for a real plan, complex otherwise.

        See Also
        --------
        gaborcore.NSGT.forward : The analysis it uses.

        Examples
        --------
        >>> import numpy as np, gaborcore
        >>> from gaborcore.operators import NSGTMultiplier
        >>> plan = gaborcore.NSGT(sr=22050, length=8192, fmin=100.0, fmax=8000.0,
        ...                       bins_per_octave=12)
        >>> y = NSGTMultiplier(plan, np.ones(plan.total)).apply(np.zeros(8192))
        >>> y.shape, y.dtype
        ((8192,), dtype('float64'))
        """
        c = self.plan.forward(f, backend=backend).data * self.mask
        y = self.plan.inverse(c.astype(np.result_type(c.dtype, np.complex64)), backend=backend)
        # inverse() synthesises with the duals G / D (and 1/L); the atoms
        # phi_kn(t) = sum_j G_k[j] exp(-2 pi i n (j - j_k) / M_k) exp(2 pi i j t / L) give
        # sum d phi = L ifft(sum_k G_k FFT(d_k)) = L ifft(D fft(inverse(d)))
        out = self.plan.length * np.fft.ifft(self.plan.diagonal * np.fft.fft(y, axis=-1), axis=-1)
        return out.real if self.plan.real else out

    __call__ = apply
