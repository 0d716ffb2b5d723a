"""Non-stationary Gabor transform (NSGT): one window and one time hop per frequency band.

Definitions (THEORY.md section 4; Holighaus, Dörfler, Velasco, Grill 2013).  For a signal ``f`` of
length ``L`` with DFT ``F[j] = sum_t f(t) exp(-2 pi i j t / L)``, band ``k`` has a window
``G_k[j]`` on the DFT grid, supported on an interval ``I_k`` of ``W_k`` bins around its centre bin
``j_k``, and ``M_k >= W_k`` coefficients::

    c_k[n] = sum_{j in I_k} F[j] conj(G_k[j]) exp(2 pi i n (j - j_k) / M_k),   n = 0 .. M_k - 1

i.e. ``F * conj(G_k)`` is placed in a length-``M_k`` buffer at ``(j - j_k) mod M_k`` and inverse-
transformed (without the 1/M factor).  The coefficients of band k are the samples at
``t = n L / M_k`` of the band-pass filter output ``sum_j F[j] conj(G_k[j]) exp(2 pi i j t / L)``,
demodulated by ``exp(-2 pi i n j_k / M_k)``: the band's own time hop is ``a_k = L / M_k`` samples.

Since every ``M_k >= W_k`` the frame is *painless*: its frame operator is the diagonal
``D[j] = sum_k M_k |G_k[j]|^2`` and the canonical dual windows ``G_k / D`` give perfect
reconstruction.  Real signals use the bands of the non-negative frequencies (a DC band, the scale's
bands, a Nyquist band); their mirror images are implied (their coefficients are the complex
conjugates) and counted in ``D``.  Complex signals use the mirrored bands explicitly.

Layouts (how the ``M_k`` are chosen and the coefficients stored, all exactly invertible):

``"ragged"``     ``M_k`` = the smallest FFT-friendly length >= ``W_k``; bands in frequency order.
``"bucketed"``   the same ``M_k``, bands grouped by equal ``M_k`` (one batched FFT per group).
``"piecewise"``  ``M_k`` rounded up to powers of two, grouped: hops align dyadically.
``"full"``       one ``M`` for all scale bands: a matrix ``(..., n_bands, M)``; the DC and Nyquist
                 bands keep their own ``M`` and are stored apart, so redundancy stays sane.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import scipy.fft

from . import _backend, _validation
from ._validation import ParameterError
from ._warn import warn
from .filterbanks import hz_to_scale, scale_to_hz

__all__ = ["NSGT", "NSGTCoefficients", "BandTable", "nsgt_frequencies", "LAYOUTS", "NSGT_SCALES",
           "FREQUENCY_WINDOWS", "SlicedNSGT", "SlicedCoefficients", "SlicedInverse",
           "slicing_window"]

LAYOUTS = ("ragged", "bucketed", "piecewise", "full")
NSGT_SCALES = ("cqt", "vqt", "mel", "bark", "erb", "log", "linear")
FREQUENCY_WINDOWS = ("hann", "blackmanharris", "gaussian")


# ---------------------------------------------------------------------------------------------
# scale design
# ---------------------------------------------------------------------------------------------
def nsgt_frequencies(*, sr: float, scale: str = "cqt", fmin: float = 32.7,
                     fmax: float | None = None, n_bins: int | None = None,
                     bins_per_octave: int = 12, gamma: float = 0.0,
                     frequencies=None, htk: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Centre frequencies and bandwidths (both in Hz) of the scale's bands (no DC / Nyquist band).

    * ``"cqt"``: ``xi_k = fmin 2^(k / B)``; with ``n_bins`` given, ``k < n_bins``; otherwise
      ``ceil(B log2(fmax / fmin)) + 1`` bands spaced evenly in log frequency from ``fmin`` to
      ``fmax`` inclusive (the band count and centres of the ``nsgt`` package's ``OctScale``).
      Bandwidth ``xi_k / Q`` with ``Q = 1 / (2^(1/B) - 2^(-1/B))``: the support of band ``k``
      reaches the centres of its neighbours.
    * ``"vqt"``: the same centres, bandwidth ``xi_k / Q + gamma`` (constant bandwidth ``gamma``
      dominates at low frequencies).
    * ``"mel"``, ``"bark"``, ``"erb"``, ``"log"``, ``"linear"``: ``n_bins`` centres evenly spaced on
      that scale from ``fmin`` to ``fmax``; bandwidth ``xi_{k+1} - xi_{k-1}`` (neighbours
      extrapolated on the scale at both ends, clipped to 0 Hz and sr/2; no band reaches below
      0 Hz, and one centred close to sr/2 may cross it: its mirror image completes it).  The mel scale is THEORY.md's ``2595 log10(1 + f / 700)`` (``htk=True``,
      the default here) or Slaney's (``htk=False``).
    * ``frequencies``: any increasing array of centres in ``(0, sr/2)``; bandwidths as above, on a
      log-frequency extrapolation at the ends.
    """
    sr = _validation.sample_rate("sr", sr)
    nyquist = sr / 2
    if frequencies is not None:
        xi = np.asarray(frequencies, dtype=np.float64)
        if xi.ndim != 1 or xi.size < 2 or not np.all(np.isfinite(xi)):
            raise ParameterError("frequencies must be a 1-D array of at least 2 finite centres")
        if not np.all(np.diff(xi) > 0) or xi[0] <= 0 or xi[-1] >= nyquist:
            raise ParameterError(
                f"frequencies must increase strictly within (0, sr/2={nyquist}) Hz"
            )
        lx = np.log(xi)
        ext = np.concatenate([[2 * lx[0] - lx[1]], lx, [2 * lx[-1] - lx[-2]]])
        e = np.exp(ext)
        return xi, e[2:] - e[:-2]
    if scale not in NSGT_SCALES:
        raise ParameterError(f"scale={scale!r} is not one of {list(NSGT_SCALES)}")
    fmin = _validation.positive_float("fmin", fmin)
    if fmin >= nyquist:
        raise ParameterError(f"fmin={fmin} Hz must be below the Nyquist frequency sr/2={nyquist} Hz")
    if fmax is not None:
        fmax = _validation.positive_float("fmax", fmax)
        if not fmax > fmin:
            raise ParameterError(f"fmin={fmin} Hz must be below fmax={fmax} Hz")
    if scale in ("cqt", "vqt"):
        B = _validation.positive_int("bins_per_octave", bins_per_octave)
        if n_bins is not None:
            n_bins = _validation.positive_int("n_bins", n_bins, minimum=2)
            xi = fmin * 2.0 ** (np.arange(n_bins) / B)
        else:
            if fmax is None:
                raise ParameterError("give fmax or n_bins for the constant-Q scale")
            n = int(np.ceil(np.log2(fmax / fmin) * B)) + 1
            xi = fmin * (fmax / fmin) ** (np.arange(n) / (n - 1))
            B = (n - 1) / np.log2(fmax / fmin)  # the exact spacing of these centres
        q_inv = 2.0 ** (1.0 / B) - 2.0 ** (-1.0 / B)
        bw = xi * q_inv
        if scale == "vqt":
            gamma = float(gamma)
            if not gamma >= 0:
                raise ParameterError(f"gamma={gamma} must be >= 0 Hz")
            bw = bw + gamma
        return _below_nyquist(xi, bw, nyquist)
    if n_bins is None:
        raise ParameterError(f"n_bins is required for the {scale} scale")
    n_bins = _validation.positive_int("n_bins", n_bins, minimum=2)
    fmax = nyquist * 0.95 if fmax is None else fmax
    lo, hi = hz_to_scale(fmin, scale, htk=htk), hz_to_scale(fmax, scale, htk=htk)
    step = (hi - lo) / (n_bins - 1)
    xi = np.asarray(scale_to_hz(lo + step * np.arange(n_bins), scale, htk=htk), dtype=np.float64)
    # neighbours extrapolated on the scale; outside its domain (Bark beyond its pole, below 0 Hz)
    # the band simply reaches 0 Hz or sr/2
    below = _scale_point(lo - step, scale, htk, 0.0)
    above = _scale_point(hi + step, scale, htk, np.inf)
    f = np.concatenate([[below], xi, [above]])
    bw = np.minimum(f[2:], nyquist) - np.maximum(f[:-2], 0.0)
    bw = np.minimum(bw, 2 * xi)  # no band reaches below 0 Hz
    return _below_nyquist(xi, bw, nyquist)


