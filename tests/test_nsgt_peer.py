"""gaborcore's NSGT against the nsgt package, from stored reference data (see nsgt_reference.py).

The stored values are checked always; when nsgt is importable, they are also made again from it,
so that a new nsgt release that changes them is noticed.
"""

import importlib.util
import warnings

import numpy as np
import pytest

from gaborcore import NSGT

from . import nsgt_reference as ref

STORED = ref.load()


def _ours(name):
    cls, fmin, fmax, n = ref.SCALES[name]
    if cls == "OctScale":
        kw = dict(bins_per_octave=n)
    else:
        kw = dict(scale={"LogScale": "log", "MelScale": "mel", "LinScale": "linear"}[cls],
                  n_bins=n)
    return NSGT(length=ref.LENGTH, sr=ref.SR, fmin=fmin, fmax=fmax, **kw)


@pytest.mark.parametrize("name", sorted(ref.SCALES))
def test_centre_frequencies_equal_nsgt(name):
    plan = _ours(name)
    centres = plan.bands.centre_hz[plan.bands.kind == "band"]
    np.testing.assert_allclose(centres, STORED[f"frqs_{name}"], rtol=1e-9)


def test_bands_tones_and_events_as_in_nsgt(backend):
    plan = _ours("oct_55_7040_12")
    assert len(plan.bands) == int(STORED["n_bands"])  # DC + the scale's bands + Nyquist
    loudest, times, lengths = ref.band_summary(lambda y: plan.forward(y, backend=backend).bands())
    np.testing.assert_array_equal(loudest, STORED["tone_band"])
    # an impulse lies at the same time in both, within one hop of the band
    hop = ref.LENGTH / np.minimum(lengths, STORED["impulse_m"])
    assert np.all(np.abs(times - STORED["impulse_time"]) <= hop), (times, STORED["impulse_time"])
    assert np.all(np.abs(times - ref.IMPULSE_AT) <= hop)


# nsgt is not a test dependency (it does not install with plain pip on a fresh machine): the
# live check exists only where it is installed, instead of being reported as a skip everywhere else.
if importlib.util.find_spec("nsgt") is not None:

    def test_stored_reference_matches_the_installed_nsgt():
        import nsgt

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            live = ref.compute(nsgt)
        for key, value in live.items():
            np.testing.assert_allclose(value, STORED[key], rtol=1e-9, err_msg=key)
