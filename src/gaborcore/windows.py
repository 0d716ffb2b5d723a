"""Window families, canonical dual and tight windows, frame bounds.

Named windows are computed by scipy (:func:`scipy.signal.get_window`, in its meaning of names,
tuples and numbers), in float64; transforms cast them once to their working precision.

Conventions
-----------
* ``fftbins=True`` (the default, as in librosa and scipy) gives the *periodic* window of length N:
  the symmetric window of length N + 1 with its last sample dropped, suited to spectral analysis and
  to constant overlap-add.  ``fftbins=False`` gives the symmetric window.
* A window shorter than ``n_fft`` is centred in ``n_fft`` samples (:func:`pad_center`).
* The lattice is ``(hop, n_fft)``: frames every ``hop`` samples, ``n_fft`` frequency channels.  The
  painless case is a window no longer than ``n_fft``; there the frame operator is the diagonal
  ``D(t) = n_fft * sum_n |g(t - n hop)|^2`` (identity I11 of :doc:`/theory`), the canonical dual window is
  ``g / D`` and the canonical tight window is ``g / sqrt(D)``.
"""

from __future__ import annotations

import numpy as np

from ._validation import ParameterError, check_size, positive_int
from ._windows_families import TFR_GAUSSIAN as TFR_GAUSSIAN  # importable from here, as before
from ._windows_families import WINDOW_NAMES, get_window, is_window_spec, pad_center
from ._windows_families import window_cache_key as window_cache_key

__all__ = [
    "get_window",
    "pad_center",
    "dual_window",
    "tight_window",
    "frame_bounds",
    "is_painless",
    "frame_diagonal",
    "WINDOW_NAMES",
    "is_window_spec",
]

# One module per responsibility: _windows_families (the windows themselves: get_window,
# pad_center); this module holds what a window does on a lattice (frame bounds, dual and tight
# windows, the frame diagonal).


def _samples(name: str, window) -> np.ndarray:
    """A window given by its samples, which must be a 1-D array (anything else that is not a
    window specification is refused here, naming the argument)."""
    a = np.asarray(window) if isinstance(window, np.ndarray | list) else None
    if a is None or a.ndim != 1 or a.dtype.kind not in "biuf":
        raise ParameterError(f"{name} must be a window specification (a name, a tuple, a number "
                             f"or a callable) or a 1-D array of real samples, got {window!r:.60}")
    return a


