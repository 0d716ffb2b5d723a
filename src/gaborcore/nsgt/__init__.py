"""Non-stationary Gabor transform (NSGT): one window and one time hop per frequency band.

Definitions (:ref:`theory-nsgt`; Holighaus, Dörfler, Velasco, Grill 2013).  For a signal ``f`` of
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

Modules: ``_scales`` (centre frequencies and bandwidths), ``_design`` (windows, ``M_k``, storage
and the frame operator as plain arrays: what the kernels of every backend take), ``_plan`` (the
plan: validation and dispatch), ``_checks`` (the transforms' argument checks), ``_coefficients``
(the band table and the coefficients with their layout views), ``_slicing`` (the slicing window
and the sliced coefficients), ``_sliced`` (sliCQ, whole or streamed), ``_sliced_inverse`` (the
streamed inverse), ``_cqt`` (constant-Q magnitudes on a hop grid).
"""

from ._cqt import cqt
from ._design import BAND_LENGTHS, FREQUENCY_WINDOWS, LAYOUTS
from ._plan import NSGT, BandTable, NSGTCoefficients
from ._scales import NSGT_SCALES, nsgt_frequencies
from ._sliced import SlicedCoefficients, SlicedInverse, SlicedNSGT, slicing_window

__all__ = ["NSGT", "NSGTCoefficients", "BandTable", "nsgt_frequencies", "LAYOUTS", "NSGT_SCALES",
           "FREQUENCY_WINDOWS", "BAND_LENGTHS", "SlicedNSGT", "SlicedCoefficients",
           "SlicedInverse", "slicing_window", "cqt"]
