"""Window families, canonical dual and tight windows, frame bounds.

All windows are designed in float64; transforms cast them once to their working precision.

Conventions
-----------
* ``fftbins=True`` (the default, as in librosa and scipy) gives the *periodic* window of length N:
  the symmetric window of length N + 1 with its last sample dropped, suited to spectral analysis and
  to constant overlap-add.  ``fftbins=False`` gives the symmetric window.
* A window shorter than ``n_fft`` is centred in ``n_fft`` samples (:func:`pad_center`).
* The lattice is ``(hop, n_fft)``: frames every ``hop`` samples, ``n_fft`` frequency channels.  The
  painless case is a window no longer than ``n_fft``; there the frame operator is the diagonal
  ``D(t) = n_fft * sum_n |g(t - n hop)|^2`` (THEORY.md I11), the canonical dual window is
  ``g / D`` and the canonical tight window is ``g / sqrt(D)``.
"""

from __future__ import annotations

import numpy as np

from ._validation import ParameterError, positive_float, positive_int

__all__ = [
    "get_window",
    "pad_center",
    "dual_window",
    "tight_window",
    "frame_bounds",
    "is_painless",
    "frame_diagonal",
    "WINDOW_NAMES",
]

_COSINE_SUMS = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08),
    "blackmanharris": (0.35875, 0.48829, 0.14128, 0.01168),
}
_ALIASES = {
    "hanning": "hann",
    "boxcar": "rectangular",
    "rect": "rectangular",
    "ones": "rectangular",
    "cosine": "sine",
    "sin": "sine",
    "blackman-harris": "blackmanharris",
    "blackman_harris": "blackmanharris",
    "gauss": "gaussian",
}
# name -> (default parameter or None when the family takes none)
WINDOW_NAMES = {
    "hann": None,
    "hamming": None,
    "blackman": None,
    "blackmanharris": None,
    "sine": None,
    "rectangular": None,
    "tukey": 0.5,
    "kaiser": 12.0,
    "gaussian": 1.0,
}


def _symmetric(name: str, n: int, param) -> np.ndarray:
    """Symmetric window of length n (n >= 1)."""
    if n == 1:
        return np.ones(1)
    t = np.arange(n, dtype=np.float64)
    if name in _COSINE_SUMS:
        phase = 2.0 * np.pi * t / (n - 1)
        w = np.zeros(n)
        for k, a in enumerate(_COSINE_SUMS[name]):
            w += (-1) ** k * a * np.cos(k * phase)
        return w
    if name == "sine":
        return np.sin(np.pi * (t + 0.5) / n)
    if name == "rectangular":
        return np.ones(n)
    if name == "tukey":
        alpha = float(param)
        if not 0.0 <= alpha <= 1.0:
            raise ParameterError(f"tukey window parameter alpha={alpha} must lie in [0, 1]")
        if alpha == 0.0:
            return np.ones(n)
        x = t / (n - 1)
        w = np.ones(n)
        left = x < alpha / 2
        right = x > 1 - alpha / 2
        w[left] = 0.5 * (1 - np.cos(2 * np.pi * x[left] / alpha))
        w[right] = 0.5 * (1 - np.cos(2 * np.pi * (1 - x[right]) / alpha))
        return w
    if name == "kaiser":
        beta = float(param)
        if not beta >= 0:
            raise ParameterError(f"kaiser window parameter beta={beta} must be >= 0")
        r = 2.0 * t / (n - 1) - 1.0
        return np.i0(beta * np.sqrt(np.clip(1.0 - r * r, 0.0, None))) / np.i0(beta)
    if name == "gaussian":
        # Time-frequency ratio tfr: exp(-pi (t - c)^2 / (tfr * n)); tfr = 1 spreads equally in
        # time (samples) and frequency (bins of an n-point DFT), as LTFAT's pgauss does.
        tfr = positive_float("gaussian window parameter tfr", param)
        c = (n - 1) / 2.0
        return np.exp(-np.pi * (t - c) ** 2 / (tfr * (n - 1)))
    raise AssertionError(name)