def _lattice_window(window, hop_length: int, n_fft: int, win_length: int | None) -> np.ndarray:
    n_fft = positive_int("n_fft", n_fft)
    hop_length = positive_int("hop_length", hop_length)
    # the padded window and its periodic diagonal (n_fft and hop_length samples)
    check_size("n_fft", (2, n_fft + hop_length), np.float64, what="the window and its diagonal")
    if is_window_spec(window):
        win_length = n_fft if win_length is None else positive_int("win_length", win_length)
        w = get_window(window, win_length)
    else:
        n = _samples("window", window).shape[0]
        w = get_window(window, n if win_length is None else win_length)
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

    Parameters
    ----------
    window : str, tuple, float, callable or array_like, default "hann"
        The window ``g``, as :func:`get_window` reads it; a name, tuple, number or callable is
        made with ``win_length`` samples.
    hop_length : int
        Time step of the lattice (samples between frames).
    n_fft : int
        Number of frequency channels; the window is centred in ``n_fft`` samples and must not
        be longer.
    win_length : int, optional
        Length of a window given by name; default ``n_fft`` (for samples: their length).

    Returns
    -------
    tuple of float
        ``(A, B)``, the smallest and largest value of the frame operator's diagonal:
        ``A ||f||^2 <= sum |c|^2 <= B ||f||^2`` for every signal ``f`` (periodic, of a length
        that is a multiple of ``hop_length`` and ``n_fft``).

    Raises
    ------
    ParameterError
        If the window is longer than ``n_fft`` (not painless) or a size is not a positive
        integer.

    See Also
    --------
    is_painless : Whether the diagonal formula applies.
    dual_window, tight_window : The windows that invert the frame.
    STFT.frame_bounds : The bounds of a plan's lattice.

    Notes
    -----
    The painless case and its frame operator are identity I11 of :ref:`theory-identities`.

    Examples
    --------
    >>> import gaborcore
    >>> A, B = gaborcore.frame_bounds("hann", hop_length=128, n_fft=512)
    >>> round(A, 6), round(B, 6)  # hann^2 shifted by n/4 sums to 1.5: a tight frame
    (768.0, 768.0)
    >>> gaborcore.frame_bounds("hann", hop_length=512, n_fft=512)  # a gap at the window's ends
    (0.0, 512.0)
    """
    g = _lattice_window(window, hop_length, n_fft, win_length)
    d = _periodic_diagonal(g, hop_length, n_fft)
    return float(d.min()), float(d.max())


def is_painless(window="hann", *, n_fft: int, win_length: int | None = None) -> bool:
    """True when the window is no longer than ``n_fft`` (then the frame operator is diagonal).

    Parameters
    ----------
    window : str, tuple, float, callable or array_like, default "hann"
        The window: given by its samples, their count is compared; otherwise ``win_length``.
    n_fft : int
        Number of frequency channels.
    win_length : int, optional
        Length of a window given by name; default ``n_fft``.

    Returns
    -------
    bool
        Whether the window has at most ``n_fft`` samples.

    Raises
    ------
    ParameterError
        If ``n_fft`` (or ``win_length``, for a window given by name) is not a positive integer.

    See Also
    --------
    frame_bounds, dual_window, tight_window : Defined for painless windows.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.is_painless("hann", n_fft=512)
    True
    >>> gaborcore.is_painless(np.ones(600), n_fft=512)
    False
    """
    n_fft = positive_int("n_fft", n_fft)
    if is_window_spec(window):
        n = n_fft if win_length is None else positive_int("win_length", win_length)
    else:
        n = _samples("window", window).shape[0]
    return n <= n_fft


def dual_window(window="hann", *, hop_length: int, n_fft: int,
                win_length: int | None = None) -> np.ndarray:
    """Canonical dual window ``g / D`` of the painless Gabor frame (length ``n_fft``, float64).

    Synthesis ``f = sum_{n,m} c[n,m] M_m T_{n hop} gamma`` with the unnormalised DFT coefficients
    ``c`` reconstructs ``f`` exactly (identity I11 of :ref:`theory-identities`).

    Parameters
    ----------
    window : str, tuple, float, callable or array_like, default "hann"
        The window ``g``, as :func:`get_window` reads it; a name, tuple, number or callable is
        made with ``win_length`` samples.
    hop_length : int
        Time step of the lattice (samples between frames).
    n_fft : int
        Number of frequency channels; the window is centred in ``n_fft`` samples and must not
        be longer.
    win_length : int, optional
        Length of a window given by name; default ``n_fft`` (for samples: their length).

    Returns
    -------
    ndarray of float64, shape (n_fft,)
        The dual window ``gamma``, centred in ``n_fft`` samples.

    Raises
    ------
    ParameterError
        If the window is longer than ``n_fft`` or the shifted windows leave gaps (the frame is
        not invertible).

    See Also
    --------
    tight_window : The canonical tight window ``g / sqrt(D)``.
    frame_bounds : The bounds of ``D``.
    idgt : Synthesis with this window on the torus.

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
    """Canonical tight window ``g / sqrt(D)`` of the painless Gabor frame (float64).

    The Gabor system of the tight window on the same lattice has frame bounds ``A = B = 1``: it
    is its own dual, so analysis and synthesis use the same window.

    Parameters
    ----------
    window : str, tuple, float, callable or array_like, default "hann"
        The window ``g``, as :func:`get_window` reads it; a name, tuple, number or callable is
        made with ``win_length`` samples.
    hop_length : int
        Time step of the lattice (samples between frames).
    n_fft : int
        Number of frequency channels; the window is centred in ``n_fft`` samples and must not
        be longer.
    win_length : int, optional
        Length of a window given by name; default ``n_fft`` (for samples: their length).

    Returns
    -------
    ndarray of float64, shape (n_fft,)
        The tight window, centred in ``n_fft`` samples.

    Raises
    ------
    ParameterError
        If the window is longer than ``n_fft`` or the shifted windows leave gaps.

    See Also
    --------
    dual_window : The canonical dual window ``g / D``.
    frame_bounds : Check the result: ``(1, 1)``.

    Notes
    -----
    See identity I11 of :ref:`theory-identities`.

    Examples
    --------
    >>> import gaborcore
    >>> g = gaborcore.tight_window("hann", hop_length=128, n_fft=512)
    >>> g.shape
    (512,)
    >>> [round(b, 9) for b in gaborcore.frame_bounds(g, hop_length=128, n_fft=512)]
    [1.0, 1.0]
    """
    g = _lattice_window(window, hop_length, n_fft, win_length)
    d = _periodic_diagonal(g, hop_length, n_fft)
    _check_covering(d, hop_length, n_fft)
    return g / np.sqrt(d[np.arange(n_fft) % hop_length])


