"""Hypothesis strategies: hostile arrays and parameters."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

FLOATS = (np.float32, np.float64)
ODD_DTYPES = (np.float16, np.int16, np.int64, np.complex64, np.complex128, np.bool_, object)
# large, tiny, negative, zero, non-integers, wrong types
BAD_INTS = (0, -1, -(2**31), 2**31, 2**62, 2**63, 2**64, 1.5, float("nan"), "4", None, True,
            np.int64(3), np.uint8(4))
BAD_FLOATS = (0.0, -1.0, float("nan"), float("inf"), -float("inf"), 1e308, 5e-324, "1", None,
              True, np.float32(2.5), 10**400)


def _mostly(good, bad, p_bad: float):
    """``good``, or ``bad`` with probability ``p_bad`` (st.one_of would pick each half the
    time, and most cases would then only test the argument checks)."""
    return st.integers(0, 999).flatmap(lambda r: bad if r < 1000 * p_bad else good)


def ints(lo: int, hi: int, *, bad: float = 0.06):
    """Mostly valid integers in [lo, hi], extremes included; sometimes one of BAD_INTS."""
    good = st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi]))
    return _mostly(good, st.sampled_from(BAD_INTS), bad) if bad else good


def floats(lo: float, hi: float, *, bad: float = 0.06):
    """Mostly valid floats in [lo, hi]; sometimes one of BAD_FLOATS."""
    return _mostly(st.floats(lo, hi, allow_nan=False), st.sampled_from(BAD_FLOATS), bad)


@st.composite
def layouts(draw, a: np.ndarray) -> np.ndarray:
    """The same values as ``a`` in another memory layout: C, Fortran, strided, reversed,
    read-only."""
    kind = draw(st.sampled_from(["c", "c", "fortran", "strided", "reversed", "readonly"]))
    if kind == "fortran":
        return np.asfortranarray(a)
    if kind == "strided" and a.ndim:
        big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
        big[..., ::2] = a
        return big[..., ::2]
    if kind == "reversed" and a.ndim:
        return np.ascontiguousarray(a[..., ::-1])[..., ::-1]
    if kind == "readonly":
        a = a.copy()
        a.setflags(write=False)
    return a


@st.composite
def arrays(draw, core_shape, *, dtypes=FLOATS, odd_dtypes=True, lead=True, special=True,
           scale=True, nonnegative=False):
    """An array of ``lead + core_shape``: values normal (or uniform >= 0), scaled by an
    extreme factor sometimes, with NaN/Inf sometimes, in a hostile layout."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    leading = draw(st.sampled_from([(), (), (1,), (2,), (3, 1), (0,), (64,)])) if lead else ()
    shape = tuple(leading) + tuple(core_shape)
    pool = list(dtypes) + (list(ODD_DTYPES) if odd_dtypes else [])
    weights = [30] * len(dtypes) + [1] * (len(pool) - len(dtypes))
    dtype = draw(st.sampled_from(sum(([d] * w for d, w in zip(pool, weights, strict=True)), [])))
    base = rng.uniform(0, 1, shape) if nonnegative else rng.standard_normal(shape)
    if scale:
        base = base * draw(st.sampled_from([1.0] * 8 + [1e-30, 1e-3, 1e3, 1e30, 1e37, 1e300]))
    base = np.array(base, dtype=np.float64)  # a 0-d shape made a Python float above
    if special and base.size and draw(st.integers(0, 19)) == 0:
        base.flat[draw(st.integers(0, base.size - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf]))
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype is object:
            a = base.astype(object)
        elif np.dtype(dtype).kind in "iub":
            a = np.nan_to_num(base, posinf=0, neginf=0).clip(-1000, 1000).astype(dtype)
        else:
            a = base.astype(dtype)
    if np.dtype(a.dtype).kind == "c":
        a = a + 1j * a[..., ::-1] if a.ndim else a
    return draw(layouts(a))


def scalars_or_arrays():
    return st.one_of(st.none(), st.text(max_size=3), st.floats(allow_nan=True),
                     st.integers(-10, 10), st.just(np.zeros((0,))), st.just(np.array(3.0)))