def _parse(window):
    if isinstance(window, tuple):
        if len(window) != 2 or not isinstance(window[0], str):
            raise ParameterError(
                f"window={window!r}: a tuple must be (name, parameter), e.g. ('kaiser', 8.0)"
            )
        name, param = window
    else:
        name, param = window, None
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in WINDOW_NAMES:
        raise ParameterError(
            f"window={window!r} is unknown; known names: {sorted(WINDOW_NAMES)} "
            "(or pass an array of samples)"
        )
    if param is None:
        param = WINDOW_NAMES[key]
    elif WINDOW_NAMES[key] is None:
        raise ParameterError(f"window={window!r}: the {key} window takes no parameter")
    return key, param


def get_window(window="hann", win_length: int = 2048, *, fftbins: bool = True) -> np.ndarray:
    """A window of ``win_length`` samples in float64.

    Parameters
    ----------
    window : str, tuple or array_like
        A name (``"hann"``, ``"hamming"``, ``"blackman"``, ``"blackmanharris"``, ``"sine"``,
        ``"rectangular"``, ``"tukey"``, ``"kaiser"``, ``"gaussian"``), a ``(name, parameter)``
        tuple (Tukey's alpha, Kaiser's beta, the Gaussian's time-frequency ratio), or the samples.
    win_length : int
        Number of samples (must equal the array length when an array is given).
    fftbins : bool
        Periodic (True, for spectral analysis) or symmetric (False) window.

    Returns
    -------
    ndarray of float64, shape (win_length,)

    Examples
    --------
    >>> import gaborcore
    >>> gaborcore.get_window("hann", 4)
    array([0. , 0.5, 1. , 0.5])
    """
    win_length = positive_int("win_length", win_length)
    if not isinstance(window, str | tuple):
        w = np.asarray(window)
        if w.ndim != 1 or w.dtype.kind not in "fiu":
            raise ParameterError(
                f"window array must be 1-D and real, got shape {w.shape} and dtype {w.dtype}"
            )
        if w.shape[0] != win_length:
            raise ParameterError(
                f"window array has {w.shape[0]} samples but win_length={win_length}"
            )
        w = w.astype(np.float64)
        if not np.isfinite(w).all():
            raise ParameterError("window array contains NaN or Inf")
        if not np.any(w):
            raise ParameterError("window array is all zeros")
        return w
    name, param = _parse(window)
    if win_length == 1:
        return np.ones(1)  # as scipy: a one-sample window of any family is 1
    if fftbins:
        return _symmetric(name, win_length + 1, param)[:-1]
    return _symmetric(name, win_length, param)


def pad_center(w: np.ndarray, n_fft: int) -> np.ndarray:
    """Centre ``w`` in ``n_fft`` samples (zeros around it), as librosa does."""
    n = w.shape[-1]
    if n > n_fft:
        raise ParameterError(f"win_length={n} must be at most n_fft={n_fft}")
    lpad = (n_fft - n) // 2
    out = np.zeros(w.shape[:-1] + (n_fft,), dtype=w.dtype)
    out[..., lpad:lpad + n] = w
    return out


def _lattice_window(window, hop_length: int, n_fft: int, win_length: int | None) -> np.ndarray:
    n_fft = positive_int("n_fft", n_fft)
    hop_length = positive_int("hop_length", hop_length)
    if isinstance(window, str | tuple):
        win_length = n_fft if win_length is None else positive_int("win_length", win_length)
        w = get_window(window, win_length)
    else:
        w = get_window(window, np.asarray(window).shape[-1] if win_length is None else win_length)
    if w.shape[0] > n_fft:
        raise ParameterError(
            f"window has {w.shape[0]} samples > n_fft={n_fft}: only the painless case (window "
            "no longer than n_fft) is supported for dual and tight windows"
        )
    return pad_center(w, n_fft)


