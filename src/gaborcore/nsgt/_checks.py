"""The argument checks of an NSGT plan's transforms: the signal, the coefficients, painlessness.

Functions of the plan's public attributes (``length``, ``real``, ``pad``, ``total``, ``design``,
``bands``, ``is_painless``), shared by :class:`~gaborcore.NSGT`'s methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ._coefficients import NSGTCoefficients

if TYPE_CHECKING:
    from ._plan import NSGT

__all__ = ["signal_input", "coefficient_data", "require_painless"]


def signal_input(plan: NSGT, y) -> np.ndarray:
    """``y`` checked and coerced for ``plan.forward``: zero-padded with ``pad=True``,
    complex for a complex plan, its range checked against the plan's largest sums."""
    y = _validation.signal("y", y, min_length=1, allow_complex=not plan.real, check_finite=False)
    peak = _validation.absmax(y)  # one pass: NaN or inf for non-finite samples, else the range
    if not np.isfinite(peak):
        raise ParameterError("y contains NaN or Inf values; only finite samples are allowed")
    if plan.real and np.iscomplexobj(y):
        raise ParameterError("y is complex but the plan is real; use NSGT(..., real=False)")
    n = y.shape[-1]
    if n != plan.length:
        if not plan.pad or n > plan.length:
            raise ParameterError(
                f"y has {n} samples but the plan was made for length={plan.length}"
                + ("" if plan.pad else " (use pad=True to zero-pad shorter signals)")
            )
        padded = np.zeros(y.shape[:-1] + (plan.length,), y.dtype)
        padded[..., :n] = y
        y = padded
    if not plan.real and not np.iscomplexobj(y):  # every backend takes complex input here
        y = y.astype(_validation.complex_dtype_for(y.dtype))
    # |c_k[n]| <= |I_k| * L * max|y| * max|g_k|: the sums must stay inside the precision, or
    # they overflow to inf in one summation order and not another (NaN after the phases)
    _validation.check_range("y", _validation.log2(peak) + _validation.log2(float(plan.length))
                            + plan.design.analysis_gain, y.dtype, "its largest sample")
    return y


def coefficient_data(plan: NSGT, coefs) -> np.ndarray:
    """The coefficient array of ``coefs`` for ``plan.inverse``, checked: same windows and
    layout, dtype, size, finite, range."""
    data = coefs.data if isinstance(coefs, NSGTCoefficients) else coefs
    if isinstance(coefs, NSGTCoefficients) and coefs.plan is not plan and not (
            plan.design.same_windows(coefs.plan.design)
            and np.array_equal(coefs.plan.bands.M, plan.bands.M)
            and np.array_equal(coefs.plan.bands.offset, plan.bands.offset)):
        raise ParameterError(
            "coefs belong to a plan with other windows or another layout; use convert() "
            "for a plan with the same windows"
        )
    if not isinstance(data, np.ndarray) or data.dtype not in (np.complex64, np.complex128):
        raise ParameterError("coefs must be NSGTCoefficients or a complex64/complex128 array")
    if data.ndim < 1 or data.shape[-1] != plan.total:
        raise ParameterError(
            f"coefs have shape {data.shape}; this plan has {plan.total} values per signal"
        )
    peak = _validation.absmax(data)  # one pass: NaN or inf for non-finite values
    if not np.isfinite(peak):
        raise ParameterError("coefs contain NaN or Inf values")
    # synthesis: |f| <= total * max|c| * max|dual window| (the inverse FFT is normalised)
    _validation.check_range("coefs", _validation.log2(peak) + _validation.log2(float(plan.total))
                            + plan.design.synthesis_gain, data.dtype, "their largest value")
    return data


def require_painless(plan: NSGT, what: str) -> None:
    """Raise :class:`ParameterError` unless ``plan`` is painless (``what`` needs it)."""
    if not plan.is_painless:
        raise ParameterError(f"{what} needs a painless plan (every M_k >= W_k); this plan "
                             "was made with painless=False and fewer coefficients")
