"""Argument checks and the dtype policy, in one place.

Every public function validates through these helpers, so that a bad argument always raises
:class:`ParameterError` with a message naming the argument, the bad value and what is allowed.
"""

from __future__ import annotations

import numbers
import operator
import os

import numpy as np

__all__ = ["ParameterError", "MAX_ELEMENTS"]

#: Largest number of elements of one output or work array that a public function allocates
#: (2**31: 8 GiB of float32, 32 GiB of complex128).  Larger requests raise
#: :class:`ParameterError` before anything is allocated; so do requests larger than the
#: memory available on this machine (see :func:`check_size`).
MAX_ELEMENTS = 1 << 31
#: Largest hop, offset or length argument that is not itself an allocation (indices stay
#: within a signed 64-bit integer when multiplied by small factors).
MAX_INDEX = 1 << 62


class ParameterError(ValueError):
    """An argument is outside what the transform supports (a :class:`ValueError`).

    Raised before any work is done, with a message that names the argument, its value and what
    is accepted (see :doc:`/errors`).

    See Also
    --------
    gaborcore.io.AudioFileError : The subclass raised for a file that cannot be decoded.
    """


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def positive_int(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Check an integer argument ``minimum <= value <= maximum`` (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | np.integer):
        raise ParameterError(f"{name}={_short(value)} must be an integer >= {minimum}")
    value = operator.index(value)
    if value < minimum:
        raise ParameterError(f"{name}={value} must be an integer >= {minimum}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name}={value} must be at most {maximum}")
    return value


def int_pair(name: str, value, *, minimum: int = 1, maximum: int | None = MAX_INDEX
             ) -> tuple[int, int]:
    """An integer or a pair of integers (rows, columns), each ``minimum <= v <= maximum``."""
    if isinstance(value, numbers.Integral | np.integer) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, tuple | list | np.ndarray) or len(value) != 2:
        raise ParameterError(f"{name}={_short(value)} must be an integer or a pair of integers")
    return tuple(positive_int(name, v, minimum=minimum, maximum=maximum) for v in value)


def finite_float(name: str, value) -> float:
    """A finite real number (bools, strings and ints beyond float64 are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.floating | np.integer):
        raise ParameterError(f"{name}={_short(value)} must be a real number")
    try:
        v = float(value)
    except OverflowError:  # an int beyond float64
        raise ParameterError(f"{name}={_short(value)} must be a finite real number") from None
    if not np.isfinite(v):
        raise ParameterError(f"{name}={v} must be finite")
    return v


def real_array(name: str, value, dtype, ndim: int | None = None) -> np.ndarray:
    """A real array (weights, kernels) cast to ``dtype``, C-contiguous and finite in that
    precision: 1e300 for float32 data is refused rather than turned into inf."""
    dtype = np.dtype(dtype)
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be an array of real numbers") from None
    if a.dtype.kind not in "fiu" or a.dtype == np.float16:
        raise ParameterError(f"{name} has dtype {a.dtype}; real numbers are required")
    if ndim is not None and a.ndim != ndim:
        raise ParameterError(f"{name} has shape {a.shape}; {ndim} axes are required")
    if a.size and not np.isfinite(a).all():
        raise ParameterError(f"{name} contains NaN or Inf values")
    with np.errstate(over="ignore"):
        a = np.ascontiguousarray(a, dtype=dtype)
    if a.size and not np.isfinite(a).all():
        raise ParameterError(f"{name} has values beyond the range of {dtype} "
                             f"(+-{np.finfo(dtype).max:.3g}), the precision of the data")
    return a


def choice(name: str, value, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name}={_short(value)} is not one of {sorted(allowed)}")
    return value


def positive_float(name: str, value, *, allow_inf: bool = False) -> float:
    if not isinstance(value, numbers.Real | np.floating | np.integer) or isinstance(value, bool):
        raise ParameterError(f"{name}={_short(value)} must be a positive number")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={_short(value)} must be a positive number") from None
    except OverflowError:  # an int beyond float64
        v = float("inf")
    if isinstance(value, bool) or not v > 0 or (np.isinf(v) and not allow_inf) or np.isnan(v):
        raise ParameterError(f"{name}={_short(value)} must be a positive finite number")
    return v


def sample_rate(name: str, value) -> float:
    """A sampling rate: a positive finite real number (bools, strings and None are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | np.floating | np.integer):
        raise ParameterError(f"{name}={_short(value)} must be a positive number of samples per "
                             "second (an int or float)")
    try:
        v = float(value)
    except OverflowError:  # an int beyond float64
        v = float("inf")
    if not (v > 0 and np.isfinite(v)):
        raise ParameterError(f"{name}={_short(value)} must be a positive finite number of samples "
                             "per second")
    return v