def _periodic_diagonal(g: np.ndarray, hop_length: int, n_fft: int) -> np.ndarray:
    """``D(j) = n_fft * sum_n |g(j + n hop)|^2`` at the window's own samples j (period hop)."""
    energy = np.zeros(hop_length)
    np.add.at(energy, np.arange(g.shape[0]) % hop_length, np.abs(g) ** 2)
    return n_fft * energy


def _check_covering(energy: np.ndarray, hop_length: int, n_fft: int) -> None:
    if not energy.min() > 1e-12 * energy.max():
        raise ParameterError(
            f"hop_length={hop_length} is too large for this window and n_fft={n_fft}: the "
            "shifted windows leave gaps, so the frame is not invertible"
        )


def frame_bounds(window="hann", *, hop_length: int, n_fft: int,
                 win_length: int | None = None) -> tuple[float, float]:
    """Optimal frame bounds ``(A, B)`` of the painless Gabor frame on the lattice (hop, n_fft).

    With the unnormalised DFT the frame operator is the diagonal
    ``D(t) = n_fft * sum_n |g(t - n hop)|^2``; ``A = min D`` and ``B = max D``.  ``A = B`` means a
    tight frame.  A hop that leaves gaps gives ``A = 0`` (no frame).
    """
    g = _lattice_window(window, hop_length, n_fft, win_length)
    d = _periodic_diagonal(g, hop_length, n_fft)
    return float(d.min()), float(d.max())


def is_painless(window="hann", *, n_fft: int, win_length: int | None = None) -> bool:
    """True when the window is no longer than ``n_fft`` (then the frame operator is diagonal)."""
    n_fft = positive_int("n_fft", n_fft)
    if isinstance(window, str | tuple):
        n = n_fft if win_length is None else positive_int("win_length", win_length)
    else:
        n = np.asarray(window).shape[-1]
    return n <= n_fft


def dual_window(window="hann", *, hop_length: int, n_fft: int,
                win_length: int | None = None) -> np.ndarray:
    """Canonical dual window ``g / D`` of the painless Gabor frame (length ``n_fft``, float64).

    Synthesis ``f = sum_{n,m} c[n,m] M_m T_{n hop} gamma`` with the unnormalised DFT coefficients
    ``c`` reconstructs ``f`` exactly (THEORY.md I11).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> g = gaborcore.get_window("hann", 8)
    >>> gamma = gaborcore.dual_window(g, hop_length=2, n_fft=8)
    >>> bool(np.allclose(gamma, g / (8 * 1.5)))  # shifted hann^2 at hop n/4 sum to 1.5
    True
    """
    g = _lattice_window(window, hop_length, n_fft, win_length)
    d = _periodic_diagonal(g, hop_length, n_fft)
    _check_covering(d, hop_length, n_fft)
    return g / d[np.arange(n_fft) % hop_length]


def tight_window(window="hann", *, hop_length: int, n_fft: int,
                 win_length: int | None = None) -> np.ndarray:
    """Canonical tight window ``g / sqrt(D)`` of the painless Gabor frame (float64)."""
    g = _lattice_window(window, hop_length, n_fft, win_length)
    d = _periodic_diagonal(g, hop_length, n_fft)
    _check_covering(d, hop_length, n_fft)
    return g / np.sqrt(d[np.arange(n_fft) % hop_length])


def frame_diagonal(window: np.ndarray, hop_length: int, n_frames: int) -> np.ndarray:
    """``sum_t window(p - t hop)^2`` over the padded signal, ``p < (n_frames-1)*hop + len(window)``.

    This is the exact (finite, non-periodic) frame-operator diagonal of an STFT with ``n_frames``
    frames, divided by ``n_fft``; the inverse STFT divides by it.
    """
    n = window.shape[0]
    k = -(-n // hop_length)  # frames that overlap one sample
    total = (n_frames + k) * hop_length
    w2 = np.zeros(k * hop_length)
    w2[:n] = window.astype(np.float64) ** 2
    acc = np.zeros(total).reshape(n_frames + k, hop_length)
    for q in range(k):
        acc[q:q + n_frames] += w2[q * hop_length:(q + 1) * hop_length]
    return acc.ravel()[: (n_frames - 1) * hop_length + n]