def _scale_point(value: float, scale: str, htk: bool, outside: float) -> float:
    """``scale_to_hz(value)``, or ``outside`` where the value lies outside the scale's domain."""
    try:
        return float(scale_to_hz(value, scale, htk=htk))
    except ParameterError:
        return outside


def _below_nyquist(xi: np.ndarray, bw: np.ndarray, nyquist: float):
    """Drop the bands centred at or above the Nyquist frequency, with a warning (as the nsgt
    package does); bands just below it may cross sr/2, their mirror images complete them."""
    keep = xi < nyquist * (1 - 1e-9)  # a centre computed as sr/2 may round just below it
    if not keep.all():
        dropped = int((~keep).sum())
        if keep.sum() < 2:
            raise ParameterError(
                f"only {int(keep.sum())} band centre(s) lie below the Nyquist frequency "
                f"{nyquist} Hz; at least 2 are needed: lower fmin, fmax or n_bins"
            )
        warn(f"{dropped} band(s) centred at or above the Nyquist frequency {nyquist} Hz "
             f"(up to {xi[-1]:.1f} Hz) are dropped; {int(keep.sum())} bands remain")
    return xi[keep], bw[keep]


def _window_values(shape: str, x: np.ndarray) -> np.ndarray:
    """Window on ``x`` in [-1/2, 1/2] (0 at the ends except for the Gaussian)."""
    if shape == "hann":
        return 0.5 + 0.5 * np.cos(2 * np.pi * x)
    if shape == "blackmanharris":
        a = (0.35875, 0.48829, 0.14128, 0.01168)
        return a[0] + a[1] * np.cos(2 * np.pi * x) + a[2] * np.cos(4 * np.pi * x) + \
            a[3] * np.cos(6 * np.pi * x)
    # Gaussian, standard deviation a sixth of the support (the ends at 3 sigma)
    return np.exp(-0.5 * (6.0 * x) ** 2)


def _support(centre: float, width: float, min_win: int) -> np.ndarray:
    """Integer bins strictly inside (centre - width/2, centre + width/2), at least min_win."""
    width = max(width, float(min_win))
    lo = int(np.floor(centre - width / 2)) + 1
    hi = int(np.ceil(centre + width / 2)) - 1
    while hi - lo + 1 < min_win:
        lo -= 1
        if hi - lo + 1 < min_win:
            hi += 1
    return np.arange(lo, hi + 1), width


def _fast_len(n: int) -> int:
    return int(scipy.fft.next_fast_len(int(n), real=False))


# ---------------------------------------------------------------------------------------------
# band table and coefficients
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BandTable:
    """Per-band parameters, in frequency order (DC, scale bands, Nyquist[, mirrored bands])."""

    kind: np.ndarray  # "dc", "band", "nyquist", "mirror"
    centre_hz: np.ndarray
    bandwidth_hz: np.ndarray
    support: np.ndarray  # W_k, bins
    M: np.ndarray  # coefficients per band
    hop: np.ndarray  # a_k = L / M_k, samples (float)
    hop_seconds: np.ndarray
    offset: np.ndarray  # start of the band in the coefficient buffer

    def __len__(self) -> int:
        return len(self.M)

    def __str__(self) -> str:
        rows = [f"{'band':>5} {'kind':>8} {'centre Hz':>11} {'bw Hz':>9} {'W':>6} {'M':>6} "
                f"{'hop smp':>9} {'hop ms':>8}"]
        for i in range(len(self)):
            rows.append(f"{i:5d} {self.kind[i]:>8} {self.centre_hz[i]:11.2f} "
                        f"{self.bandwidth_hz[i]:9.2f} {self.support[i]:6d} {self.M[i]:6d} "
                        f"{self.hop[i]:9.2f} {1e3 * self.hop_seconds[i]:8.3f}")
        return "\n".join(rows)


