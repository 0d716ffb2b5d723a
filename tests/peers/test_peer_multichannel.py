"""Port of librosa 0.11.0 tests/test_multichannel.py: stft, istft, melspectrogram and mfcc on
several channels at once equal the per-channel results.

Upstream: https://github.com/librosa/librosa/blob/0.11.0/tests/test_multichannel.py
(test_stft_multi, test_istft_multi, test_melspectrogram_multi*, test_mfcc_multi).  Upstream reads
a stereo recording; a synthetic stereo signal stands in.  Test intent restated in our own words,
run against gaborcore through :mod:`tests.peers.names`.
"""

import numpy as np
import pytest

import gaborcore

from .names import lr, stereo


@pytest.fixture(scope="module")
def y2():
    return stereo()


def _per_channel(fn, x, **kw):
    both = fn(x, **kw)
    for c in range(x.shape[0]):
        np.testing.assert_allclose(both[c], fn(x[c], **kw), rtol=1e-6,
                                   atol=1e-7 * np.abs(both).max())
    assert not np.allclose(both[0], both[1])
    return both


@pytest.mark.parametrize("backend", gaborcore.available_backends())
def test_stft_multi(y2, backend):
    _per_channel(lambda x: lr.stft(x, backend=backend), y2)


@pytest.mark.parametrize("backend", gaborcore.available_backends())
def test_istft_multi(y2, backend):
    D = lr.stft(y2)
    _per_channel(lambda x: lr.istft(x, backend=backend), D)


def test_melspectrogram_multi_from_S(y2):
    S = np.abs(lr.stft(y2))
    _per_channel(lambda x: lr.feature.melspectrogram(S=x), S)


@pytest.mark.parametrize("backend", gaborcore.available_backends())
def test_melspectrogram_multi_from_y(y2, backend):
    _per_channel(lambda x: lr.feature.melspectrogram(y=x, backend=backend), y2)


def test_mfcc_multi(y2):
    S = np.abs(lr.stft(y2))
    _per_channel(lambda x: lr.feature.mfcc(S=lr.amplitude_to_db(x, top_db=None)), S)


def test_delta_multi(y2):
    S = np.abs(lr.stft(y2))
    _per_channel(lambda x: lr.feature.delta(x), S)
