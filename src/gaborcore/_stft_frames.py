"""What the STFT's forward and inverse transforms share about frames and their arrays.

The padding modes (those the kernels do themselves and numpy.pad's others), the number of threads
worth starting for a count of frames, the phase factor between the two phase conventions, and the
checks of the ``dtype=`` and ``out=`` arguments.
"""

from __future__ import annotations

import numpy as np

from . import _backend, _codes, _validation
from ._validation import ParameterError

# Padding the kernels do themselves (no copy of the signal).
PAD_MODES = _codes.PAD_CODES
# The other modes of numpy.pad (librosa's pad_mode), applied with numpy.pad before the kernels.
NUMPY_PAD_MODES = ("edge", "linear_ramp", "symmetric", "empty", "maximum", "mean", "median",
                   "minimum")
# Those of them that depend only on the samples next to each end.
END_PAD_MODES = ("edge", "linear_ramp", "symmetric", "empty")
PHASE_CONVENTIONS = ("timeinv", "freqinv")
# Threads are only worth it with a few blocks of frames each.
_FRAMES_PER_THREAD = 64


def n_threads(workers, n_frames_total: int) -> int:
    """The threads of ``workers`` worth starting for ``n_frames_total`` frames (at least 1)."""
    n = _backend.resolve_workers(workers)
    return max(1, min(n, n_frames_total // _FRAMES_PER_THREAD))


def apply_phase(plan, X: np.ndarray, sign: int) -> None:
    """Multiply ``X[..., m, t]`` in place by ``exp(sign * 2 pi i m s_t / n_fft)``.

    ``s_t = t * hop_length - pad`` is the first sample of frame ``t`` of ``plan`` (an
    :class:`~gaborcore.STFT`) in the unpadded signal: ``sign = -1`` turns "timeinv" coefficients
    into "freqinv" ones, ``+1`` turns them back.
    """
    rows, n_frames = X.shape[-2], X.shape[-1]
    m = np.arange(rows, dtype=np.int64)[:, None]
    starts = np.mod(np.arange(n_frames, dtype=np.int64) * plan.hop_length - plan.pad, plan.n_fft)
    chunk = max(1, (1 << 20) // max(rows, 1))
    for t0 in range(0, n_frames, chunk):
        r = np.mod(m * starts[None, t0:t0 + chunk], plan.n_fft)
        X[..., t0:t0 + chunk] *= np.exp((sign * 2j * np.pi / plan.n_fft) * r).astype(X.dtype)


def target_dtype(name: str, dtype, kind: str) -> np.dtype | None:
    """``dtype=`` of stft (kind "c": complex64/complex128) or istft (kind "f": float32/float64)."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    allowed = ((np.complex64, np.complex128) if kind == "c" else (np.float32, np.float64))
    if dt is None or dt not in [np.dtype(a) for a in allowed]:
        names = " or ".join(np.dtype(a).name for a in allowed)
        raise ParameterError(f"{name}={dtype!r} must be {names}")
    return dt


def rows_view(a: np.ndarray, k: int) -> np.ndarray | None:
    """``a`` reshaped to ``(-1, *a.shape[-k:])`` as a view, or None when that needs a copy."""
    v = a.view()
    try:
        v.shape = (-1, *a.shape[a.ndim - k:])
    except AttributeError:
        return None
    # the kernels write frames contiguously (a Fortran-ordered out, as librosa makes, is not)
    return v if v.shape[-1] < 2 or v.strides[-1] == v.itemsize else None


def output_array(name: str, out, shape: tuple, dtype: np.dtype, *, prefix: bool) -> np.ndarray:
    """A user's ``out`` checked against the result's shape and dtype.

    With ``prefix`` (stft, as librosa) ``out`` may be longer along the last axis: the result is
    written to, and returned as, the view ``out[..., :n_frames]``.
    """
    if out is None:
        _validation.check_size("y", shape, dtype, what="the result")
        return np.empty(shape, dtype)
    if not prefix:
        return _validation.out_array(name, out, shape, dtype)
    if not isinstance(out, np.ndarray):
        raise ParameterError(f"{name} must be a numpy array, got {type(out).__name__}")
    if out.dtype != dtype:
        raise ParameterError(f"{name} has dtype {out.dtype}; expected {dtype}")
    if out.shape[:-1] != tuple(shape[:-1]) or out.ndim != len(shape) or out.shape[-1] < shape[-1]:
        raise ParameterError(
            f"{name} has shape {out.shape}; expected {tuple(shape)}, or longer along the last "
            "axis (then the result is the prefix view out[..., :n_frames])"
        )
    if not out.flags.writeable:
        raise ParameterError(f"{name} is read-only")
    return out if out.shape == tuple(shape) else out[..., : shape[-1]]