def frame_diagonal(window: np.ndarray, hop_length: int, n_frames: int) -> np.ndarray:
    """``sum_t window(p - t hop)^2`` over the padded signal, ``p < (n_frames-1)*hop + len(window)``.

    This is the exact (finite, non-periodic) frame-operator diagonal of an STFT with ``n_frames``
    frames, divided by ``n_fft``; the inverse STFT divides by it.

    Parameters
    ----------
    window : ndarray, shape (n,)
        The window's real samples (as the transform uses them: centred in ``n_fft``).
    hop_length : int
        Samples between frames.
    n_frames : int
        Number of frames.

    Returns
    -------
    ndarray of float64, shape ((n_frames - 1) * hop_length + n,)
        The sum of the squared, shifted windows at each sample of the span the frames cover
        (sample 0 is the first sample of frame 0, in the padded signal's coordinates).

    Raises
    ------
    ParameterError
        If ``window`` is not a non-empty 1-D real array, or ``hop_length`` or ``n_frames`` is
        not a positive integer.

    See Also
    --------
    istft : The inverse STFT, which divides by this diagonal.
    frame_bounds : The periodic diagonal's extremes.

    Examples
    --------
    >>> import gaborcore
    >>> d = gaborcore.frame_diagonal(gaborcore.get_window("hann", 8), 2, 4)
    >>> d.shape
    (14,)
    >>> d[6:9]  # inside: hann^2 shifted by a quarter of its length sums to 1.5
    array([1.5, 1.5, 1.5])
    """
    window = np.asarray(window)
    if window.ndim != 1 or window.size == 0 or window.dtype.kind not in "fiu":
        raise ParameterError(
            f"window must be a non-empty 1-D array of real samples, got shape {window.shape} "
            f"and dtype {window.dtype}"
        )
    hop_length = positive_int("hop_length", hop_length)
    n_frames = positive_int("n_frames", n_frames)
    n = window.shape[0]
    k = -(-n // hop_length)  # frames that overlap one sample
    total = (n_frames + k) * hop_length
    check_size("n_frames", (total,), np.float64, what="the frame diagonal")
    w2 = np.zeros(k * hop_length)
    w2[:n] = window.astype(np.float64) ** 2
    acc = np.zeros(total).reshape(n_frames + k, hop_length)
    for q in range(k):
        acc[q:q + n_frames] += w2[q * hop_length:(q + 1) * hop_length]
    return acc.ravel()[: (n_frames - 1) * hop_length + n]
