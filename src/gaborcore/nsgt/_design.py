"""NSGT frame design: band windows on the DFT grid, coefficient counts, storage layout, and the
frame operator's diagonal, as plain arrays (:ref:`theory-nsgt`).

The result, :class:`FrameDesign`, is all that the kernels of every backend receive: each band's
first support bin (unwrapped: the DC band starts below 0), support width ``W_k``, centre bin
``j_k``, coefficient count ``M_k``, offset in the coefficient buffer, whether its conjugate mirror
is implied (scale bands of real plans), the window samples of all bands concatenated, and ``D``.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from .. import _validation
from .._validation import ParameterError

__all__ = ["FrameDesign", "design_frame", "LAYOUTS", "FREQUENCY_WINDOWS", "BAND_LENGTHS"]

LAYOUTS = ("ragged", "bucketed", "piecewise", "full")
FREQUENCY_WINDOWS = ("hann", "blackmanharris", "gaussian")
#: How each ``M_k`` is rounded up from ``oversampling * W_k``: ``"fast"`` to the next length
#: whose prime factors are 2, 3, 5, 7 and 11 (scipy's ``next_fast_len``), ``"smooth"`` to the next
#: 2^a 3^b 5^c (FFTW's fastest codelets), ``"exact"`` not at all.
BAND_LENGTHS = ("fast", "smooth", "exact")


def window_values(shape: str, x: np.ndarray) -> np.ndarray:
    """Window on ``x`` in [-1/2, 1/2] (0 at the ends except for the Gaussian)."""
    if shape == "hann":
        return 0.5 + 0.5 * np.cos(2 * np.pi * x)
    if shape == "blackmanharris":
        a = (0.35875, 0.48829, 0.14128, 0.01168)
        return (a[0] + a[1] * np.cos(2 * np.pi * x) + a[2] * np.cos(4 * np.pi * x)
                + a[3] * np.cos(6 * np.pi * x))
    # Gaussian, standard deviation a sixth of the support (the ends at 3 sigma)
    return np.exp(-0.5 * (6.0 * x) ** 2)


def _support(centre: float, width: float, min_win: int) -> tuple[np.ndarray, float]:
    """Integer bins strictly inside (centre - width/2, centre + width/2), at least min_win."""
    width = max(width, float(min_win))
    lo = int(np.floor(centre - width / 2)) + 1
    hi = int(np.ceil(centre + width / 2)) - 1
    while hi - lo + 1 < min_win:
        lo -= 1
        if hi - lo + 1 < min_win:
            hi += 1
    return np.arange(lo, hi + 1), width


def _plateau(dist, edge, flank):
    """1 up to edge - flank, then a Hann flank falling to 0 at edge (DC / Nyquist bands)."""
    flank = min(flank, edge)
    x = np.clip((dist - (edge - flank)) / flank, 0.0, 1.0)
    return 0.5 + 0.5 * np.cos(np.pi * x)


def smooth_len(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n."""
    best = 1 << max(0, int(n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def band_length(n: int, rule: str) -> int:
    if rule == "exact":
        return int(n)
    if rule == "smooth":
        return smooth_len(int(n))
    import scipy.fft  # here, not at import: scipy.fft costs 0.1 s of `import gaborcore`

    return int(scipy.fft.next_fast_len(int(n), real=False))


@dataclasses.dataclass(frozen=True, eq=False)
class FrameDesign:
    """A painless NSGT frame as plain arrays (bands in frequency order)."""

    length: int
    real: bool
    kind: np.ndarray  # "dc", "band", "nyquist", "mirror"
    centre_hz: np.ndarray
    bandwidth_hz: np.ndarray
    first: np.ndarray  # first support bin, unwrapped
    width: np.ndarray  # W_k
    centre: np.ndarray  # j_k
    windows: np.ndarray  # float64, the bands' window samples concatenated
    M: np.ndarray
    offset: np.ndarray
    mirrored: np.ndarray  # conjugate mirror band implied (real plans' scale bands)
    diagonal: np.ndarray  # D on the full DFT circle
    total: int
    groups: tuple  # (M, band indices in storage order, start or None when not contiguous)

    def kernel_arrays(self) -> dict:
        """The arrays every backend's kernel constructor takes."""
        return dict(length=self.length, real=self.real, first=self.first, width=self.width,
                    centre=self.centre, M=self.M, offset=self.offset, mirrored=self.mirrored,
                    windows=self.windows, diagonal=self.diagonal)

    @functools.cached_property
    def analysis_gain(self) -> float:
        """``log2(max W_k * max |g_k|)``: with ``log2(L max|y|)`` a bound on every analysis sum
        (computed once: the windows hold a value per support bin)."""
        return (_validation.log2(float(self.width.max(initial=1)))
                + _validation.log2(float(np.abs(self.windows).max(initial=1.0))))

    @functools.cached_property
    def synthesis_gain(self) -> float:
        """``log2(max |dual window|) = log2(max |g_k| / min D)`` over the bins where D > 0."""
        positive = self.diagonal[self.diagonal > 0]
        return _validation.log2(float(np.abs(self.windows).max(initial=1.0))
                                / float(positive.min(initial=1.0)))

    def same_windows(self, other: FrameDesign) -> bool:
        """Same length, kind, supports, window samples and centre bins (M may differ)."""
        return (other.length == self.length and other.real == self.real
                and np.array_equal(other.first, self.first)
                and np.array_equal(other.width, self.width)
                and np.array_equal(other.centre, self.centre)
                and np.array_equal(other.windows, self.windows))


def design_frame(*, length: int, sr: float, xi: np.ndarray, bw: np.ndarray, window: str,
                 min_win: int, oversampling: float, layout: str, real: bool, M_user=None,
                 band_lengths: str = "fast", painless: bool = True) -> FrameDesign:
    L = length
    to_bin = L / sr
    kinds, centres, bws, supports, values, centre_bins = [], [], [], [], [], []

    def add(kind, c_hz, c_bin, bins, vals, width_bins):
        kinds.append(kind)
        centres.append(c_hz)
        bws.append(width_bins / to_bin)
        supports.append(bins)
        values.append(vals)
        centre_bins.append(int(np.round(c_bin)))

    first_c, last_c = xi[0] * to_bin, xi[-1] * to_bin
    # DC band: flat around 0, falling over the lower flank of the first band to its centre
    bins, _ = _support(0.0, 2 * first_c, min_win)
    add("dc", 0.0, 0.0, bins, _plateau(np.abs(bins), first_c, bw[0] * to_bin / 2), 2 * first_c)
    for c, w in zip(xi, bw, strict=True):
        bins, width = _support(c * to_bin, w * to_bin, min_win)
        add("band", c, c * to_bin, bins, window_values(window, (bins - c * to_bin) / width),
            width)
    # Nyquist band: flat around L/2, falling over the upper flank of the last band
    half = L / 2
    bins, _ = _support(half, 2 * (half - last_c), min_win)
    add("nyquist", sr / 2, half, bins,
        _plateau(np.abs(bins - half), half - last_c, bw[-1] * to_bin / 2), 2 * (half - last_c))
    n_pos = len(kinds)
    if max(len(s) for s in supports) > L:
        raise ParameterError(f"length={L}: a band is wider than the signal; increase length "
                             "or fmin")
    if not real:
        for k in range(n_pos - 2, 0, -1):  # mirrored scale bands, negative frequencies
            kinds.append("mirror")
            centres.append(-centres[k])
            bws.append(bws[k])
            supports.append(-supports[k][::-1])
            values.append(values[k][::-1].copy())
            centre_bins.append(-centre_bins[k])
    kind = np.array(kinds)
    W = np.array([len(s) for s in supports], np.int64)
    M = _band_counts(W, kind, oversampling, layout, band_lengths, M_user, painless)
    _validation.check_size("oversampling", (int(M.sum()),), np.complex128,
                           what="the coefficients of one signal")
    offset, total, groups = _storage(M, kind, layout)

    # frame-operator diagonal on the full DFT circle (mirrors implied for real signals)
    mirrored = (kind == "band") & bool(real)
    D = np.zeros(L)
    for k in range(len(W)):
        np.add.at(D, supports[k] % L, M[k] * values[k] ** 2)
        if mirrored[k]:
            np.add.at(D, (-supports[k]) % L, M[k] * values[k] ** 2)
    if not D.min() > 0:
        raise ParameterError(
            "the bands leave frequencies uncovered (frame operator has zeros): increase "
            "qvar or min_win, or use more bins"
        )
    return FrameDesign(
        length=L, real=bool(real), kind=kind, centre_hz=np.array(centres),
        bandwidth_hz=np.array(bws), first=np.array([s[0] for s in supports], np.int64),
        width=W, centre=np.array(centre_bins, np.int64), windows=np.concatenate(values),
        M=M, offset=offset, mirrored=mirrored, diagonal=D, total=total, groups=groups,
    )


def _band_counts(W, kind, oversampling, layout, band_lengths, M_user, painless) -> np.ndarray:
    if M_user is not None:
        try:
            M = np.broadcast_to(np.asarray(M_user), W.shape)
        except ValueError:
            raise ParameterError(f"M must be one count or one per band ({len(W)} bands); got "
                                 f"shape {np.shape(M_user)}") from None
        if M.dtype.kind not in "iu" or np.any(M < 1) or np.any(M > 2**31 - 1):
            raise ParameterError("M must hold integers from 1 to 2**31 - 1")
        M = M.astype(np.int64)
        if painless and np.any(M < W):
            k = int(np.argmax(M < W))
            raise ParameterError(
                f"M={int(M[k])} for band {k} is smaller than its window support W={W[k]} "
                "bins: the frame is not painless and the painless dual cannot be used "
                "(painless=False accepts it, for analysis only)"
            )
        return M
    need = np.ceil(W * oversampling).astype(np.int64)
    if layout == "piecewise":
        return (2 ** np.ceil(np.log2(need))).astype(np.int64)
    M = np.array([band_length(n, band_lengths) for n in need], np.int64)
    if layout == "full":
        scale_bands = (kind != "dc") & (kind != "nyquist")
        M[scale_bands] = band_length(int(need[scale_bands].max()), band_lengths)
    return M


def _storage(M, kind, layout):
    """Offsets of the bands in the coefficient buffer and the groups of equal M."""
    n_bands = len(M)
    order = np.arange(n_bands)
    if layout in ("bucketed", "piecewise"):
        order = np.concatenate([np.flatnonzero(M == m) for m in np.unique(M)])
    elif layout == "full":
        scale_idx = np.flatnonzero((kind != "dc") & (kind != "nyquist"))
        order = np.concatenate([scale_idx, np.flatnonzero(kind == "dc"),
                                np.flatnonzero(kind == "nyquist")])
    offset = np.zeros(n_bands, np.int64)
    offset[order] = np.concatenate([[0], np.cumsum(M[order])[:-1]])
    total = int(M.sum())
    groups = []
    for m in np.unique(M):
        idx = np.flatnonzero(M == m)
        stored = offset[idx]
        contiguous = bool(np.all(np.diff(np.sort(stored)) == m))
        groups.append((int(m), idx[np.argsort(stored)] if contiguous else idx,
                       int(stored.min()) if contiguous else None))
    if layout == "full":  # the matrix group first
        groups.sort(key=lambda g: -len(g[1]))
    return offset, total, tuple(groups)
