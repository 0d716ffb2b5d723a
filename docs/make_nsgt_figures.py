"""Draw the figures of the NSGT page (docs/nsgt.rst) into docs/_static/nsgt_*.png.

Run from anywhere after installing gaborcore and matplotlib::

    python docs/make_nsgt_figures.py

One test signal (2.5 s at 22050 Hz: an exponential chirp, three tones, three clicks) and one
constant-Q plan of 48 bands (a DC band, 46 bands from 55 Hz at 6 per octave, a Nyquist band) in
each layout.  The PNG files are committed; run this again when the NSGT design changes.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from PIL import Image

import gaborcore

STATIC = Path(__file__).resolve().parent / "_static"

SR = 22050
DURATION = 2.5
L = int(SR * DURATION)
SCALE = dict(sr=SR, fmin=55.0, n_bins=46, bins_per_octave=6)  # + DC + Nyquist = 48 bands
SLICE = 8192
PIXELS = 560  # time columns of the coefficient images
DB_RANGE = 70.0
CMAP = "magma"


def test_signal() -> np.ndarray:
    """Chirp 80 Hz -> 6 kHz (0.2-2.3 s); tones 220, 1320, 3520 Hz; clicks at 0.6, 1.25, 1.9 s."""
    t = np.arange(L) / SR
    y = np.zeros(L)
    t0, t1, f0, f1 = 0.2, 2.3, 80.0, 6000.0
    inside = (t >= t0) & (t < t1)
    k = np.log(f1 / f0) / (t1 - t0)
    phase = 2 * np.pi * f0 * (np.exp(k * (t - t0)) - 1) / k
    y[inside] += 0.5 * np.sin(phase[inside]) * np.hanning(inside.sum())
    for f, a, b in ((220.0, 0.0, DURATION), (1320.0, 0.4, 1.1), (3520.0, 1.4, 2.4)):
        on = (t >= a) & (t < b)
        y[on] += 0.25 * np.sin(2 * np.pi * f * t[on]) * np.hanning(on.sum())
    for tc in (0.6, 1.25, 1.9):
        n = int(tc * SR)
        y[n:n + 8] += np.hanning(8)
    return y


def to_db(mag: np.ndarray, ref: float) -> np.ndarray:
    return 20 * np.log10(np.maximum(mag, ref * 10 ** (-DB_RANGE / 20)) / ref)


def row_on_pixels(c: np.ndarray, length: int, pixels: int = PIXELS) -> np.ndarray:
    """|c| of one band (M coefficients, hop length / M) drawn on ``pixels`` time columns.

    A column shows the largest coefficient whose sample time falls inside it, or, where the hop
    is longer than a column, the coefficient whose cell covers the column's centre: coarse bands
    appear as blocks one hop wide, and a click is never lost between two columns.
    """
    mag = np.abs(c)
    M = mag.shape[-1]
    hop = length / M
    edges = np.linspace(0.0, length, pixels + 1)
    lo = np.ceil(edges[:-1] / hop).astype(int)
    hi = np.ceil(edges[1:] / hop).astype(int)
    nearest = np.round((edges[:-1] + edges[1:]) / 2 / hop).astype(int) % M
    out = mag[nearest]
    for j in np.flatnonzero((hi > lo) & (lo < M)):
        out[j] = mag[lo[j]:min(hi[j], M)].max()
    return out


def band_label(hz: float) -> str:
    return f"{hz / 1000:.1f}k" if hz >= 1000 else f"{hz:.0f}"


def style_time_axis(ax, length: int = L) -> None:
    ax.set_xlim(0.0, length / SR)
    ax.set_xlabel("time (s)")


def ragged_figure(plan: gaborcore.NSGT, coefs: gaborcore.NSGTCoefficients, path: Path) -> None:
    """Ragged layout: one row per band (frequency order), M_k coefficients stretched to time."""
    t = plan.bands
    rows = [row_on_pixels(b, plan.length) for b in coefs.bands()]
    ref = max(r.max() for r in rows)
    image = to_db(np.array(rows), ref)
    fig = Figure(figsize=(8.0, 5.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    im = ax.imshow(image, origin="lower", aspect="auto", cmap=CMAP, interpolation="nearest",
                   extent=(0.0, plan.length / SR, -0.5, len(t) - 0.5), vmin=-DB_RANGE, vmax=0)
    ticks = list(range(0, len(t), 6)) + [len(t) - 1]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{band_label(t.centre_hz[k])} Hz" if t.kind[k] == "band" else
                        t.kind[k].upper() for k in ticks], fontsize=8)
    right = ax.secondary_yaxis("right")
    right.set_yticks(ticks)
    right.set_yticklabels([f"M={t.M[k]}" for k in ticks], fontsize=8)
    ax.set_ylabel("band (centre frequency)")
    style_time_axis(ax, plan.length)
    ax.set_title(f"ragged layout: {len(t)} bands in frequency order, band k has M_k "
                 f"coefficients at hop a_k = L/M_k\n(from {1e3 * t.hop_seconds[1]:.0f} ms at "
                 f"55 Hz down to {1e3 * t.hop_seconds[-2]:.2f} ms at 10 kHz); "
                 f"redundancy {plan.redundancy:.2f}", fontsize=9, loc="left")
    fig.colorbar(im, ax=ax, label="dB", pad=0.09, shrink=0.9)
    save_png(fig, path)


def group_image(coefs: gaborcore.NSGTCoefficients, length: int):
    """Rows in storage order, grouped: (image, [(first row, n, M, band indices)], ref)."""
    rows, groups = [], []
    for M, idx, view in coefs.buckets():
        groups.append((len(rows), len(idx), M, idx))
        rows.extend(row_on_pixels(r, length) for r in view)
    return np.array(rows), groups


def groups_figure(plans: dict, coefs: dict, path: Path) -> None:
    """Piecewise groups (one image per power of two), and the buffer of every layout."""
    pw = plans["piecewise"]
    image, groups = group_image(coefs["piecewise"], pw.length)
    ref = image.max()
    fig = Figure(figsize=(8.0, 6.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax, bar = fig.subplots(2, 1, height_ratios=(3.2, 1.0))
    im = ax.imshow(to_db(image, ref), origin="lower", aspect="auto", cmap=CMAP,
                   interpolation="nearest", vmin=-DB_RANGE, vmax=0,
                   extent=(0.0, pw.length / SR, -0.5, len(image) - 0.5))
    t = pw.bands
    for first, n, M, idx in groups:
        if first:
            ax.axhline(first - 0.5, color="white", linewidth=1.2)
        scale = [band_label(t.centre_hz[k]) for k in idx if t.kind[k] == "band"]
        extra = [str(t.kind[k]).upper() for k in idx if t.kind[k] != "band"]
        label = (f"{scale[0]}-{scale[-1]} Hz" if len(scale) > 1 else
                 f"{scale[0]} Hz" if scale else "")
        label = " + ".join(([label] if label else []) + extra)
        ax.text(1.01, (first + first + n - 1) / (2 * len(image)) + 0.5 / len(image),
                f"M={M}: {n} band{'s' if n > 1 else ''}\nhop {1e3 * pw.length / M / SR:.1f} ms",
                transform=ax.transAxes, fontsize=7, va="center")
        ax.text(0.005, (first + n / 2) / len(image), label, transform=ax.transAxes,
                fontsize=7, va="center", color="white")
    ax.set_yticks([])
    ax.set_ylabel("bands, grouped by M (storage order)")
    style_time_axis(ax, pw.length)
    ax.set_title("piecewise layout: M_k rounded up to powers of two; each group is one "
                 f"(n, M) array of buckets(); redundancy {pw.redundancy:.2f}",
                 fontsize=9, loc="left")
    fig.colorbar(im, ax=ax, label="dB", pad=0.12, shrink=0.9)

    # the contiguous buffer of every layout, bands coloured by group
    names = ("ragged", "bucketed", "piecewise", "full")
    palette = ListedColormap(["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"])
    for row, name in enumerate(names):
        p = plans[name]
        group_of = np.empty(len(p.bands), int)
        for g, (_, idx, _) in enumerate(p.design.groups):
            group_of[idx] = g
        for k in range(len(p.bands)):
            x0 = p.bands.offset[k] / p.length
            colour = palette(group_of[k] % 6) if name != "ragged" else palette(k % 2)
            bar.barh(row, p.bands.M[k] / p.length, left=x0, height=0.7, color=colour,
                     edgecolor="white", linewidth=0.3)
        n_groups = len(p.design.groups)
        bar.text(p.total / p.length + 0.04, row, f"{p.total} coefficients = "
                 f"{p.redundancy:.2f} L" + (f", {n_groups} groups" if name != "ragged" else ""),
                 va="center", fontsize=8)
    bar.set_yticks(range(len(names)))
    bar.set_yticklabels(names, fontsize=8)
    bar.invert_yaxis()
    bar.set_xlim(0.0, 6.5)
    bar.set_xlabel("position in the coefficient buffer (in units of the signal length L)")
    bar.set_title("the contiguous buffer (coefs.data): one segment per band, coloured by group",
                  fontsize=9, loc="left")
    save_png(fig, path)


def full_figure(plan: gaborcore.NSGT, coefs: gaborcore.NSGTCoefficients, path: Path) -> None:
    """Full layout: the (46, M) matrix of the scale bands; DC and Nyquist stored apart."""
    mat = np.abs(coefs.matrix())
    ref = max(mat.max(), np.abs(coefs.dc).max(), np.abs(coefs.nyquist).max())
    t = plan.bands
    scale_idx = np.flatnonzero(t.kind == "band")
    fig = Figure(figsize=(8.0, 5.6), layout="constrained")
    FigureCanvasAgg(fig)
    ax, ax2 = fig.subplots(2, 1, height_ratios=(4.0, 1.0), sharex=True)
    # the matrix has one time grid: draw it as it is (M columns), no resampling
    im = ax.imshow(to_db(mat, ref), origin="lower", aspect="auto", cmap=CMAP,
                   interpolation="antialiased", vmin=-DB_RANGE, vmax=0,
                   extent=(0.0, plan.length / SR, -0.5, len(scale_idx) - 0.5))
    ticks = list(range(0, len(scale_idx), 5)) + [len(scale_idx) - 1]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{band_label(t.centre_hz[scale_idx[r]])} Hz" for r in ticks],
                       fontsize=8)
    M = coefs.matrix().shape[-1]
    ax.set_ylabel("row of matrix()")
    ax.set_title(f"full layout: coefs.matrix() is ({len(scale_idx)}, {M}), one hop "
                 f"{1e3 * plan.length / M / SR:.2f} ms for every scale band; "
                 f"redundancy {plan.redundancy:.2f}", fontsize=9, loc="left")
    fig.colorbar(im, ax=[ax, ax2], label="dB", shrink=0.9)
    rows = [row_on_pixels(coefs.dc, plan.length), row_on_pixels(coefs.nyquist, plan.length)]
    ax2.imshow(to_db(np.array(rows), ref), origin="lower", aspect="auto", cmap=CMAP,
               interpolation="nearest", vmin=-DB_RANGE, vmax=0,
               extent=(0.0, plan.length / SR, -0.5, 1.5))
    ax2.set_yticks([0, 1])
    ax2.set_yticklabels([f"DC (M={coefs.dc.shape[-1]})",
                         f"Nyquist (M={coefs.nyquist.shape[-1]})"], fontsize=8)
    ax2.set_title("coefs.dc and coefs.nyquist keep their own M (stored after the matrix)",
                  fontsize=9, loc="left")
    style_time_axis(ax2, plan.length)
    save_png(fig, path)


def hops_figure(plans: dict, sliced: gaborcore.SlicedNSGT, path: Path) -> None:
    """Per-band hop a_k (ms) against centre frequency for each layout."""
    fig = Figure(figsize=(8.0, 4.4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    markers = {"ragged": ("o", "#1f77b4"), "piecewise": ("s", "#2ca02c"),
               "full": ("^", "#d62728")}
    for name, (marker, colour) in markers.items():
        t = plans[name].bands
        keep = t.kind != "dc"
        label = {"ragged": "ragged / bucketed (M_k = fast length >= W_k)",
                 "piecewise": "piecewise (M_k = power of two)",
                 "full": "full (one M for the scale bands)"}[name]
        ax.plot(t.centre_hz[keep], 1e3 * t.hop_seconds[keep], marker=marker, color=colour,
                linestyle="-" if name == "ragged" else "none", markersize=4, linewidth=0.8,
                label=label, markerfacecolor="none" if name != "ragged" else colour)
    t = sliced.inner.bands
    keep = t.kind != "dc"
    ax.plot(t.centre_hz[keep], 1e3 * t.hop_seconds[keep], marker="x", color="#7f7f7f",
            linestyle="none", markersize=4,
            label=f"sliced, s={sliced.slice_length} (M_k multiples of 4)")
    f = plans["ragged"].bands.centre_hz[plans["ragged"].bands.kind == "band"]
    q_inv = 2 ** (1 / 6) - 2 ** (-1 / 6)
    ax.plot(f, 1e3 / (f * q_inv), color="black", linewidth=0.8, linestyle=":",
            label="1 / bandwidth = Q / f (constant Q)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("centre frequency (Hz); the rightmost point of each layout is the Nyquist band")
    ax.set_ylabel("hop a_k = L / M_k (ms)")
    ax.grid(True, which="both", linewidth=0.3, alpha=0.5)
    ax.legend(fontsize=8, loc="lower left")
    dc = plans["ragged"].bands
    ax.set_title(f"per-band hop, 46 constant-Q bands from 55 Hz, 6 per octave, sr={SR}, "
                 f"L={L} (the DC band, not drawn: {1e3 * dc.hop_seconds[0]:.1f} ms)",
                 fontsize=9, loc="left")
    save_png(fig, path)


def sliced_figure(sliced: gaborcore.SlicedNSGT, y: np.ndarray, path: Path) -> None:
    """Slicing windows summing to one, and the assembled per-band streams of the sliced NSGT."""
    s, h = sliced.slice_length, sliced.hop
    coefs = sliced.forward(y)
    streams = coefs.assemble()
    fig = Figure(figsize=(8.0, 6.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax, ax2 = fig.subplots(2, 1, height_ratios=(1.3, 3.0), sharex=True)
    total = np.zeros(len(y))
    for i in range(coefs.n_slices):
        start = sliced.slice_start(i)
        x = np.arange(start, start + s)
        keep = (x >= 0) & (x < len(y))
        w = sliced.window[keep]
        total[x[keep]] += w
        ax.plot(x[keep] / SR, w, linewidth=0.9, color=("#1f77b4", "#ff7f0e")[i % 2])
    ax.plot(np.arange(len(y)) / SR, total, color="black", linewidth=1.0, linestyle="--",
            label="sum of the windows")
    ax.set_ylim(-0.05, 1.15)
    ax.legend(fontsize=8, loc="lower center")
    ax.set_title(f"slicing windows: s={s} samples every s/2={h}, transition {sliced.transition}; "
                 f"{coefs.n_slices} slices, latency {sliced.latency} samples "
                 f"({1e3 * sliced.latency / SR:.0f} ms)", fontsize=9, loc="left")
    # stream k: slice i's M_k coefficients at position i M_k / 2, and slice 0 starts at -s/2
    rows = []
    for k, st in enumerate(streams):
        M = int(sliced.inner.bands.M[k])
        hop = s / M
        offset = int(round(h / hop))  # stream position of the signal's first sample
        n = int(np.ceil(len(y) / hop))
        rows.append(row_on_pixels(st[offset:offset + n], n * hop))
    ref = max(r.max() for r in rows)
    t = sliced.inner.bands
    im = ax2.imshow(to_db(np.array(rows), ref), origin="lower", aspect="auto", cmap=CMAP,
                    interpolation="nearest", vmin=-DB_RANGE, vmax=0,
                    extent=(0.0, len(y) / SR, -0.5, len(rows) - 0.5))
    ticks = list(range(0, len(rows), 6)) + [len(rows) - 1]
    ax2.set_yticks(ticks)
    ax2.set_yticklabels([f"{band_label(t.centre_hz[k])} Hz" if t.kind[k] == "band" else
                         t.kind[k].upper() for k in ticks], fontsize=8)
    ax2.set_title("SlicedCoefficients.assemble(): one continuous stream per band "
                  "(hop s/M_k)", fontsize=9, loc="left")
    fig.colorbar(im, ax=ax2, label="dB", shrink=0.9)
    style_time_axis(ax2, len(y))
    save_png(fig, path)


def band_lengths_figure(path: Path) -> None:
    """M_k / W_k - 1 per band for each band_lengths rule, and the FFT time per coefficient."""
    import time

    import scipy.fft

    fig = Figure(figsize=(9, 3.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for rule, marker in (("smooth", "o"), ("fast", "s"), ("exact", "^")):
        plan = gaborcore.NSGT(length=L, band_lengths=rule, **SCALE)
        scale = plan.bands.kind == "band"
        hz = plan.bands.centre_hz[scale]
        extra = plan.bands.M[scale] / plan.bands.support[scale] - 1
        ax1.plot(hz, 100 * extra, marker, ms=3, label=f"{rule} (redundancy "
                 f"{plan.redundancy:.3f})")
        cost = []
        for m in plan.bands.M[scale]:
            x = np.ones((8, int(m)), np.complex128)
            scipy.fft.ifft(x, axis=-1)
            best = np.inf
            for _ in range(7):  # the fastest of 7: the machine may be shared
                t0 = time.perf_counter()
                scipy.fft.ifft(x, axis=-1)
                best = min(best, time.perf_counter() - t0)
            cost.append(best / (8 * m) * 1e9)
        ax2.plot(hz, cost, marker, ms=3, label=rule)
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xlabel("band centre (Hz)")
    ax1.set_ylabel("M_k / W_k - 1 (%)")
    ax2.set_ylabel("FFT time per coefficient (ns)")
    ax2.set_yscale("log")
    ax1.legend(fontsize=8)
    save_png(fig, path, colors=64)


def save_png(fig: Figure, path: Path, *, dpi: int = 80, colors: int = 128) -> None:
    """Save as an optimised palette PNG (a colour map needs more colours than line plots)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    with Image.open(buf) as image:
        image.convert("RGB").quantize(colors=colors).save(path, optimize=True)
    print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


