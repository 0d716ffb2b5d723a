"""Time-frequency operators of the paper (see :doc:`/theory`), in exact discrete form.

Signals live on the torus ``Z_L``; a window ``g`` is a length-L array with ``g[0]`` at time 0
(use :func:`torus_window` to centre a short window at 0).  Two-dimensional arrays on
``Z_L x Z_L`` are indexed ``[time (lag) x, frequency w]`` as on the theory page; lattice arrays
``[n, k]`` (frame, channel) for a lattice with hop ``a`` and ``M`` channels, ``L = a N = b M``.

* :func:`ambiguity`: ``V_g g(x, w) = sum_t g(t) conj(g(t - x)) exp(-2 pi i w t / L)`` (the paper's
  ambiguity function, LTFAT ``dgt(g, g, 1, L)``), full grid or on a lattice.
* :func:`symplectic_fft`: ``F_s F(x, w) = (1/L) sum_{y,v} F(y, v) exp(-2 pi i (w y - x v) / L)``,
  its own inverse; :func:`lattice_symplectic_fft` / :func:`lattice_symplectic_ifft` for kernels on
  a lattice (periodic with periods M in time lag and N in frequency lag).
* :class:`GaborMultiplier`: ``G_m f = sum_{n,k} m[n, k] <f, g_{n,k}> g_{n,k}``,
  ``g_{n,k} = M_{bk} T_{an} g``; also on an NSGT frame (:class:`NSGTMultiplier`).
* :func:`spreading_function` of a matrix, :func:`multiplier_spreading_function`
  (``eta = P_m . V_g g``) and :func:`operator_from_spreading`.
* :func:`wigner`: the Wigner distribution for odd L.
"""

# One module per responsibility: _torus (torus_window and the argument checks the others share),
# _ambiguity (the ambiguity function, the Wigner distribution), _symplectic (symplectic Fourier
# transforms), _multipliers (Gabor and NSGT multipliers), _spreading (spreading functions).

from ._ambiguity import ambiguity, ambiguity_lattice, ambiguity_rows, wigner
from ._multipliers import GaborMultiplier, NSGTMultiplier
from ._spreading import multiplier_spreading_function, operator_from_spreading, spreading_function
from ._symplectic import lattice_symplectic_fft, lattice_symplectic_ifft, symplectic_fft
from ._symplectic import tile_lattice as tile_lattice  # public, outside __all__: equivalence uses it
from ._torus import torus_window

__all__ = [
    "torus_window",
    "ambiguity",
    "ambiguity_rows",
    "ambiguity_lattice",
    "symplectic_fft",
    "lattice_symplectic_fft",
    "lattice_symplectic_ifft",
    "GaborMultiplier",
    "NSGTMultiplier",
    "spreading_function",
    "multiplier_spreading_function",
    "operator_from_spreading",
    "wigner",
]
