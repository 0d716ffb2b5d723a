"""The paper's propositions as functions: kernel transfer between windows (Prop. IV.2,
Thm. IV.4), the mel spectrogram as time-averaged band energies (Prop. IV.5, Thm. IV.6), and an
empirical check of Definition IV.1.  Conventions: the theory page (:doc:`/theory`); arrays on
the grid are indexed ``[time, frequency]``.
"""

# One module per responsibility: _correlation (2-D correlation and convolution on the torus, the
# lattice spectrogram), _transfer (Prop. IV.2), _averaging (the TA operator and the full-grid
# spectrogram), _gaussian and _triangular (the mel designs of Prop. IV.5), _check (Def. IV.1 and
# the network pairs of Thm. IV.4 and IV.6).

from ._averaging import time_average
from ._check import (
    EquivalenceReport,
    check_equivalence,
    kernel_transfer_networks,
    time_average_networks,
)
from ._correlation import convolve2d, correlate2d, lattice_spectrogram
from ._gaussian import GaussianMelDesign, gaussian_mel_design
from ._transfer import TransferResult, transfer_kernel
from ._triangular import TriangularMelDesign, triangular_mel_design

__all__ = [
    "correlate2d",
    "convolve2d",
    "lattice_spectrogram",
    "transfer_kernel",
    "TransferResult",
    "time_average",
    "gaussian_mel_design",
    "GaussianMelDesign",
    "triangular_mel_design",
    "TriangularMelDesign",
    "check_equivalence",
    "EquivalenceReport",
    "kernel_transfer_networks",
    "time_average_networks",
]
