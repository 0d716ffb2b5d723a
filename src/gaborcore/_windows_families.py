"""Window families: named windows (computed by scipy), windows given by samples or callables.

:func:`get_window` reads a window argument as :func:`scipy.signal.get_window` does, plus
gaborcore's spellings and the Gaussian by time-frequency ratio; :func:`pad_center` centres a window
in ``n_fft`` samples.  Everything is float64; the conventions are those of
:mod:`gaborcore.windows`.
"""

from __future__ import annotations

import numpy as np

from ._validation import ParameterError, check_size, positive_float, positive_int

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