class NSGTCoefficients:
    """NSGT coefficients of one plan: a contiguous buffer plus views in each layout.

    ``data`` has shape ``(..., total)``; band ``k`` occupies ``data[..., offset[k]:offset[k]+M[k]]``.
    """

    def __init__(self, plan: NSGT, data: np.ndarray):
        self.plan = plan
        self.data = data

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def band(self, k: int) -> np.ndarray:
        """Coefficients of band ``k`` (a view), shape ``(..., M_k)``."""
        t = self.plan.bands
        return self.data[..., t.offset[k]:t.offset[k] + t.M[k]]

    def bands(self) -> list[np.ndarray]:
        """List view: one array ``(..., M_k)`` per band, in frequency order."""
        return [self.band(k) for k in range(len(self.plan.bands))]

    def buckets(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """``(M, band indices, view (..., n, M))`` for each group of bands with equal ``M``.

        Views (no copy) for the bucketed, piecewise and full layouts, whose buffer stores each group
        contiguously; copies for the ragged layout.
        """
        out = []
        for M, idx, start in self.plan._groups:
            n = len(idx)
            if start is not None:
                view = self.data[..., start:start + n * M].reshape(self.data.shape[:-1] + (n, M))
            else:
                view = np.stack([self.band(k) for k in idx], axis=-2)
            out.append((M, idx, view))
        return out

    def matrix(self) -> np.ndarray:
        """The scale bands as one matrix ``(..., n_bands, M)`` (full layout only; a view)."""
        if self.plan.layout != "full":
            raise ParameterError(
                f"matrix() needs the full layout; this plan's layout is {self.plan.layout!r} "
                "(convert with NSGT(..., layout='full').convert(coefs))"
            )
        M, idx, start = self.plan._groups[0]
        return self.data[..., start:start + len(idx) * M].reshape(self.data.shape[:-1] +
                                                                  (len(idx), M))

    @property
    def dc(self) -> np.ndarray:
        """Coefficients of the DC band (a view)."""
        return self.band(0)

    @property
    def nyquist(self) -> np.ndarray:
        """Coefficients of the Nyquist band (a view)."""
        return self.band(self.plan._nyquist_index)

    def __repr__(self) -> str:
        return (f"NSGTCoefficients(layout={self.plan.layout!r}, bands={len(self.plan.bands)}, "
                f"shape={self.shape}, dtype={self.dtype})")


# ---------------------------------------------------------------------------------------------
# the plan
# ---------------------------------------------------------------------------------------------
class NSGT:
    """Non-stationary Gabor transform plan for signals of length ``length``.

    Parameters
    ----------
    length : int
        Signal length L (the last axis of the input).  With ``pad=True``, shorter signals are
        zero-padded to L and ``inverse`` returns L samples.
    sr : float
        Sampling rate in Hz.
    scale : {"cqt", "vqt", "mel", "bark", "erb", "log", "linear"}
        Frequency scale (see :func:`nsgt_frequencies`); or give ``frequencies``.
    fmin, fmax, n_bins, bins_per_octave, gamma, frequencies, htk
        Scale parameters (see :func:`nsgt_frequencies`).
    window : {"hann", "blackmanharris", "gaussian"}
        Window shape in frequency.
    min_win : int
        Smallest window support in bins (>= 1).
    qvar : float
        Bandwidth factor: > 1 widens every window (more overlap, more redundancy).
    oversampling : float
        ``M_k >= oversampling * W_k`` (>= 1): more coefficients per band, smaller hops.
    layout : {"ragged", "bucketed", "piecewise", "full"}
    real : bool
        Real signals (default) or complex ones.
    M : int or array, optional
        Force the number of coefficients per band (all bands, DC / Nyquist included); every
        ``M_k`` must be at least ``W_k`` (the painless case), else :class:`ParameterError`.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> plan = gaborcore.NSGT(length=22050, sr=22050, fmin=110.0, fmax=7040.0, bins_per_octave=12)
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> c = plan.forward(y)
    >>> len(plan.bands), c.band(10).shape, c.band(40).shape
    (75, (21,), (120,))
    >>> bool(np.allclose(plan.inverse(c), y))
    True
    """

    def __init__(self, *, length: int, sr: float, scale: str = "cqt", fmin: float = 32.7,
                 fmax: float | None = None, n_bins: int | None = None,
                 bins_per_octave: int = 12, gamma: float = 0.0, frequencies=None,
                 htk: bool = True, window: str = "hann", min_win: int = 4, qvar: float = 1.0,
                 oversampling: float = 1.0, layout: str = "ragged", real: bool = True, M=None,
                 pad: bool = False):
        # FFTW sizes are C ints; the spectrum of one signal must fit in memory
        self.length = _validation.positive_int("length", length, minimum=8, maximum=2**31 - 1)
        _validation.check_size("length", (self.length,), np.complex128,
                               what="the spectrum of one signal")
        self.sr = _validation.sample_rate("sr", sr)
        self.layout = _validation.choice("layout", layout, LAYOUTS)
        self.window = _validation.choice("window", window, FREQUENCY_WINDOWS)
        self.min_win = _validation.positive_int("min_win", min_win)
        self.qvar = _validation.positive_float("qvar", qvar)
        self.oversampling = _validation.positive_float("oversampling", oversampling)
        if self.oversampling < 1:
            raise ParameterError(f"oversampling={oversampling} must be >= 1 (painless frames)")
        self.real = bool(real)
        self.pad = bool(pad)
        self.scale = "custom" if frequencies is not None else scale
        xi, bw = nsgt_frequencies(sr=sr, scale=scale, fmin=fmin, fmax=fmax, n_bins=n_bins,
                                  bins_per_octave=bins_per_octave, gamma=gamma,
                                  frequencies=frequencies, htk=htk)
        if xi[-1] >= self.sr / 2:
            raise ParameterError(f"band centres must stay below sr/2={self.sr / 2} Hz")
        if len(xi) < 2:
            raise ParameterError("too few bins: at least 2 bands are needed")
        bw = bw * self.qvar
        self._design(xi, bw, M)
        self._lock = threading.Lock()
        self._cast: dict = {}
        self._kernels: dict = {}

    # ---- design ----------------------------------------------------------------------------
    def _design(self, xi, bw, M_user):
        L, sr = self.length, self.sr
        to_bin = L / sr
        nyq_hz = sr / 2
        kinds, centres, bws, supports, values, centre_bins = [], [], [], [], [], []

        def add(kind, c_hz, c_bin, bins, vals, width_bins):
            kinds.append(kind)
            centres.append(c_hz)
            bws.append(width_bins / to_bin)
            supports.append(bins)
            values.append(vals)
            centre_bins.append(int(np.round(c_bin)))

        def plateau(dist, edge, flank):
            """1 up to edge - flank, then a Hann flank falling to 0 at edge (DC / Nyquist)."""
            flank = min(flank, edge)
            x = np.clip((dist - (edge - flank)) / flank, 0.0, 1.0)
            return 0.5 + 0.5 * np.cos(np.pi * x)

        first_c, last_c = xi[0] * to_bin, xi[-1] * to_bin
        # DC band: flat around 0, falling over the lower flank of the first band to its centre
        bins, _ = _support(0.0, 2 * first_c, self.min_win)
        add("dc", 0.0, 0.0, bins, plateau(np.abs(bins), first_c, bw[0] * to_bin / 2),
            2 * first_c)
        for c, w in zip(xi, bw, strict=False):
            bins, width = _support(c * to_bin, w * to_bin, self.min_win)
            add("band", c, c * to_bin, bins,
                _window_values(self.window, (bins - c * to_bin) / width), width)
        # Nyquist band: flat around L/2, falling over the upper flank of the last band
        half = L / 2
        bins, _ = _support(half, 2 * (half - last_c), self.min_win)
        add("nyquist", nyq_hz, half, bins,
            plateau(np.abs(bins - half), half - last_c, bw[-1] * to_bin / 2),
            2 * (half - last_c))
        n_pos = len(kinds)
        if max(len(s) for s in supports) > L:
            raise ParameterError(
                f"a band is wider than the signal ({L} samples): increase length or fmin"
            )
        if not self.real:
            for k in range(n_pos - 2, 0, -1):  # mirrored scale bands, negative frequencies
                kinds.append("mirror")
                centres.append(-centres[k])
                bws.append(bws[k])
                supports.append(-supports[k][::-1])
                values.append(values[k][::-1].copy())
                centre_bins.append(-centre_bins[k])
        W = np.array([len(s) for s in supports])
        n_bands = len(W)
        if M_user is not None:
            M = np.broadcast_to(np.asarray(M_user), (n_bands,)).astype(np.int64)
            if np.any(M < W):
                k = int(np.argmax(M < W))
                raise ParameterError(
                    f"M={int(M[k])} for band {k} is smaller than its window support W={W[k]} "
                    "bins: the frame is not painless and the painless dual cannot be used"
                )
        else:
            need = np.ceil(W * self.oversampling).astype(np.int64)
            if self.layout == "piecewise":
                M = 2 ** np.ceil(np.log2(need)).astype(np.int64)
            elif self.layout == "full":
                M = np.array([_fast_len(n) for n in need])
                scale_bands = np.array([k not in ("dc", "nyquist") for k in kinds])
                M[scale_bands] = _fast_len(need[scale_bands].max())
            else:
                M = np.array([_fast_len(n) for n in need])
        M = M.astype(np.int64)
        self._nyquist_index = n_pos - 1
        self._kind = np.array(kinds)
        self._supports = supports
        self._values = values  # float64 windows G_k on their supports
        self._centre_bins = np.array(centre_bins, np.int64)

        # storage order of the bands in the buffer, and the groups of equal M
        order = np.arange(n_bands)
        groups = []
        if self.layout in ("bucketed", "piecewise"):
            order = np.concatenate([np.flatnonzero(M == m) for m in np.unique(M)])
        elif self.layout == "full":
            scale_idx = np.flatnonzero(self._kind != "dc")
            scale_idx = scale_idx[self._kind[scale_idx] != "nyquist"]
            order = np.concatenate([scale_idx, [0, n_pos - 1]])
        offset = np.zeros(n_bands, np.int64)
        pos = 0
        for k in order:
            offset[k] = pos
            pos += M[k]
        self.total = int(pos)
        for m in np.unique(M):
            idx = np.flatnonzero(M == m)
            stored = offset[idx]
            contiguous = bool(np.all(np.diff(stored) == m)) if len(idx) > 1 else True
            groups.append((int(m), idx[np.argsort(stored)] if contiguous else idx,
                           int(stored.min()) if contiguous else None))
        if self.layout == "full":  # the matrix group first
            groups.sort(key=lambda g: -len(g[1]))
        self._groups = groups

        # frame-operator diagonal on the full DFT circle (mirrors implied for real signals)
        D = np.zeros(self.length)
        for k in range(n_bands):
            np.add.at(D, supports[k] % L, M[k] * values[k] ** 2)
            if self.real and kinds[k] == "band":
                np.add.at(D, (-supports[k]) % L, M[k] * values[k] ** 2)
        if not D.min() > 0:
            raise ParameterError(
                "the bands leave frequencies uncovered (frame operator has zeros): increase "
                "qvar or min_win, or use more bins"
            )
        self.diagonal = D
        self.bands = BandTable(
            kind=self._kind, centre_hz=np.array(centres), bandwidth_hz=np.array(bws),
            support=W, M=M, hop=L / M, hop_seconds=L / M / self.sr, offset=offset,
        )

    # ---- diagnostics -----------------------------------------------------------------------
    @property
    def frame_bounds(self) -> tuple[float, float]:
        """Optimal frame bounds of the painless frame: min and max of the diagonal D."""
        return float(self.diagonal.min()), float(self.diagonal.max())

    @property
    def redundancy(self) -> float:
        """Complex coefficients per signal sample, ``sum_k M_k / L``."""
        return self.total / self.length

    @property
    def is_painless(self) -> bool:
        """True when every band has at least as many coefficients as window bins."""
        return bool(np.all(self.bands.M >= self.bands.support))

    @property
    def latency(self) -> int:
        """Samples needed before any coefficient is known: the whole signal, L (see
        :class:`SlicedNSGT` for a transform with bounded latency)."""
        return self.length

    def __repr__(self) -> str:
        return (f"NSGT(length={self.length}, sr={self.sr:g}, scale={self.scale!r}, "
                f"bands={len(self.bands)}, layout={self.layout!r}, real={self.real}, "
                f"redundancy={self.redundancy:.2f})")

    # ---- kernel data -----------------------------------------------------------------------
    def _tables(self, dtype: np.dtype):
        """Flat gather/scatter tables per group of equal M, in the working precision.

        For each group: ``src`` DFT bins (mod L), ``dst`` positions in the group's (n, M) buffer
        (flattened), ``w`` = conj(G) for analysis, ``dual`` = G / D for synthesis.
        """
        key = np.dtype(dtype).str
        with self._lock:
            tab = self._cast.get(key)
            if tab is not None:
                return tab
        L = self.length
        tab = []
        for M, idx, _ in self._groups:
            src, dst, w, dual = [], [], [], []
            for r, k in enumerate(idx):
                s = self._supports[k]
                src.append(s % L)
                dst.append(r * M + (s - self._centre_bins[k]) % M)
                w.append(self._values[k])
                dual.append(self._values[k] / self.diagonal[s % L])
            tab.append(dict(M=M, idx=np.asarray(idx), n=len(idx),
                            sizes=np.array([len(self._supports[k]) for k in idx]),
                            src=np.concatenate(src).astype(np.int64),
                            dst=np.concatenate(dst).astype(np.int64),
                            w=np.concatenate(w).astype(dtype),
                            dual=np.concatenate(dual).astype(dtype),
                            offsets=self.bands.offset[idx]))
        with self._lock:
            self._cast[key] = tab
        return tab

    def _flat_tables(self, dtype: np.dtype) -> dict:
        """The tables of :meth:`_tables` concatenated for the compiled kernels (see gc_nsgt.h).

        Real plans work on the half spectrum ``0 .. L//2``: bins beyond are read as conjugates,
        and synthesis values go to ``t1`` and (conjugated) to the mirror bin ``t2``; bands that
        are their own mirror (DC, Nyquist) are weighted 1/2 in each, so the result is the
        Hermitian part of the full synthesis, as in the NumPy kernel.
        """
        key = ("flat", np.dtype(dtype).str)
        with self._lock:
            flat = self._cast.get(key)
            if flat is not None:
                return flat
        L, half = self.length, self.length // 2
        groups = self._tables(dtype)
        src_full = np.concatenate([g["src"] for g in groups])
        kinds = np.concatenate([np.repeat(self.bands.kind[g["idx"]], g["sizes"]) for g in groups])
        if self.real:
            src = np.where(src_full <= half, src_full, L - src_full)
            conj = (src_full > half).astype(np.uint8)
            mirror = (L - src_full) % L
            t1 = np.where(src_full <= half, src_full, -1)
            t2 = np.where(mirror <= half, mirror, -1)
            weight = np.where(kinds == "band", 1.0, 0.5)
        else:
            src, conj, t1 = src_full, np.zeros(src_full.shape, np.uint8), src_full
            t2 = np.full(src_full.shape, -1)
            weight = np.ones(src_full.shape)
        flat = dict(
            grp_M=np.array([g["M"] for g in groups], np.int64),
            grp_band=np.concatenate([[0], np.cumsum([g["n"] for g in groups])]).astype(np.int64),
            grp_item=np.concatenate([[0], np.cumsum([len(g["src"]) for g in groups])]
                                    ).astype(np.int64),
            src=np.ascontiguousarray(src, np.int64),
            conj=np.ascontiguousarray(conj),
            dst=np.concatenate([g["dst"] for g in groups]).astype(np.int64),
            w=np.concatenate([g["w"] for g in groups]).astype(dtype),
            t1=np.ascontiguousarray(t1, np.int64),
            t2=np.ascontiguousarray(t2, np.int64),
            dual=(np.concatenate([g["dual"] for g in groups]).astype(np.float64) * weight
                  ).astype(dtype),
            offset=np.concatenate([g["offsets"] for g in groups]).astype(np.int64),
        )
        with self._lock:
            self._cast[key] = flat
        return flat

    def _same_windows(self, other: NSGT) -> bool:
        """Same length, kind, supports, window values and centre bins (M may differ)."""
        return (other.length == self.length and other.real == self.real
                and len(other.bands) == len(self.bands)
                and all(np.array_equal(a, b) for a, b in zip(other._supports, self._supports, strict=False))
                and all(np.array_equal(a, b) for a, b in zip(other._values, self._values, strict=False))
                and np.array_equal(other._centre_bins, self._centre_bins))

    def _kernel(self, backend: str):
        with self._lock:
            kern = self._kernels.get(backend)
            if kern is None:
                kern = self._kernels[backend] = _backend.kernels(backend, "_nsgt").NsgtKernel(self)
        return kern

    # ---- transforms ------------------------------------------------------------------------
    def _input(self, y) -> np.ndarray:
        y = _validation.signal("y", y, min_length=1, allow_complex=not self.real)
        if self.real and np.iscomplexobj(y):
            raise ParameterError("y is complex but the plan is real; use NSGT(..., real=False)")
        n = y.shape[-1]
        if n != self.length:
            if not self.pad or n > self.length:
                raise ParameterError(
                    f"y has {n} samples but the plan was made for length={self.length}"
                    + ("" if self.pad else " (use pad=True to zero-pad shorter signals)")
                )
            padded = np.zeros(y.shape[:-1] + (self.length,), y.dtype)
            padded[..., :n] = y
            y = padded
        if not self.real and not np.iscomplexobj(y):  # every backend takes complex input here
            y = y.astype(_validation.complex_dtype_for(y.dtype))
        return y

    def forward(self, y, *, out=None, workers=None, backend=None) -> NSGTCoefficients:
        """Coefficients of ``y[..., L]`` (float32 -> complex64, float64 -> complex128).

        ``out``: a C-contiguous complex array ``(..., total)`` to write into (no allocation).
        """
        y = self._input(y)
        cdt = _validation.complex_dtype_for(_validation.real_dtype_for(y.dtype))
        shape = y.shape[:-1] + (self.total,)
        out = (np.empty(shape, cdt) if out is None
               else _validation.out_array("out", out, shape, np.dtype(cdt)))
        y2 = y.reshape(-1, self.length)
        n_threads = _backend.resolve_workers(workers)
        self._kernel(_backend.resolve_backend(backend)).forward(
            y2, out.reshape(-1, self.total), n_threads)
        return NSGTCoefficients(self, out)

    def inverse(self, coefs, *, length: int | None = None, workers=None,
                backend=None) -> np.ndarray:
        """Reconstruction through the canonical dual windows (exact for this painless frame)."""
        data = coefs.data if isinstance(coefs, NSGTCoefficients) else coefs
        if isinstance(coefs, NSGTCoefficients) and coefs.plan is not self and not (
                self._same_windows(coefs.plan)
                and np.array_equal(coefs.plan.bands.M, self.bands.M)
                and np.array_equal(coefs.plan.bands.offset, self.bands.offset)):
            raise ParameterError(
                "coefs belong to a plan with other windows or another layout; use convert() "
                "for a plan with the same windows"
            )
        if not isinstance(data, np.ndarray) or data.dtype not in (np.complex64, np.complex128):
            raise ParameterError("coefs must be NSGTCoefficients or a complex64/complex128 array")
        if data.shape[-1] != self.total:
            raise ParameterError(
                f"coefs have {data.shape[-1]} values per signal; this plan has {self.total}"
            )
        if not _validation.all_finite(data):
            raise ParameterError("coefs contain NaN or Inf values")
        rdt = _validation.real_dtype_for(data.dtype)
        odt = rdt if self.real else data.dtype
        out = np.empty(data.shape[:-1] + (self.length,), odt)
        n_threads = _backend.resolve_workers(workers)
        self._kernel(_backend.resolve_backend(backend)).inverse(
            np.ascontiguousarray(data).reshape(-1, self.total), out.reshape(-1, self.length),
            n_threads)
        if length is not None:
            out = out[..., :_validation.positive_int("length", length, maximum=self.length)]
        return out

    __call__ = forward

    def convert(self, coefs: NSGTCoefficients, *, workers=None,
                backend=None) -> NSGTCoefficients:
        """Coefficients of another plan with the same windows, in this plan's layout (exact).

        Each band is resampled in frequency (FFT to its window bins, inverse FFT at the new M),
        which is exact for painless frames.  The plans must share length, sr and scale design.
        """
        src = coefs.plan
        if not self._same_windows(src):
            raise ParameterError("the plans differ in their windows: conversion is not exact")
        data = coefs.data
        out = np.empty(data.shape[:-1] + (self.total,), data.dtype)
        for k in range(len(self.bands)):
            Ms, Md = src.bands.M[k], self.bands.M[k]
            s = self._supports[k] - self._centre_bins[k]
            spec = np.fft.fft(coefs.band(k), axis=-1)
            buf = np.zeros(data.shape[:-1] + (Md,), data.dtype)
            buf[..., s % Md] = spec[..., s % Ms]
            ob = self.bands.offset[k]
            out[..., ob:ob + Md] = np.fft.ifft(buf, axis=-1) * (Md / Ms)
        return NSGTCoefficients(self, out)


# ---------------------------------------------------------------------------------------------
# sliced / streaming NSGT
# ---------------------------------------------------------------------------------------------
def slicing_window(slice_length: int, transition: int) -> np.ndarray:
    """The slicing window of THEORY.md section 4: 0 on the outer quarters, 1 in the middle half,
    Hann flanks of ``transition`` samples centred at ``s/4`` and ``3s/4``.

    Shifted by ``s/2`` the windows sum to one exactly: the falling flank is computed as one minus
    the rising flank at the same absolute sample.
    """
    s, tr = slice_length, transition
    u = (np.arange(tr) + 0.5) / tr
    rise = np.sin(0.5 * np.pi * u) ** 2
    phi = np.zeros(s)
    a = s // 4 - tr // 2
    phi[a:a + tr] = rise
    phi[a + tr:a + tr + s // 2 - tr] = 1.0
    phi[a + s // 2:a + s // 2 + tr] = 1.0 - rise
    return phi


class SlicedCoefficients:
    """Coefficients of a sliced NSGT: ``data`` of shape ``(..., n_slices, total)``.

    Slice ``i`` covers samples ``[start[i], start[i] + slice_length)`` of the signal; its
    coefficients are those of the slice's own (painless) NSGT, in the inner plan's layout.
    """

    def __init__(self, plan: SlicedNSGT, data: np.ndarray, first_slice: int = 0,
                 stream_length: int | None = None):
        self.plan = plan
        self.data = data
        self.first_slice = first_slice
        #: set on the last block of a stream (from ``flush``): the number of samples streamed
        self.stream_length = stream_length

    def __repr__(self) -> str:
        return (f"SlicedCoefficients(slices={self.n_slices}, first_slice={self.first_slice}, "
                f"shape={self.data.shape}, dtype={self.data.dtype})")

    @property
    def n_slices(self) -> int:
        return self.data.shape[-2]

    def slice(self, i: int) -> NSGTCoefficients:
        return NSGTCoefficients(self.plan.inner, self.data[..., i, :])

    def assemble(self) -> list[np.ndarray]:
        """The coefficient re-arrangement: one continuous stream per band.

        Slice ``i``'s ``M_k`` coefficients (time origin at the slice start, hop ``a_k``) are
        overlap-added at position ``i M_k / 2`` of band k's stream.  The demodulation phase of
        a slice is relative to its start, which moves by ``s/2`` per slice: slice ``i`` is
        multiplied by ``(-1)^(i j_k)`` (``j_k`` the band's centre bin) so that a stationary
        component adds up coherently across slices.
        """
        inner = self.plan.inner
        out = []
        n = self.n_slices
        lead = self.data.shape[:-2]
        for k in range(len(inner.bands)):
            M = int(inner.bands.M[k])
            h = M // 2
            stream = np.zeros(lead + ((n + 1) * h,), self.data.dtype)
            jk = int(inner._centre_bins[k])
            block = self.data[..., :, inner.bands.offset[k]:inner.bands.offset[k] + M]
            for i in range(n):
                sign = -1.0 if (((self.first_slice + i) * jk) % 2) else 1.0
                stream[..., i * h:i * h + M] += sign * block[..., i, :]
            out.append(stream)
        return out


class SlicedNSGT:
    """Sliced NSGT (sliCQ) for signals of any length, whole or streamed block by block.

    The signal is cut into slices of ``slice_length`` samples every ``slice_length / 2`` samples,
    each multiplied by :func:`slicing_window` (the windows sum to one), and each slice gets a
    painless NSGT of length ``slice_length`` (any ``NSGT`` scale parameters).  The inverse is the
    per-slice inverse plus overlap-add, so reconstruction is exact.  Slice ``i`` starts at sample
    ``i * slice_length / 2 - slice_length / 2`` (zeros before the signal).

    Streaming: :meth:`process` takes blocks of any size and returns the coefficients of the
    slices that became complete; :meth:`flush` ends the stream.  :meth:`inverse_stream` returns
    the matching push-style inverse.  Memory is bounded by a few slices, whatever the length.

    Parameters
    ----------
    slice_length : int
        Samples per slice, a multiple of 4.
    transition : int, optional
        Width of the window's flanks, ``1 <= transition <= slice_length / 2`` (default s/4).
    sr : float
        Sampling rate.
    **params
        Scale parameters of :class:`NSGT` (``scale``, ``fmin``, ``fmax``, ``n_bins``, ...) and its
        ``layout``.  The inner plan's ``M_k`` are multiples of 4 (so ``M_k / 2`` coefficients
        per slice hop in :meth:`SlicedCoefficients.assemble`).
    """

    def __init__(self, *, slice_length: int = 2**15, transition: int | None = None,
                 sr: float, chunk_slices: int = 16, **params):
        s = _validation.positive_int("slice_length", slice_length, minimum=16)
        if s % 4:
            raise ParameterError(f"slice_length={s} must be a multiple of 4")
        tr = s // 4 if transition is None else transition
        tr = _validation.positive_int("transition", tr, maximum=s // 2)
        self.slice_length, self.transition = s, tr
        self.hop = s // 2
        if "length" in params or "M" in params or "pad" in params:
            raise ParameterError("length, M and pad are set by the sliced transform itself")
        probe = NSGT(length=s, sr=sr, **params)
        M = 4 * np.array([_fast_len(-(-int(m) // 4)) for m in probe.bands.M])
        self.inner = NSGT(length=s, sr=sr, M=M, **params)
        self.window = slicing_window(s, tr)
        self.chunk_slices = _validation.positive_int("chunk_slices", chunk_slices)
        self.reset()

    def __repr__(self) -> str:
        return (f"SlicedNSGT(slice_length={self.slice_length}, transition={self.transition}, "
                f"inner={self.inner!r})")

    @property
    def latency(self) -> int:
        """Samples that must follow sample t before every coefficient depending on it is out."""
        return 3 * self.slice_length // 4 + self.transition // 2 + self.transition % 2

    def slice_start(self, i) -> np.ndarray:
        return np.asarray(i) * self.hop - self.hop

    def n_slices(self, length: int) -> int:
        """Slices needed so that the windows sum to one on every sample ``0 <= t < length``."""
        s, tr = self.slice_length, self.transition
        # the last slice's flat part must reach past the end: start + 3s/4 - tr/2 >= length
        need = length + self.hop - (3 * s // 4 - tr // 2)
        return max(1, -(-need // self.hop) + 1)

    # ---- whole signals ---------------------------------------------------------------------
    def _analyse(self, segments: np.ndarray, workers, backend) -> np.ndarray:
        segments = segments * self.window.astype(segments.dtype)
        return self.inner.forward(segments, workers=workers, backend=backend).data

    def forward(self, y, *, workers=None, backend=None) -> SlicedCoefficients:
        """Per-slice coefficients of ``y[..., L]``, shape ``(..., n_slices, total)``."""
        y = _validation.signal("y", y, min_length=1, allow_complex=not self.inner.real)
        L = y.shape[-1]
        n = self.n_slices(L)
        s, h = self.slice_length, self.hop
        cdt = _validation.complex_dtype_for(_validation.real_dtype_for(y.dtype))
        out = np.empty(y.shape[:-1] + (n, self.inner.total), cdt)
        for i0 in range(0, n, self.chunk_slices):  # a few slices at a time: bounded memory
            i1 = min(n, i0 + self.chunk_slices)
            a, b = i0 * h, (i1 + 1) * h  # in padded coordinates (signal starts at h)
            seg = np.zeros(y.shape[:-1] + (b - a,), y.dtype)
            lo, hi = max(a, h), min(b, h + L)
            if hi > lo:
                seg[..., lo - a:hi - a] = y[..., lo - h:hi - h]
            frames = np.lib.stride_tricks.sliding_window_view(seg, s, axis=-1)[..., ::h, :]
            out[..., i0:i1, :] = self._analyse(frames[..., :i1 - i0, :], workers, backend)
        return SlicedCoefficients(self, out)

    def inverse(self, coefs: SlicedCoefficients, *, length: int, workers=None,
                backend=None) -> np.ndarray:
        """Exact reconstruction: per-slice inverse NSGT and overlap-add, cropped to ``length``."""
        data = coefs.data if isinstance(coefs, SlicedCoefficients) else coefs
        length = _validation.positive_int("length", length)
        n = data.shape[-2]
        h, s = self.hop, self.slice_length
        if n < self.n_slices(length):
            raise ParameterError(
                f"{n} slices cannot reconstruct {length} samples (needs {self.n_slices(length)})"
            )
        rdt = _validation.real_dtype_for(data.dtype)
        odt = rdt if self.inner.real else data.dtype
        acc = np.zeros(data.shape[:-2] + ((n + 1) * h,), odt)
        for i0 in range(0, n, self.chunk_slices):
            i1 = min(n, i0 + self.chunk_slices)
            seg = self.inner.inverse(np.ascontiguousarray(data[..., i0:i1, :]), workers=workers,
                                     backend=backend)
            for i in range(i1 - i0):
                a = (i0 + i) * h
                acc[..., a:a + s] += seg[..., i, :]
        return acc[..., h:h + length]

    # ---- streaming -------------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new stream."""
        self._buf = None  # samples from the start of the next slice on
        self._next = 0  # index of the next slice
        self._received = 0

    def process(self, block, *, workers=None, backend=None) -> SlicedCoefficients:
        """Push samples ``block[..., n]``; return the coefficients of the slices now complete.

        The result's ``first_slice`` is the index of its first slice in the stream.
        """
        block = _validation.signal("block", block, min_length=0,
                                   allow_complex=not self.inner.real) if np.size(block) else \
            np.asarray(block)
        if self._buf is None:
            dt = block.dtype if block.dtype.kind in "fc" else np.float64
            self._buf = np.zeros(block.shape[:-1] + (self.hop,), dt)  # zeros before the signal
        elif block.shape[:-1] != self._buf.shape[:-1]:
            raise ParameterError(
                f"block has leading shape {block.shape[:-1]}; the stream has "
                f"{self._buf.shape[:-1]}"
            )
        if block.shape[-1]:
            self._buf = np.concatenate([self._buf, block.astype(self._buf.dtype)], axis=-1)
            self._received += block.shape[-1]
        return self._emit(workers, backend, final=False)

    def flush(self, *, workers=None, backend=None) -> SlicedCoefficients:
        """End the stream: zero-pad and return the remaining slices."""
        if self._buf is None:
            raise ParameterError("flush() before any process(): the stream is empty")
        total = self.n_slices(max(self._received, 1))
        missing = (total + 1) * self.hop - (self._next * self.hop + self._buf.shape[-1])
        if missing > 0:
            pad = np.zeros(self._buf.shape[:-1] + (missing,), self._buf.dtype)
            self._buf = np.concatenate([self._buf, pad], axis=-1)
        res = self._emit(workers, backend, final=True, limit=total)
        res.stream_length = self._received
        self.reset()
        return res

    def _emit(self, workers, backend, *, final, limit=None) -> SlicedCoefficients:
        s, h = self.slice_length, self.hop
        ready = (self._buf.shape[-1] - s) // h + 1 if self._buf.shape[-1] >= s else 0
        if limit is not None:
            ready = min(ready, limit - self._next)
        first = self._next
        cdt = _validation.complex_dtype_for(_validation.real_dtype_for(self._buf.dtype))
        out = np.empty(self._buf.shape[:-1] + (max(ready, 0), self.inner.total), cdt)
        if ready > 0:
            frames = np.lib.stride_tricks.sliding_window_view(self._buf, s, axis=-1)[..., ::h, :]
            for i0 in range(0, ready, self.chunk_slices):
                i1 = min(ready, i0 + self.chunk_slices)
                out[..., i0:i1, :] = self._analyse(frames[..., i0:i1, :], workers, backend)
            self._buf = self._buf[..., ready * h:].copy()
            self._next += ready
        return SlicedCoefficients(self, out, first_slice=first)

    def inverse_stream(self) -> SlicedInverse:
        """A push-style inverse for the coefficients of :meth:`process` / :meth:`flush`."""
        return SlicedInverse(self)


class SlicedInverse:
    """Push-style inverse of :class:`SlicedNSGT`: ``process(coefs)`` returns the samples that no
    later slice can change; ``flush(length)`` returns the rest, cropped to the stream length."""

    def __init__(self, sliced: SlicedNSGT):
        self.sliced = sliced
        self._acc = None
        self._emitted = 0  # samples already returned
        self._next = 0
        self._length = None

    def process(self, coefs: SlicedCoefficients, *, workers=None, backend=None) -> np.ndarray:
        sl = self.sliced
        h, s = sl.hop, sl.slice_length
        n = coefs.n_slices
        if coefs.first_slice != self._next:
            raise ParameterError(
                f"slices must arrive in order: expected slice {self._next}, got "
                f"{coefs.first_slice}"
            )
        if n == 0:
            lead = coefs.data.shape[:-2]
            rdt = _validation.real_dtype_for(coefs.data.dtype)
            return np.zeros(lead + (0,), rdt if sl.inner.real else coefs.data.dtype)
        seg = sl.inner.inverse(np.ascontiguousarray(coefs.data), workers=workers,
                               backend=backend)
        if self._acc is None:
            # padded coordinates: the signal starts at h; acc starts at slice self._next
            self._acc = np.zeros(seg.shape[:-2] + (s,), seg.dtype)
            self._base = 0
        for i in range(n):
            start = (self._next + i) * h - self._base
            need = start + s
            if need > self._acc.shape[-1]:
                grow = np.zeros(self._acc.shape[:-1] + (need - self._acc.shape[-1],),
                                self._acc.dtype)
                self._acc = np.concatenate([self._acc, grow], axis=-1)
            self._acc[..., start:start + s] += seg[..., i, :]
        self._next += n
        # samples before the next slice's first non-zero window value are final
        final_padded = self._next * h + s // 4 - sl.transition // 2
        if coefs.stream_length is not None:  # the last block: nothing follows
            self._length = coefs.stream_length
            final_padded = h + coefs.stream_length
        return self._release(final_padded)

    def _release(self, final_padded: int) -> np.ndarray:
        h = self.sliced.hop
        lo = h + self._emitted  # padded coordinate of the next sample to return
        hi = max(lo, final_padded)
        out = self._acc[..., lo - self._base:hi - self._base].copy()
        self._emitted += hi - lo
        # drop what is returned, but keep everything from the next slice's start on
        keep_from = min(hi, self._next * h)
        self._acc = self._acc[..., keep_from - self._base:].copy()
        self._base = keep_from
        return out

    def flush(self, *, length: int | None = None) -> np.ndarray:
        """Return the remaining samples up to ``length`` samples in all (default: the stream
        length carried by the last block of :meth:`SlicedNSGT.flush`), and start over."""
        if length is None:
            length = self._length
        if length is None:
            raise ParameterError("flush() needs length= when the stream's last block has not "
                                 "arrived")
        length = _validation.positive_int("length", length)
        h = self.sliced.hop
        if self._acc is None:
            raise ParameterError("flush() before any process(): nothing to reconstruct")
        out = self._release(max(h + length, h + self._emitted))
        self.__init__(self.sliced)
        return out
