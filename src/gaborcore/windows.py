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

from ._validation import ParameterError, check_size, positive_float, positive_int

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

# gaborcore's own spellings, mapped onto scipy's names before scipy computes the window.
_ALIASES = {
    "hanning": "hann",
    "sine": "cosine",
    "sin": "cosine",
    "rectangular": "boxcar",
    "blackman-harris": "blackmanharris",
    "blackman_harris": "blackmanharris",
}
# Families that scipy requires a parameter for, with gaborcore's historical default (kept so that
# a bare name such as ``"kaiser"`` still works; scipy itself refuses the bare name).
_DEFAULT_PARAMETER = {"kaiser": 12.0}
# The Gaussian parametrised by its time-frequency ratio (LTFAT's ``pgauss``), under its own name.
TFR_GAUSSIAN = ("tfr_gaussian", "pgauss")
# Names for which gaborcore has a documented meaning (scipy accepts many more: every name of
# :func:`scipy.signal.get_window` works).
WINDOW_NAMES = {
    "hann": None,
    "hamming": None,
    "blackman": None,
    "blackmanharris": None,
    "sine": None,
    "rectangular": None,
    "bartlett": None,
    "triang": None,
    "flattop": None,
    "tukey": 0.5,
    "kaiser": 12.0,
    "gaussian": "std (scipy); the bare name is tfr_gaussian with tfr=1",
    "tfr_gaussian": 1.0,
}


def _tfr_gaussian(n: int, tfr, fftbins: bool) -> np.ndarray:
    """``exp(-pi (t - c)^2 / (tfr * (M - 1)))`` on the symmetric length ``M`` (``n + 1`` when
    periodic): tfr = 1 spreads equally in time (samples) and frequency (bins of an n-point DFT),
    as LTFAT's pgauss.  It is scipy's Gaussian with ``std = sqrt(tfr (M - 1) / (2 pi))``."""
    import scipy.signal

    tfr = positive_float("window tfr_gaussian parameter tfr", tfr)
    m = n + 1 if fftbins else n
    if m == 1:
        return np.ones(1)
    w = scipy.signal.windows.gaussian(m, np.sqrt(tfr * (m - 1) / (2.0 * np.pi)), sym=True)
    return w[:n]


def _named_window(window, n: int, fftbins: bool) -> np.ndarray:
    """A window named by a string, a ``(name, *parameters)`` tuple or a number (a Kaiser beta), in
    scipy's meaning of :func:`scipy.signal.get_window`, computed by scipy."""
    import scipy.signal

    if isinstance(window, tuple):
        if not window or not isinstance(window[0], str):
            raise ParameterError(
                f"window={window!r}: a tuple must be (name, *parameters), e.g. ('kaiser', 8.0)"
            )
        name, params = window[0], window[1:]
    elif isinstance(window, str):
        name, params = window, ()
    else:  # a real number: a Kaiser beta, as scipy reads it
        name, params = "kaiser", (float(window),)
    key = _ALIASES.get(name.lower(), name.lower())
    if key in TFR_GAUSSIAN or (key in ("gaussian", "gauss") and not params):
        if len(params) > 1:
            raise ParameterError(f"window={window!r}: tfr_gaussian takes one parameter (tfr)")
        return _tfr_gaussian(n, params[0] if params else 1.0, fftbins)
    if isinstance(window, str) and key in _DEFAULT_PARAMETER:
        params = (_DEFAULT_PARAMETER[key],)
    spec = (key, *params) if params else key
    try:
        w = scipy.signal.get_window(spec, n, fftbins=fftbins)
    except (ValueError, TypeError, KeyError) as exc:
        raise ParameterError(
            f"window={window!r} is not a window scipy.signal.get_window accepts ({exc}); give a "
            "name, a (name, *parameters) tuple, a number (Kaiser beta), a callable or the samples"
        ) from None
    return np.asarray(w, dtype=np.float64)


def _check_samples(w, n: int, what: str) -> np.ndarray:
    w = np.asarray(w)
    if w.ndim != 1 or w.dtype.kind not in "fiu":
        raise ParameterError(
            f"{what} must be 1-D and real, got shape {w.shape} and dtype {w.dtype}"
        )
    if w.shape[0] != n:
        raise ParameterError(f"{what} has {w.shape[0]} samples but win_length={n}")
    w = w.astype(np.float64)
    if not np.isfinite(w).all():
        raise ParameterError(f"{what} contains NaN or Inf")
    if not np.any(w):
        raise ParameterError(f"{what} is all zeros")
    return w


def window_cache_key(window):
    """A hashable key for a window argument, for plan caches: specifications (names, tuples,
    callables) by value, arrays by their dtype, shape and bytes."""
    if is_window_spec(window):
        try:
            hash(window)
            return ("spec", type(window).__name__, window)
        except TypeError:
            return ("spec", repr(window))
    a = np.asarray(window)
    return ("array", a.dtype.str, a.shape, a.tobytes())


def is_window_spec(window) -> bool:
    """True for a window given by name, tuple, number or callable (not by its samples).

    Parameters
    ----------
    window : object
        A ``window`` argument, as :func:`get_window` takes it.

    Returns
    -------
    bool
        Whether ``window`` describes a window (a string, a tuple, a real number other than a
        bool, or a callable) rather than giving its samples.

    See Also
    --------
    get_window : Makes the window from either form.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore.windows import is_window_spec
    >>> is_window_spec("hann"), is_window_spec(("kaiser", 8.0)), is_window_spec(np.ones(4))
    (True, True, False)
    """
    return (isinstance(window, str | tuple) or callable(window)
            or (np.isscalar(window) and not isinstance(window, bool | str)
                and np.isreal(window) and np.ndim(window) == 0))


