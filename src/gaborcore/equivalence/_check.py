"""Definition IV.1 tested empirically (:func:`check_equivalence`), with the network pairs of
Theorem IV.4 (kernel transfer) and Theorem IV.6 (time averaging)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import _validation
from .._validation import ParameterError
from ..operators import torus_window
from ._averaging import time_average
from ._correlation import correlate2d, lattice_spectrogram
from ._gaussian import GaussianMelDesign
from ._transfer import transfer_kernel

__all__ = ["EquivalenceReport", "check_equivalence", "kernel_transfer_networks",
           "time_average_networks"]


@dataclasses.dataclass
class EquivalenceReport:
    """Outcome of :func:`check_equivalence` over all parameter draws.

    ``equivalent`` (property) is True when every draw predicted the same label for every
    example; ``str(report)`` summarises the three arrays.

    Parameters
    ----------
    agreement : ndarray, shape (draws,)
        Per draw: the fraction of examples with the same predicted label.
    min_margin : ndarray, shape (draws,)
        Per draw: the smallest top-1 minus top-2 score of the first network.
    max_output_difference : ndarray, shape (draws,)
        Per draw: the largest ``|score_1 - score_2|``.

    See Also
    --------
    check_equivalence : Makes it.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> report = equivalence.EquivalenceReport(np.array([1.0, 1.0]), np.array([0.3, 0.2]),
    ...                                        np.array([1e-12, 2e-12]))
    >>> report.equivalent
    True
    >>> print(report)
    agreement 1.000..1.000 over 2 draws; smallest margin 0.2; largest output difference 2e-12
    """

    agreement: np.ndarray  # per draw: fraction of examples with the same predicted label
    min_margin: np.ndarray  # per draw: smallest top-1 minus top-2 score of the first network
    max_output_difference: np.ndarray  # per draw: largest |score_1 - score_2|

    @property
    def equivalent(self) -> bool:
        """True when every draw predicted the same label for every example.

        Returns
        -------
        bool
            ``all(agreement == 1)``.

        See Also
        --------
        check_equivalence : Makes the report.

        Examples
        --------
        >>> import numpy as np
        >>> from gaborcore import equivalence
        >>> report = equivalence.EquivalenceReport(np.array([1.0, 0.9]), np.array([0.3, 0.2]),
        ...                                        np.array([1e-3, 0.5]))
        >>> report.equivalent
        False
        """
        return bool(np.all(self.agreement == 1.0))

    def __str__(self) -> str:
        return (f"agreement {self.agreement.min():.3f}..{self.agreement.max():.3f} over "
                f"{len(self.agreement)} draws; smallest margin {self.min_margin.min():.3g}; "
                f"largest output difference {self.max_output_difference.max():.3g}")


def check_equivalence(pair1, pair2, dataset, *, draws: int = 5, seed: int = 0,
                      build=None) -> EquivalenceReport:
    """Test Definition IV.1 on a data set of ``(signal, label)`` pairs.

    ``pair1`` and ``pair2`` are ``(feature, network_factory)``: ``feature(signal)`` returns the
    representation, ``network_factory(theta)`` a function from a representation to class
    scores.  For each draw, ``theta1`` is sampled by ``build(rng)`` which returns
    ``(theta1, theta2)``: the second network's parameters constructed from the first as the
    theorem prescribes (kernel transfer for Thm. IV.4, an added time-averaging layer for
    Thm. IV.6; see :func:`kernel_transfer_networks`).  The predicted labels of both pairs are
    compared on every example.

    Parameters
    ----------
    pair1 : tuple
        ``(feature, network_factory)`` of the first representation.
    pair2 : tuple
        ``(feature, network_factory)`` of the second representation.
    dataset : iterable of (signal, label)
        The examples; only the signals are used.
    draws : int, default 5
        Number of parameter draws.
    seed : int, default 0
        Seed of the :func:`numpy.random.default_rng` passed to ``build``.
    build : callable
        ``build(rng) -> (theta1, theta2)``; required.

    Returns
    -------
    EquivalenceReport
        Agreement, margins and output differences per draw.

    Raises
    ------
    ParameterError
        If ``build`` is missing, ``dataset`` is empty or ``draws`` is not a positive integer.

    See Also
    --------
    kernel_transfer_networks : Pairs for Theorem IV.4.
    time_average_networks : Pairs for Theorem IV.6.

    Examples
    --------
    >>> import numpy as np
    >>> from gaborcore import equivalence
    >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
    ...                                          centres=[20.0, 40.0, 60.0], betas=4.0)
    >>> pair_mel, pair_ta, build = equivalence.time_average_networks(design)
    >>> rng = np.random.default_rng(0)
    >>> data = [(rng.standard_normal(256), 0) for _ in range(4)]
    >>> report = equivalence.check_equivalence(pair_mel, pair_ta, data, draws=2, build=build)
    >>> report.equivalent, report.agreement
    (True, array([1., 1.]))
    """
    if build is None:
        raise ParameterError("build(rng) -> (theta1, theta2) is required")
    (feat1, net1), (feat2, net2) = pair1, pair2
    rng = np.random.default_rng(seed)
    signals = [np.asarray(s) for s, _ in dataset]
    if not signals:
        raise ParameterError("dataset is empty")
    X1 = [feat1(s) for s in signals]
    X2 = [feat2(s) for s in signals]
    agree, margin, diff = [], [], []
    for _ in range(_validation.positive_int("draws", draws)):
        th1, th2 = build(rng)
        n1, n2 = net1(th1), net2(th2)
        s1 = np.array([n1(x) for x in X1])
        s2 = np.array([n2(x) for x in X2])
        top = np.sort(s1, axis=1)
        agree.append(np.mean(np.argmax(s1, 1) == np.argmax(s2, 1)))
        margin.append(float(np.min(top[:, -1] - top[:, -2])) if s1.shape[1] > 1 else np.inf)
        diff.append(float(np.max(np.abs(s1 - s2))))
    return EquivalenceReport(np.array(agree), np.array(margin), np.array(diff))


def kernel_transfer_networks(g_window, h_window, *, hop_length: int, n_fft: int, length: int,
                             n_classes: int = 4, pool: int = 4, beta: float = 10.0):
    """Pairs and a builder for Theorem IV.4 on the lattice (hop_length, n_fft).

    Returns ``(pair_g, pair_h, build)`` for :func:`check_equivalence`: features are lattice
    spectrograms with the short windows ``g_window`` and ``h_window`` (centred arrays); the
    network is correlation with a first-layer kernel, ReLU, ``pool x pool`` max pooling and a
    dense layer.  ``build`` draws a random kernel smooth along frequency (``beta`` bins) and a
    random dense layer for the g-network and transfers the kernel to h.

    Parameters
    ----------
    g_window : ndarray
        The first short window (centred at ``len // 2``, at most ``n_fft`` samples).
    h_window : ndarray
        The second short window.
    hop_length : int
        Time step of the lattice.
    n_fft : int
        Number of channels of the lattice.
    length : int
        Signal length, a multiple of ``hop_length`` and ``n_fft``.
    n_classes : int, default 4
        Number of class scores of the networks.
    pool : int, default 4
        Side of the max-pooling blocks.
    beta : float, default 10.0
        Width, in channels, of the random kernels' Gaussian profile along frequency.

    Returns
    -------
    tuple
        ``(pair_g, pair_h, build)``: two ``(feature, network_factory)`` pairs and the
        parameter builder, for :func:`check_equivalence`.

    See Also
    --------
    check_equivalence : Runs the test.
    transfer_kernel : The transfer ``build`` uses.

    Examples
    --------
    >>> import numpy as np, gaborcore
    >>> from gaborcore import equivalence
    >>> pair_g, pair_h, build = equivalence.kernel_transfer_networks(
    ...     gaborcore.get_window("hann", 16), gaborcore.get_window("hann", 12),
    ...     hop_length=4, n_fft=16, length=48)
    >>> rng = np.random.default_rng(0)
    >>> data = [(rng.standard_normal(48), k % 2) for k in range(6)]
    >>> report = equivalence.check_equivalence(pair_g, pair_h, data, draws=3, build=build)
    >>> report.agreement.shape
    (3,)
    """
    L = length
    g = torus_window(g_window, L)
    h = torus_window(h_window, L)
    g = g / np.linalg.norm(g)
    h = h / np.linalg.norm(h)
    N, M = L // hop_length, n_fft

    def features(win):
        w = win / np.linalg.norm(win)
        return lambda s: lattice_spectrogram(s, w, hop_length=hop_length, n_fft=n_fft)

    def network(theta):
        kernel, dense = theta

        def run(S):
            y = np.maximum(correlate2d(S, kernel), 0.0)
            y = y[: N - N % pool, : M - M % pool]
            y = y.reshape(y.shape[0] // pool, pool, y.shape[1] // pool, pool).max(axis=(1, 3))
            return dense @ y.ravel()

        return run

    def build(rng):
        k = np.arange(M)
        k = np.minimum(k, M - k)
        w_g = np.zeros((N, M))
        w_g[0] = np.exp(-np.pi * k**2 / beta**2) * (1 + 0.2 * rng.standard_normal())
        w_g[1] = 0.3 * rng.standard_normal() * np.exp(-np.pi * k**2 / (2 * beta) ** 2)
        w_h = transfer_kernel(w_g, g, h, hop_length=hop_length, n_fft=n_fft).kernel
        n_feat = (N // pool) * (M // pool)
        dense = rng.standard_normal((n_classes, n_feat)) / np.sqrt(n_feat)
        return (w_g, dense), (w_h, dense)

    return (features(g_window), network), (features(h_window), network), build


def time_average_networks(design: GaussianMelDesign, *, n_classes: int = 4, pool: int = 16):
    """Pairs and a builder for Theorem IV.6 with the exact Gaussian design.

    ``pair_mel`` feeds the mel spectrogram ``MS`` (bands x time) to a network (ReLU of a random
    per-band gain, time max pooling, dense layer); ``pair_ta`` feeds the band-pass energies
    ``|V_{h_k} f(., 0)|^2`` to the same network with a time-averaging layer (Eq. (8)) added in
    front.  Since ``TA = MS`` exactly, the two pairs are equivalent.

    Parameters
    ----------
    design : GaussianMelDesign
        The exact design (:func:`gaussian_mel_design`).
    n_classes : int, default 4
        Number of class scores.
    pool : int, default 16
        Length of the time max-pooling blocks.

    Returns
    -------
    tuple
        ``(pair_mel, pair_ta, build)``: two ``(feature, network_factory)`` pairs and the
        parameter builder (both networks get the same parameters), for
        :func:`check_equivalence`.

    See Also
    --------
    check_equivalence : Runs the test.
    time_average : The added layer.

    Examples
    --------
    >>> from gaborcore import equivalence
    >>> design = equivalence.gaussian_mel_design(length=256, sigma_g=16.0,
    ...                                          centres=[20.0, 40.0], betas=4.0)
    >>> pair_mel, pair_ta, build = equivalence.time_average_networks(design, n_classes=3)
    >>> len(pair_mel), callable(build)
    (2, True)
    """
    K, L = len(design.centres), design.length
    avg = design.averaging()
    h_hat = np.conj(np.fft.fft(design.filters(), axis=-1))

    def band_energies(f):
        F = np.fft.fft(np.asarray(f), axis=-1)
        return np.abs(np.fft.ifft(F[None, :] * h_hat, axis=-1)) ** 2

    def network(theta, averaging=False):
        gain, bias, dense = theta

        def run(X):
            if averaging:
                X = time_average(X, avg)
            y = np.maximum(gain[:, None] * X + bias[:, None], 0.0)
            y = y[:, : L - L % pool].reshape(K, -1, pool).max(axis=2)
            return dense @ y.ravel()

        return run

    def build(rng):
        n_feat = K * (L // pool)
        theta = (rng.uniform(0.5, 1.5, K), -0.1 * rng.uniform(size=K),
                 rng.standard_normal((n_classes, n_feat)) / np.sqrt(n_feat))
        return theta, theta

    pair_mel = (design.mel_spectrogram, lambda th: network(th, averaging=False))
    pair_ta = (band_energies, lambda th: network(th, averaging=True))
    return pair_mel, pair_ta, build