def real_values(name: str, value, *, finite: bool = True, nonnegative: bool = False) -> np.ndarray:
    """A real array_like as float64 (numbers, not None / strings / objects); finite unless
    ``finite=False`` and >= 0 when ``nonnegative``."""
    try:
        a = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"{name}={_short(value)} must be real numbers") from None
    if a.dtype.kind not in "fiu":
        raise ParameterError(f"{name}={_short(value)} must be real numbers (got dtype {a.dtype})")
    a = a.astype(np.float64, copy=False)
    if finite and not all_finite(a):
        raise ParameterError(f"{name}={_short(value)} contains NaN or Inf; finite values are "
                             "required")
    if nonnegative and a.size and np.nanmin(a) < 0:
        raise ParameterError(f"{name} has negative values (min {a.min():g}); values >= 0 are "
                             "required")
    return a


def _memory_cap() -> int | None:
    """``GABORCORE_MAX_MEMORY`` in bytes (a number with an optional K, M, G or T suffix): the
    largest allocation any call may ask for, for services that bound each call's memory and for
    builds (AddressSanitizer) under which ``ulimit -v`` cannot be used.  None when unset."""
    text = os.environ.get("GABORCORE_MAX_MEMORY", "").strip().upper().removesuffix("B")
    if not text:
        return None
    scale = 1024 ** ("KMGT".index(text[-1]) + 1) if text[-1] in "KMGT" else 1
    try:
        return int(float(text.rstrip("KMGT")) * scale)
    except ValueError:
        raise ParameterError(f"GABORCORE_MAX_MEMORY={os.environ['GABORCORE_MAX_MEMORY']!r} is "
                             "not a size; a number of bytes, optionally with K, M, G or T, is "
                             "allowed") from None


def _available_memory() -> int | None:
    """Bytes this process can still allocate (Linux: MemAvailable, and the address-space limit
    ``ulimit -v`` less what is mapped; at most ``GABORCORE_MAX_MEMORY``), or None where
    unknown."""
    avail = _memory_cap()
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    system = int(line.split()[1]) * 1024
                    avail = system if avail is None else min(avail, system)
                    break
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as f:
                mapped = int(f.read().split()[0]) * resource.getpagesize()
            room = max(0, soft - mapped)
            avail = room if avail is None else min(avail, room)
    except (OSError, ValueError, IndexError, ImportError):
        pass
    return avail


def check_size(name: str, shape, dtype, *, what: str = "the result") -> None:
    """Refuse an allocation of ``shape`` x ``dtype`` beyond :data:`MAX_ELEMENTS` or the memory
    available, naming the argument that asked for it.  Call it before allocating."""
    n = 1
    for d in shape:
        n *= int(d)
    nbytes = n * np.dtype(dtype).itemsize
    if n > MAX_ELEMENTS:
        raise ParameterError(
            f"{name}: {what} would have shape {tuple(int(d) for d in shape)} ({n:.3g} elements); "
            f"at most {MAX_ELEMENTS} elements (gaborcore._validation.MAX_ELEMENTS) are allowed"
        )
    # below 64 MiB the answer is yes without asking the system (this runs on every call)
    avail = _available_memory() if nbytes >= 1 << 26 else None
    if avail is not None and nbytes > avail and _memory_cap() == avail:
        raise ParameterError(
            f"{name}: {what} would need {nbytes / 2**30:.3g} GiB (shape "
            f"{tuple(int(d) for d in shape)}), more than GABORCORE_MAX_MEMORY allows "
            f"({avail / 2**30:.3g} GiB)"
        )
    if avail is not None and nbytes > avail:
        raise ParameterError(
            f"{name}: {what} would need {nbytes / 2**30:.3g} GiB (shape "
            f"{tuple(int(d) for d in shape)}), more than the {avail / 2**30:.3g} GiB of memory "
            "available"
        )


_REAL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(name: str, dtype) -> np.dtype:
    """float32 or float64; anything else is refused (no silent casts)."""
    dt = np.dtype(dtype)
    if dt not in _REAL_DTYPES:
        raise ParameterError(f"{name} has dtype {dt}; float32 or float64 is required")
    return dt


