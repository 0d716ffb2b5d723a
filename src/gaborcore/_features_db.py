"""Decibels and logarithmic compression of spectrograms, with librosa's semantics.

:func:`power_to_db` and :func:`amplitude_to_db` (``ref``, ``amin``, ``top_db`` as librosa),
their inverses :func:`db_to_power` and :func:`db_to_amplitude`, and :func:`log1p_compress`.
float32 stays float32; complex input is replaced by its modulus.
"""

from __future__ import annotations

import numpy as np

from . import _validation
from ._validation import ParameterError
from ._warn import warn


def _spectrum(S, caller: str | None = None, fix: str = "") -> np.ndarray:
    S = np.asarray(S)
    if S.dtype.kind not in "biufc":
        raise ParameterError(f"S has dtype {S.dtype}; a real or complex spectrogram is required")
    if S.dtype.kind == "c":
        if caller is not None:  # librosa's warning, in its words
            warn(f"{caller} was called on complex input so phase information will be "
                 f"discarded. To suppress this warning, call {caller}({fix}) instead.")
        S = np.abs(S)
    if S.dtype.kind not in "f":
        S = S.astype(np.float64)
    elif S.dtype == np.float16:
        S = S.astype(np.float32)  # half precision is computed in single precision (amin, logs)
    return S


def _ref_value(ref, S) -> float:
    """``|ref|`` or ``|ref(S)|``: one finite real number (a string, None or NaN is refused)."""
    if callable(ref) and S.size == 0:
        return 1.0  # nothing to scale (np.max of an empty array would raise)
    value = ref(S) if callable(ref) else ref
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise ParameterError(f"ref={ref!r} must be a number or a function of S returning one")
    return float(np.abs(_validation.real_values("ref", value)))


def power_to_db(S, *, ref=1.0, amin: float = 1e-10, top_db: float | None = 80.0) -> np.ndarray:
    """``10 log10(max(S, amin) / max(ref, amin))``, clipped to ``top_db`` below the maximum.

    librosa's semantics: ``ref`` may be a number or a function of ``S`` (e.g. ``np.max``); the
    ``top_db`` floor is taken relative to the maximum of the whole array.  Keeps float32.
    Complex input warns (as librosa) and is replaced by its modulus.

    Parameters
    ----------
    S : array_like
        A power spectrogram (values >= 0).
    ref : float or callable, default 1.0
        The power that maps to 0 dB, or a function of ``S`` returning it (``np.max``: the
        maximum is 0 dB).  Its absolute value is used.
    amin : float, default 1e-10
        Smallest power: ``S`` and ``ref`` are raised to at least ``amin`` before the logarithm.
    top_db : float or None, default 80.0
        Floor, in dB below the maximum of the result; None for no floor.

    Returns
    -------
    ndarray
        ``S`` in decibels, same shape and floating-point dtype (integers give float64).

    Raises
    ------
    ParameterError
        If ``S`` is not numeric, ``amin`` is not positive, ``top_db`` is negative or not a
        number, or ``ref`` is not (or does not return) one finite number.

    See Also
    --------
    db_to_power : The inverse (without the clipping).
    amplitude_to_db : The same for magnitudes (``20 log10``).
    log1p_compress : A logarithmic compression without a floor.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> S = np.array([1.0, 10.0, 100.0, 1e-12])
    >>> gaborcore.power_to_db(S)  # the last is floored at 80 dB below the maximum
    array([  0.,  10.,  20., -60.])
    >>> gaborcore.power_to_db(S[:3], ref=np.max)
    array([-20., -10.,   0.])
    """
    S = _spectrum(S, "power_to_db", "np.abs(D)**2")
    amin = _validation.positive_float("amin", amin)
    if top_db is not None:
        if isinstance(top_db, bool) or np.ndim(top_db) != 0:
            raise ParameterError(f"top_db={top_db!r} must be a non-negative number or None")
        top_db = float(_validation.real_values("top_db", top_db, nonnegative=True))
    ref_value = _ref_value(ref, S)
    dt = S.dtype
    log_spec = 10.0 * np.log10(np.maximum(S, dt.type(amin)))
    # the reference's logarithm in S's precision, as librosa: the maximum of S with ref=np.max
    # is then exactly 0 dB
    log_spec -= dt.type(10.0) * np.log10(np.maximum(dt.type(amin), dt.type(ref_value)))
    if top_db is not None and log_spec.size:
        log_spec = np.maximum(log_spec, log_spec.max() - dt.type(top_db))
    return log_spec.astype(dt, copy=False)


