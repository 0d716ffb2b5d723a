"""What the CNN functions share: argument checks, backend and thread choice, overflow bounds.

The codes of the activations and pooling rules the kernels take, the threads a problem of a given
size is worth, the backend's ``_nn`` kernels, and the bound on the partial sums that decides the
precision a layer is computed in (see the comment on overflow below).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _backend, _validation
from .._validation import ParameterError

#: Codes of the elementwise activations (the kernels' ``act`` argument).
ACT = {"none": 0, "relu": 1, "leaky_relu": 2, "abs": 3, "tanh": 4, "sigmoid": 5, "log1p": 6}
#: Codes of the pooling rules (the kernels' ``kind`` argument).
POOL_MAX, POOL_AVG, POOL_LP = 0, 1, 2
# Multiply-adds (convolution, dense) or elements (pooling, activations) per thread below which
# extra threads cost more than they save.
_WORK_PER_THREAD = 1 << 21

# ---- helpers --------------------------------------------------------------------------------

def n_threads(workers, work: int) -> int:
    n = _backend.resolve_workers(workers)
    return max(1, min(n, work // _WORK_PER_THREAD))


def kernels(backend):
    return _backend.kernels(_backend.resolve_backend(backend), "_nn")


def data_array(name: str, x, min_ndim: int) -> np.ndarray:
    """float32 / float64, at least ``min_ndim`` axes, C-contiguous (no scan for NaN: too slow)."""
    x = _validation.signal(name, x, check_finite=False)
    if x.ndim < min_ndim:
        raise ParameterError(f"{name} has shape {x.shape}; at least {min_ndim} axes are needed")
    return np.ascontiguousarray(x)


# ---- overflow -------------------------------------------------------------------------------
# A sum of finite terms can overflow in one summation order and not in another, so a result
# near the limit of the precision would depend on the backend.  Before a convolution, dense
# layer or pooling runs, a bound on every partial sum (largest |x| times the largest l1 norm of
# a kernel, plus the bias) decides how: below a quarter of the largest float, directly; above
# it, float32 data is computed in float64 and rounded (results beyond float32 become +-inf, the
# same on every backend); float64 data above it is refused.

def absmax(x: np.ndarray) -> float:
    """``max |x|`` without a temporary; refuses NaN and Inf (they propagate differently through
    the backends' summation orders)."""
    if x.size == 0:
        return 0.0
    hi, lo = float(x.max()), float(x.min())
    if not (math.isfinite(hi) and math.isfinite(lo)):
        raise ParameterError("x contains NaN or Inf values; convolution, dense and pooling "
                             "layers need finite input")
    return max(hi, -lo)


def safe_log2(v: float) -> float:
    return math.log2(v) if v > 0 else -math.inf


def precision(log2_bound: float, dtype: np.dtype) -> np.dtype | None:
    """The precision to compute in (None: the data's own), or ParameterError."""
    if log2_bound < math.log2(np.finfo(dtype).max) - 2:
        return None
    if dtype == np.float32 and log2_bound < math.log2(np.finfo(np.float64).max) - 2:
        return np.dtype(np.float64)
    raise ParameterError(
        f"x: with values up to |x| ~ 2**{log2_bound:.0f} / (the kernel norms) the sums of this "
        f"layer may exceed the range of {dtype} (2**{math.log2(np.finfo(dtype).max):.0f}); scale "
        "x (or the weights) down" + (" or compute in float32" if dtype == np.float32 else "")
    )


def check_act_param(act: int, act_param: float, dtype: np.dtype) -> None:
    """The slope or gain of an activation must be finite in the data's precision (the kernels
    cast it: 1e308 becomes inf in float32, and inf * 0 is NaN)."""
    if abs(act_param) > np.finfo(dtype).max:
        name = {ACT["leaky_relu"]: "negative_slope", ACT["log1p"]: "gain"}.get(act, "act_param")
        raise ParameterError(f"{name}={act_param:g} is beyond the range of {dtype}, the "
                             "precision of the data")


def act_scale(act: int, act_param: float) -> float:
    """How much a fused activation can enlarge its argument (leaky slope, log1p gain)."""
    return max(1.0, abs(act_param)) if act in (ACT["leaky_relu"], ACT["log1p"]) else 1.0


def out_array(out, shape, dtype) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype)
    return _validation.out_array("out", out, shape, dtype)