def signal(name: str, y, *, min_length: int = 1, allow_complex: bool = False,
           check_finite: bool = True) -> np.ndarray:
    """Coerce a signal ``(..., n_samples)`` without changing its precision.

    float32 / float64 (and complex64 / complex128 when ``allow_complex``) are kept as they are.
    Integer, bool, float16 or object input is refused rather than silently cast.
    """
    if not isinstance(y, np.ndarray):
        if isinstance(y, list | tuple):
            y = np.asarray(y)
        else:
            raise ParameterError(
                f"{name} must be a numpy array of float32 or float64 samples, got {type(y).__name__}"
            )
    allowed = _REAL_DTYPES + ((np.dtype(np.complex64), np.dtype(np.complex128))
                              if allow_complex else ())
    if y.dtype not in allowed:
        kinds = "float32, float64" + (", complex64, complex128" if allow_complex else "")
        raise ParameterError(f"{name} has dtype {y.dtype}; allowed: {kinds}")
    if y.ndim == 0:
        raise ParameterError(f"{name} must have at least one dimension (..., n_samples); got a scalar")
    if y.size == 0:
        raise ParameterError(f"{name} is empty (shape {y.shape}); a signal needs samples")
    if y.shape[-1] < min_length:
        raise ParameterError(
            f"{name} has {y.shape[-1]} samples along its last axis; at least {min_length} are "
            "needed for these parameters"
        )
    if check_finite and not all_finite(y):
        raise ParameterError(f"{name} contains NaN or Inf values; only finite samples are allowed")
    return y


def all_finite(a: np.ndarray, chunk: int = 1 << 18) -> bool:
    """``np.isfinite(a).all()`` in chunks: no temporary as large as ``a``."""
    flat = a.reshape(-1)
    if flat.size <= chunk:
        return bool(np.isfinite(flat).all())
    return all(np.isfinite(flat[i:i + chunk]).all() for i in range(0, flat.size, chunk))


def absmax(a: np.ndarray, chunk: int = 1 << 18) -> float:
    """``max |a|`` in chunks (no temporary as large as ``a``): NaN if ``a`` holds NaN, inf if it
    holds inf, so one pass checks finiteness and range together; 0 for an empty array."""
    flat = a.reshape(-1)
    m = 0.0
    for i in range(0, flat.size, chunk):
        part = flat[i:i + chunk]
        if part.dtype.kind == "c":
            part = part.view(part.real.dtype) if part.flags.c_contiguous else np.abs(part)
        hi, lo = float(part.max()), float(part.min())
        if hi != hi or lo != lo:
            return float("nan")
        m = max(m, hi, -lo)
    return m


def log2(v: float) -> float:
    """``log2(v)``, ``-inf`` for 0 (a bound of nothing)."""
    return float(np.log2(v)) if v > 0 else -float("inf")


def check_range(name: str, log2_bound: float, dtype, what: str) -> None:
    """Refuse input whose computation may exceed the range of ``dtype`` (``log2_bound``: log2 of
    a bound on every intermediate).  A sum that overflows gives inf in one summation order and
    not in another, and inf meets the FFT's phases as NaN: such input is refused, naming it."""
    dt = np.dtype(dtype)
    if dt.kind == "c":
        dt = real_dtype_for(dt)
    limit = np.log2(np.finfo(dt).max) - 2
    if log2_bound >= limit:
        raise ParameterError(
            f"{name} ({what}) is too large for {dt}: the transform's sums may reach 2**"
            f"{log2_bound:.0f}, beyond the 2**{limit:.0f} this precision holds; scale {name} "
            "down" + (" or use float64" if dt == np.float32 else "")
        )


def out_array(name: str, out, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Check a user-supplied output buffer: exact shape, dtype and contiguous last axis."""
    if not isinstance(out, np.ndarray):
        raise ParameterError(f"{name} must be a numpy array, got {type(out).__name__}")
    if out.shape != tuple(shape) or out.dtype != dtype:
        raise ParameterError(
            f"{name} has shape {out.shape} and dtype {out.dtype}; expected shape {tuple(shape)} "
            f"and dtype {dtype}"
        )
    if not out.flags.c_contiguous:
        raise ParameterError(f"{name} must be C-contiguous")
    if not out.flags.writeable:
        raise ParameterError(f"{name} is read-only")
    return out


def complex_dtype_for(dt: np.dtype) -> np.dtype:
    return np.dtype(np.complex64) if dt == np.float32 else np.dtype(np.complex128)


def real_dtype_for(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dt in (np.float32, np.complex64) else np.dtype(np.float64)
