"""Figure 1 of the paper, reproduced (:ref:`theory-figure1`): one first-layer kernel on a long-window
spectrogram and the transferred kernel on a short-window spectrogram give the same output after
convolution, ReLU and max pooling, although the spectrograms themselves differ by about 70 %."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from . import _validation
from .equivalence import correlate2d, lattice_spectrogram, transfer_kernel
from .operators import torus_window
from .windows import get_window

__all__ = ["notes_signal", "Figure1Result", "figure1"]

SR = 22050
LENGTH = 32768
ONSETS = (0.10, 0.40, 0.70, 0.95, 1.20)
PITCHES = (220.0, 329.63, 440.0, 277.18, 587.33)


def notes_signal(*, sr: int = SR, length: int = LENGTH) -> np.ndarray:
    """Five damped harmonic notes (8 partials of amplitude 1/p, decay 0.12 s), unit norm.

    The notes start at 0.10, 0.40, 0.70, 0.95 and 1.20 s, at 220, 329.63, 440, 277.18 and
    587.33 Hz; each partial ``p`` decays as ``exp(-(t - t0) / 0.12 s)``.  Notes that start after
    the end of the signal are left out.

    Parameters
    ----------
    sr : int, default 22050
        Sampling rate, Hz.
    length : int, default 32768
        Number of samples.

    Returns
    -------
    ndarray of float64, shape (length,)
        The signal, of unit L2 norm.

    See Also
    --------
    figure1 : The pipeline that analyses it.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore.figure1 import notes_signal
    >>> f = notes_signal()
    >>> f.shape, round(float(np.linalg.norm(f)), 12)
    ((32768,), 1.0)
    """
    t = np.arange(length) / sr
    f = np.zeros(length)
    for t0, f0 in zip(ONSETS, PITCHES, strict=False):
        env = np.where(t >= t0, np.exp(-(t - t0) / 0.12), 0.0)
        for p in range(1, 9):
            f += env * np.sin(2 * np.pi * p * f0 * (t - t0)) / p
    return f / np.linalg.norm(f)


def _max_pool(x: np.ndarray, k: int) -> np.ndarray:
    n, m = x.shape[0] // k * k, x.shape[1] // k * k
    return x[:n, :m].reshape(n // k, k, m // k, k).max(axis=(1, 3))


@dataclasses.dataclass
class Figure1Result:
    """The numbers of Figure 1, as :func:`figure1` returns them; ``str()`` gives a summary.

    Parameters
    ----------
    spectrogram_difference : float
        ``||S_g - S_h|| / ||S_g||``: how much the two spectrograms differ (relative L2).
    conv_difference : float
        Relative L2 difference of the two outputs after the correlation with ``w_g`` and
        ``w_h``.
    pooled_difference : float
        Relative L2 difference after ReLU and max pooling.
    max_error : float
        ``max |S_g f * w_g - S_h f * w_h|``.
    bound : float
        The guaranteed bound on that error for ``||f|| = 1`` (:class:`TransferResult`'s
        ``bound``).
    residual : float
        The transfer's relative residual.
    png : pathlib.Path or None
        The figure written, or None.

    See Also
    --------
    figure1 : Computes it.
    gaborcore.equivalence.TransferResult : The transfer's guarantees.

    Examples
    --------
    >>> from gaborcore.figure1 import Figure1Result
    >>> r = Figure1Result(0.724, 2.37e-4, 1.99e-4, 3.87e-5, 1.79e-2, 3.5e-3, None)
    >>> print(r)
    spectrograms differ by 72.4% (relative L2)
    after correlation:       relative L2 difference 2.37e-04
    after ReLU + 4x4 pooling: relative L2 difference 1.99e-04
    max error 3.870e-05 <= guaranteed bound 1.790e-02
    """

    spectrogram_difference: float  # ||S_g - S_h|| / ||S_g||
    conv_difference: float  # relative L2 difference after the correlation
    pooled_difference: float  # relative L2 difference after ReLU and max pooling
    max_error: float  # max |S_g f * w_g - S_h f * w_h|
    bound: float  # guaranteed bound for ||f|| = 1
    residual: float
    png: Path | None

    def __str__(self) -> str:
        return (f"spectrograms differ by {self.spectrogram_difference:.1%} (relative L2)\n"
                f"after correlation:       relative L2 difference {self.conv_difference:.2e}\n"
                f"after ReLU + 4x4 pooling: relative L2 difference {self.pooled_difference:.2e}\n"
                f"max error {self.max_error:.3e} <= guaranteed bound {self.bound:.3e}")


def figure1(out_dir=None, *, beta: float = 10.0, hop_length: int = 128, n_fft: int = 2048,
            long_window: int = 2048, short_window: int = 512, pool: int = 4,
            plot: bool = True) -> Figure1Result:
    """Run the Figure 1 pipeline; with ``out_dir`` and matplotlib, write ``figure1.png``.

    The signal is :func:`notes_signal` (``L = 32768`` samples at 22050 Hz).  Its lattice
    spectrograms with two unit-norm periodic Hann windows, ``g`` (``long_window``) and ``h``
    (``short_window``), are computed on one lattice; the kernel
    ``w_g[n, k] = delta[n] exp(-pi k^2 / beta^2)`` is transferred to ``w_h`` by
    :func:`~gaborcore.equivalence.transfer_kernel`; both go through circular correlation, ReLU
    and ``pool x pool`` max pooling, and the outputs are compared.

    Parameters
    ----------
    out_dir : str or pathlib.Path, optional
        Folder for ``figure1.png`` (created if needed); None writes no figure.
    beta : float, default 10.0
        Width of the kernel's Gaussian along frequency, in channels (below about 6 the
        transfer breaks down).
    hop_length : int, default 128
        Time step of the lattice.
    n_fft : int, default 2048
        Number of channels of the lattice.
    long_window : int, default 2048
        Length of the window ``g``.
    short_window : int, default 512
        Length of the window ``h``.
    pool : int, default 4
        Side of the max-pooling blocks.
    plot : bool, default True
        Write the figure when ``out_dir`` is given and matplotlib is installed.

    Returns
    -------
    Figure1Result
        The differences before and after the network, the bound and the figure's path.

    See Also
    --------
    gaborcore.equivalence.transfer_kernel : The kernel transfer.
    gaborcore.equivalence.kernel_transfer_networks : The same test on random kernels.

    Notes
    -----
    The set-up is on the theory page, :ref:`theory-figure1`; ``gaborcore figure1`` runs it from
    the command line.

    Examples
    --------
    It takes about 20 s (without the plot), so it is not run here:

    >>> from gaborcore.figure1 import figure1
    >>> print(figure1(plot=False))  # doctest: +SKIP
    spectrograms differ by 72.4% (relative L2)
    after correlation:       relative L2 difference 2.37e-04
    after ReLU + 4x4 pooling: relative L2 difference 1.99e-04
    max error 3.865e-05 <= guaranteed bound 1.788e-02
    """
    L = LENGTH
    # checked before the 20 s pipeline starts; the lattice arguments are checked by its steps
    beta = _validation.positive_float("beta", beta)
    for name, n in (("long_window", long_window), ("short_window", short_window)):
        _validation.positive_int(name, n, minimum=2, maximum=L)
    hop_length = _validation.positive_int("hop_length", hop_length, maximum=L)
    n_fft = _validation.positive_int("n_fft", n_fft, minimum=2, maximum=L)
    pool = _validation.positive_int("pool", pool, maximum=max(1, min(L // hop_length, n_fft)))
    f = notes_signal()
    wg = get_window("hann", long_window)
    wh = get_window("hann", short_window)
    wg, wh = wg / np.linalg.norm(wg), wh / np.linalg.norm(wh)
    g, h = torus_window(wg, L), torus_window(wh, L)
    S_g = lattice_spectrogram(f, wg, hop_length=hop_length, n_fft=n_fft)  # (N, M)
    S_h = lattice_spectrogram(f, wh, hop_length=hop_length, n_fft=n_fft)
    N, M = S_g.shape
    k = np.arange(M)
    k = np.minimum(k, M - k)
    w_g = np.zeros((N, M))
    w_g[0] = np.exp(-np.pi * k**2 / beta**2)  # delta in time, Gaussian smoothing in frequency
    res = transfer_kernel(w_g, g, h, hop_length=hop_length, n_fft=n_fft)
    C_g, C_h = correlate2d(S_g, w_g), correlate2d(S_h, res.kernel)
    P_g = _max_pool(np.maximum(C_g, 0), pool)
    P_h = _max_pool(np.maximum(C_h, 0), pool)

    def rel(a, b):
        return float(np.linalg.norm(a - b) / np.linalg.norm(a))

    png = None
    if plot and out_dir is not None:
        png = _plot(Path(out_dir), S_g, S_h, P_g, P_h, hop_length)
    return Figure1Result(rel(S_g, S_h), rel(C_g, C_h), rel(P_g, P_h),
                         float(np.abs(C_g - C_h).max()), res.bound, res.residual, png)


def _plot(out_dir: Path, S_g, S_h, P_g, P_h, hop_length) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    M = S_g.shape[1]
    top = M // 4  # show 0 .. sr/8 (where the notes are)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
    dur = S_g.shape[0] * hop_length / SR
    panels = [
        (S_g[:, :top], "spectrogram, Hann 2048"),
        (S_h[:, :top], "spectrogram, Hann 512"),
        (P_g[:, : top // 4], "kernel w_g, ReLU, 4x4 max pool"),
        (P_h[:, : top // 4], "transferred kernel w_h, ReLU, 4x4 max pool"),
    ]
    for ax, (img, title) in zip(axes.ravel(), panels, strict=False):
        db = 10 * np.log10(np.maximum(img, img.max() * 1e-8))
        ax.imshow(db.T, origin="lower", aspect="auto", cmap="magma",
                  extent=(0, dur, 0, SR / 8), vmin=db.max() - 80)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("frequency (Hz)")
    path = out_dir / "figure1.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