def amplitude_to_db(S, *, ref=1.0, amin: float = 1e-5, top_db: float | None = 80.0) -> np.ndarray:
    """``20 log10(|S| / ref)`` with the same ``amin`` / ``top_db`` handling as librosa.

    Computed as ``power_to_db(S ** 2, ref=ref ** 2, amin=amin ** 2, top_db=top_db)``; float32
    squares that would overflow are taken in float64 (the result stays float32).  Complex input
    warns (as librosa) and is replaced by its modulus.

    Parameters
    ----------
    S : array_like
        A magnitude spectrogram.
    ref : float or callable, default 1.0
        The magnitude that maps to 0 dB, or a function of ``|S|`` returning it.
    amin : float, default 1e-5
        Smallest magnitude considered.
    top_db : float or None, default 80.0
        Floor, in dB below the maximum of the result; None for no floor.

    Returns
    -------
    ndarray
        ``|S|`` in decibels, same shape and floating-point dtype (integers give float64).

    Raises
    ------
    ParameterError
        As :func:`power_to_db`, and when ``S``, ``ref`` or ``amin`` exceeds 1e150 (its square
        would overflow float64).

    See Also
    --------
    db_to_amplitude : The inverse (without the clipping).
    power_to_db : The same for powers (``10 log10``).

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.amplitude_to_db(np.array([1.0, 10.0, 0.1]))
    array([  0.,  20., -20.])
    """
    S = _spectrum(S, "amplitude_to_db", "np.abs(S)")
    ref_value = _ref_value(ref, S)
    amin = _validation.positive_float("amin", amin)
    s_max = _validation.absmax(S)  # NaN where S holds NaN: power_to_db reports that
    big = max(ref_value, amin, s_max if s_max == s_max else 0.0)
    if big > 1e150:
        raise ParameterError(f"S or ref: {big:g} is too large: its square (a power) would overflow "
                             "float64 (amplitudes up to 1e150 are supported)")
    if big ** 2 < np.finfo(S.dtype).max / 4:  # librosa's computation, in S's precision
        return power_to_db(np.square(S), ref=ref_value**2, amin=amin**2, top_db=top_db)
    # the squares overflow float32: take them in float64, return float32
    return power_to_db(np.square(S, dtype=np.float64), ref=ref_value**2, amin=amin**2,
                       top_db=top_db).astype(S.dtype)


def db_to_power(S_db, *, ref: float = 1.0) -> np.ndarray:
    """Inverse of :func:`power_to_db` (without the clipping): ``ref * 10 ** (S_db / 10)``.

    Values beyond the range of the dtype give inf (float32 overflows above about 385 dB).

    Parameters
    ----------
    S_db : array_like
        Decibels (real numbers).
    ref : float, default 1.0
        The power of 0 dB.

    Returns
    -------
    ndarray
        The powers, same shape; float32 stays float32.

    Raises
    ------
    ParameterError
        If ``S_db`` is not real or ``ref`` is not a finite number.

    See Also
    --------
    power_to_db : The forward conversion.
    db_to_amplitude : The same for magnitudes.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.db_to_power(np.array([0.0, 10.0, 20.0]))
    array([  1.,  10., 100.])
    """
    S_db = np.asarray(S_db)
    if S_db.dtype.kind not in "biuf":
        raise ParameterError(f"S_db has dtype {S_db.dtype}; real numbers (decibels) are required")
    ref = float(_validation.real_values("ref", ref))
    with np.errstate(over="ignore"):
        return ref * np.power(S_db.dtype.type(10.0), S_db / 10)


def db_to_amplitude(S_db, *, ref: float = 1.0) -> np.ndarray:
    """Inverse of :func:`amplitude_to_db` (without the clipping): ``ref * 10 ** (S_db / 20)``.

    Parameters
    ----------
    S_db : array_like
        Decibels (real numbers).
    ref : float, default 1.0
        The magnitude of 0 dB.

    Returns
    -------
    ndarray
        The magnitudes, same shape; float32 stays float32.

    Raises
    ------
    ParameterError
        If ``S_db`` is not real or ``ref`` is not a finite number.

    See Also
    --------
    amplitude_to_db : The forward conversion.
    db_to_power : The same for powers.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.db_to_amplitude(np.array([0.0, 20.0, -20.0]))
    array([ 1. , 10. ,  0.1])
    """
    return db_to_power(S_db, ref=ref**2) ** 0.5


def log1p_compress(S, *, gain: float = 1.0) -> np.ndarray:
    """Logarithmic compression ``log(1 + gain * S)``, common for CNN inputs; keeps float32.

    ``S`` is a power or magnitude spectrogram: negative values (``log1p`` of ``gain * S < -1``
    would be NaN) raise :class:`ParameterError`; complex input is replaced by its modulus.

    Parameters
    ----------
    S : array_like
        A power or magnitude spectrogram (values >= 0).
    gain : float, default 1.0
        Positive factor applied before the logarithm; larger gains compress more.

    Returns
    -------
    ndarray
        ``log(1 + gain * S)``, same shape; float32 stays float32, integers give float64.

    Raises
    ------
    ParameterError
        If ``S`` has negative values or is not numeric, or ``gain`` is not positive.

    See Also
    --------
    power_to_db : Decibels, with a floor.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> gaborcore.log1p_compress(np.array([0.0, 1.0, np.e - 1]))
    array([0.        , 0.69314718, 1.        ])
    >>> gaborcore.log1p_compress(np.array([0.0, 1.0], np.float32), gain=10.0).dtype
    dtype('float32')
    """
    S = _spectrum(S)
    gain = _validation.positive_float("gain", gain)
    if S.size and np.nanmin(S) < 0:
        raise ParameterError(
            f"S has negative values (min {np.nanmin(S):g}); log1p_compress compresses a power or "
            "magnitude spectrogram, whose values are >= 0"
        )
    return np.log1p(S * S.dtype.type(gain))