def get_window(window="hann", Nx: int = 2048, *, fftbins: bool = True,
               win_length: int | None = None) -> np.ndarray:
    """A window of ``Nx`` samples in float64, as :func:`librosa.filters.get_window`.

    Parameters
    ----------
    window : str, tuple, float, callable or array_like
        Anything :func:`scipy.signal.get_window` accepts, computed by scipy in its meaning: a name
        (``"hann"``, ``"hamming"``, ``"blackman"``, ``"bartlett"``, ``"flattop"``, ...), a
        ``(name, *parameters)`` tuple (``("kaiser", beta)``, ``("gaussian", std)``,
        ``("tukey", alpha)``, ...) or a number (a Kaiser beta).  gaborcore adds the spellings
        ``"sine"`` (scipy's ``"cosine"``) and ``"rectangular"`` (``"boxcar"``), a bare
        ``"kaiser"`` (beta 12), and the Gaussian by time-frequency ratio, ``("tfr_gaussian", tfr)``
        (LTFAT's ``pgauss``; a bare ``"gaussian"`` is this window with ``tfr = 1``).  A callable
        is called as ``window(Nx)``; an array is taken as the samples.
    Nx : int
        Number of samples (must equal the array length when an array is given).
    fftbins : bool
        Periodic (True, for spectral analysis) or symmetric (False) window.
    win_length : int, optional
        The former name of ``Nx`` (keyword), still accepted.

    Returns
    -------
    ndarray of float64, shape (Nx,)
        The window samples.

    Raises
    ------
    ParameterError
        If ``Nx`` is not a positive integer, scipy does not know the window, a callable fails or
        returns something other than ``Nx`` finite real samples, or the samples given are not
        1-D, real, finite, not all zero and ``Nx`` long.

    See Also
    --------
    pad_center : Centre a window in ``n_fft`` samples.
    dual_window, tight_window : Windows derived from it for a lattice.
    scipy.signal.get_window : The windows by name.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.get_window("hann", 4)
    array([0. , 0.5, 1. , 0.5])
    >>> gaborcore.get_window("hann", 5, fftbins=False)  # symmetric
    array([0. , 0.5, 1. , 0.5, 0. ])
    >>> gaborcore.get_window(("kaiser", 8.0), 5).round(3)
    array([0.002, 0.227, 0.86 , 0.86 , 0.227])
    """
    if win_length is not None:
        Nx = win_length
    n = positive_int("Nx", Nx)
    # the window and a scratch copy (an n + 1 point symmetric design), before either is made
    check_size("Nx", (2, n + 1), np.float64, what="the window")
    if isinstance(window, np.ndarray | list):
        return _check_samples(window, n, "window array")
    if callable(window):
        try:
            w = window(n)
        except Exception as exc:  # noqa: BLE001 - the user's callable, reported as such
            raise ParameterError(f"window={window!r}: calling it with {n} failed ({exc})") from exc
        return _check_samples(w, n, f"window={getattr(window, '__name__', window)!r}(Nx)")
    if isinstance(window, bool) or not is_window_spec(window):
        raise ParameterError(
            f"window={window!r} is not a window: give a name, a (name, *parameters) tuple, a "
            "number (Kaiser beta), a callable or the samples"
        )
    return _named_window(window, n, fftbins)


def pad_center(data, size: int | None = None, *, axis: int = -1, n_fft: int | None = None,
               **kwargs) -> np.ndarray:
    """Centre ``data`` in ``size`` samples along ``axis``, as :func:`librosa.util.pad_center`.

    ``(size - n) // 2`` samples are added before the data and the rest after it, ``n`` being the
    data's length along ``axis``: how a window shorter than ``n_fft`` is placed in the frame.

    Parameters
    ----------
    data : array_like
        The array to pad.
    size : int
        Length along ``axis`` after padding, at least the data's length.  May also be given by
        position or by its former name ``n_fft``.
    axis : int, default -1
        The axis to pad.
    n_fft : int, optional
        The former name of ``size`` (keyword), still accepted.
    **kwargs
        Passed to :func:`numpy.pad` (default ``mode="constant"``, zeros).

    Returns
    -------
    ndarray
        ``data`` padded to ``size`` along ``axis``, same dtype.

    Raises
    ------
    ParameterError
        If ``size`` is missing, negative or smaller than the data's length along ``axis``.

    See Also
    --------
    get_window : Make a window.
    numpy.pad : The padding itself.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.pad_center(np.ones(3), size=7)
    array([0., 0., 1., 1., 1., 0., 0.])
    >>> gaborcore.pad_center(np.ones((2, 3)), size=5, axis=0).shape
    (5, 3)
    """
    if size is None:
        size = n_fft
    if size is None:
        raise ParameterError("pad_center needs size= (the target length)")
    data = np.asarray(data)
    size = positive_int("size", size, minimum=0)
    n = data.shape[axis]
    if n > size:
        raise ParameterError(
            f"size={size} must be at least the data length {n} along axis={axis} (win_length="
            f"{n} must be at most n_fft={size})"
        )
    check_size("size", data.shape[:axis % data.ndim] + (size,) + data.shape[axis % data.ndim + 1:],
               data.dtype, what="the padded data")
    lpad = (size - n) // 2
    widths = [(0, 0)] * data.ndim
    widths[axis] = (lpad, size - n - lpad)
    kwargs.setdefault("mode", "constant")
    return np.pad(data, widths, **kwargs)


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
