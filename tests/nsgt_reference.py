"""Reference data from the nsgt package, stored so that the test suite needs no nsgt install.

The nsgt package (Holighaus, Dörfler, Velasco, Grill; https://github.com/grrrr/nsgt) ships only
an sdist whose build imports numpy, so it does not install under pip's build isolation on a fresh
machine.  Its results are therefore kept in ``tests/data/nsgt_reference.npz``, made by this script:

    pip install --no-build-isolation nsgt==0.19
    python tests/nsgt_reference.py          # rewrites tests/data/nsgt_reference.npz

Made with nsgt 0.19 (numpy 2.4, Python 3.11) for these designs, all at ``sr = 22050``:

* the centre frequencies of ``OctScale(55, 7040, 12)``, ``OctScale(50, 8000, 12)``,
  ``LogScale(50, 8000, 48)``, ``MelScale(50, 8000, 48)`` and ``LinScale(50, 8000, 48)``;
* for ``NSGT(OctScale(55, 7040, 12), 22050, 16384, real=True, matrixform=False)``: the number of
  coefficient bands (DC, the scale's bands, Nyquist), the band of largest mean energy for four
  pure tones (100, 440, 1234.5 and 5000 Hz), and, for a unit impulse at sample 5000, the time of
  the largest coefficient in bands 10, 40 and 80 (index times ``length / M_k``) with ``M_k``.

The two designs differ in their windows (lengths of the lowest bands, normalisation), so the
coefficients themselves are not compared; what a user relies on when switching is compared: the
same frequencies, the same number of bands, a tone in the same band, an event at the same time.
``tests/test_nsgt_peer.py`` checks gaborcore against the stored values, and against nsgt itself
when it happens to be importable.
"""

from __future__ import annotations

import pathlib

import numpy as np

SR = 22050
LENGTH = 16384
SCALES = {
    "oct_55_7040_12": ("OctScale", 55.0, 7040.0, 12),
    "oct_50_8000_12": ("OctScale", 50.0, 8000.0, 12),
    "log_50_8000_48": ("LogScale", 50.0, 8000.0, 48),
    "mel_50_8000_48": ("MelScale", 50.0, 8000.0, 48),
    "lin_50_8000_48": ("LinScale", 50.0, 8000.0, 48),
}
TONES_HZ = np.array([100.0, 440.0, 1234.5, 5000.0])
IMPULSE_AT = 5000
IMPULSE_BANDS = np.array([10, 40, 80])
PATH = pathlib.Path(__file__).with_name("data") / "nsgt_reference.npz"


def tone(f0: float) -> np.ndarray:
    return np.cos(2 * np.pi * f0 * np.arange(LENGTH) / SR)


def impulse() -> np.ndarray:
    y = np.zeros(LENGTH)
    y[IMPULSE_AT] = 1.0
    return y


def band_summary(bands) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(band of largest mean energy per tone, impulse time per band, M_k per band) from a
    function that maps a signal to its list of coefficient bands."""
    loudest = np.array([np.argmax([np.mean(np.abs(c) ** 2) for c in bands(tone(f))])
                        for f in TONES_HZ])
    coeffs = bands(impulse())
    lengths = np.array([len(coeffs[k]) for k in IMPULSE_BANDS])
    times = np.array([np.argmax(np.abs(coeffs[k])) * LENGTH / len(coeffs[k])
                      for k in IMPULSE_BANDS])
    return loudest, times, lengths


def compute(nsgt) -> dict[str, np.ndarray]:
    """Everything stored, computed with the nsgt module passed in."""
    out = {}
    for name, (cls, fmin, fmax, n) in SCALES.items():
        out[f"frqs_{name}"] = np.asarray(getattr(nsgt, cls)(fmin, fmax, n)()[0], float)
    _, fmin, fmax, bpo = SCALES["oct_55_7040_12"]
    plan = _nsgt_plan(nsgt, nsgt.OctScale(fmin, fmax, bpo))
    out["n_bands"] = np.array(len(list(plan.forward(impulse()))))
    loudest, times, lengths = band_summary(lambda y: list(plan.forward(y)))
    out.update(tone_band=loudest, impulse_time=times, impulse_m=lengths)
    return out


def _nsgt_plan(nsgt, scale):
    # nsgt 0.19's nsgfwin calls np.clip(..., out=<int array>) with a float bound, which numpy 2
    # refuses: clip without out= and assign, for the duration of the plan's construction.
    orig = np.clip

    def clip(a, a_min=None, a_max=None, out=None, **kw):
        res = orig(a, a_min, a_max, **kw)
        if out is None:
            return res
        out[...] = res
        return out

    np.clip = clip
    try:
        return nsgt.NSGT(scale, SR, LENGTH, real=True, matrixform=False)
    finally:
        np.clip = orig


def load() -> dict[str, np.ndarray]:
    with np.load(PATH) as data:
        return {key: data[key] for key in data.files}


if __name__ == "__main__":
    import warnings

    import nsgt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nsgt warns that low bands' Q is too high
        values = compute(nsgt)
    from importlib.metadata import version

    np.savez_compressed(PATH, nsgt_version=np.array(version("nsgt")), **values)
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")