def main() -> None:
    STATIC.mkdir(exist_ok=True)
    y = test_signal()
    plans = {name: gaborcore.NSGT(length=L, layout=name, **SCALE)
             for name in ("ragged", "bucketed", "piecewise", "full")}
    ragged = plans["ragged"].forward(y)
    coefs = {name: plan.convert(ragged) for name, plan in plans.items()}
    for name, plan in plans.items():  # convert() gives the coefficients of forward(), exactly
        direct = plan.forward(y).data
        assert np.allclose(coefs[name].data, direct, rtol=0, atol=1e-9 * np.abs(direct).max())
        assert np.allclose(plan.inverse(coefs[name]), y, atol=1e-10)
    sliced = gaborcore.SlicedNSGT(slice_length=SLICE, **SCALE)
    ragged_figure(plans["ragged"], coefs["ragged"], STATIC / "nsgt_ragged.png")
    groups_figure(plans, coefs, STATIC / "nsgt_groups.png")
    full_figure(plans["full"], coefs["full"], STATIC / "nsgt_full.png")
    hops_figure(plans, sliced, STATIC / "nsgt_hops.png")
    sliced_figure(sliced, y, STATIC / "nsgt_sliced.png")
    band_lengths_figure(STATIC / "nsgt_band_lengths.png")


if __name__ == "__main__":
    main()
