"""The nsgt package's own tests (grrrr/nsgt 0.19: tests/cq_test.py, tests/nsgt_test.py,
tests/slicq_test.py), restated in our own words against gaborcore.

What they check is perfect reconstruction, on random designs at 44.1 kHz:

* cq_test: an octave scale (``OctScale(fmin, fmax, bins)``) with ``fmin`` in 20..220 Hz, ``fmax``
  anywhere from ``fmin`` up to 22048 Hz, 1..24 bins per octave, on 10**4..10**6 samples of
  uniform noise, reconstructs to 1e-7 (100 random draws upstream; 24 seeded draws of up to
  2 * 10**5 samples here, to keep the suite's time);
* nsgt_test: ``CQ_NSGT(50, 22050, 12, 44100, 100000)``, whose ``fmax`` is the Nyquist frequency
  (gaborcore drops the bands at and above Nyquist with a warning, as nsgt does), reconstructs;
* slicq_test: the sliced transform (``NsgtSliced(scale, sl_len, tr_area, real)``) reconstructs a
  noise signal to 1e-3, for its fourteen listed parameter sets and random ones (slice lengths are
  rounded down to a multiple of 4, which gaborcore's slicing window needs and nsgt does too).

The name mapping: ``OctScale(fmin, fmax, bins)`` -> ``fmin=, fmax=, bins_per_octave=``;
``NSGT(scale, fs, Ls)`` -> ``NSGT(length=Ls, sr=fs, ...)``; ``NsgtSliced(scale, fs, sl_len,
tr_area, real)`` -> ``SlicedNSGT(slice_length=, transition=, sr=, real=, ...)``; ``forward`` /
``backward`` -> ``forward`` / ``inverse``.  gaborcore is held to tighter tolerances than nsgt's.
"""

import warnings

import numpy as np
import pytest

from gaborcore import NSGT, SlicedNSGT

FS = 44100


def _oct_nsgt(length, fmin, fmax, bins):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fmax at or above Nyquist: bands dropped
        return NSGT(length=length, sr=FS, fmin=fmin, fmax=fmax, bins_per_octave=bins)


@pytest.mark.parametrize("seed", range(24))
def test_octave_scale_reconstructs(seed):
    rng = np.random.default_rng(seed)
    length = int(10 ** rng.uniform(4, 5.3))
    fmin = rng.random() * 200 + 20
    fmax = rng.random() * (22048 - fmin) + fmin
    bins = int(rng.integers(24)) + 1
    y = rng.random(length)
    plan = _oct_nsgt(length, fmin, fmax, bins)
    np.testing.assert_allclose(plan.inverse(plan.forward(y)), y, atol=1e-10)


def test_constant_q_up_to_nyquist_reconstructs():
    y = np.random.default_rng(1).random(100000)
    with pytest.warns(UserWarning, match="Nyquist"):
        plan = NSGT(length=100000, sr=FS, fmin=50, fmax=22050, bins_per_octave=12)
    centres = plan.bands.centre_hz[plan.bands.kind == "band"]
    assert centres.max() < FS / 2
    np.testing.assert_allclose(plan.inverse(plan.forward(y)), y, atol=1e-10)


# (signal length, fmin, fmax, bins per octave, slice length, transition, real): nsgt's list
SLICQ_CASES = [
    (100000, 100, 18200, 2, 20000, 5000, 1), (100000, 80, 18200, 6, 20000, 5000, 1),
    (100000, 99, 19895, 6, 84348, 5928, 1), (100000, 99, 19895, 6, 84348, 5928, 0),
    (100000, 100, 20000, 6, 80000, 5000, 1), (100000, 100, 19000, 6, 80000, 5000, 1),
    (100000, 100, 18100, 6, 20000, 5000, 1), (100000, 100, 18000, 6, 20000, 5000, 1),
    (30549, 104, 11970, 25, 7286, 2030, 1), (19746, 88, 19991, 21, 12674, 4030, 0),
    (92507, 114, 18387, 20, 29306, 11848, 1), (20724, 191, 2843, 16, 22354, 6590, 1),
    (10712, 97, 19363, 3, 10238, 1876, 1), (262597, 100, 15786, 16, 2858, 556, 1),
]


def _random_slicq_case(seed):
    rng = np.random.default_rng(1000 + seed)
    length = int(10 ** rng.uniform(4, 5))
    fmin = int(rng.integers(200)) + 80
    fmax = max(int(rng.integers(22048 - fmin)) + fmin, 10000)
    bins = int(rng.integers(24)) + 1
    slice_length = max(1000, int(rng.integers(50000)))
    transition = max(2, int(rng.integers(slice_length // 2 - 2))) // 2 * 2
    return length, fmin, fmax, bins, slice_length, transition, int(rng.integers(2))


@pytest.mark.parametrize("case", SLICQ_CASES + [_random_slicq_case(s) for s in range(8)],
                         ids=lambda c: "-".join(map(str, c)))
def test_sliced_transform_reconstructs(case):
    length, fmin, fmax, bins, slice_length, transition, real = case
    slice_length = slice_length // 4 * 4
    transition = min(transition, slice_length // 2)
    y = np.random.default_rng(666).random(length)
    if not real:
        y = y + 1j * np.random.default_rng(667).random(length)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sl = SlicedNSGT(slice_length=slice_length, transition=transition, sr=FS, fmin=fmin,
                        fmax=fmax, bins_per_octave=bins, real=bool(real))
    rec = sl.inverse(sl.forward(y), length=length)
    np.testing.assert_allclose(rec, y, atol=1e-9)
