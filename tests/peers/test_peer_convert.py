"""Port of librosa 0.11.0 tests/test_convert.py: frame / sample / time conversions,
fft_frequencies, samples_like and times_like.

Upstream: https://github.com/librosa/librosa/blob/0.11.0/tests/test_convert.py (test_frames_to_*,
test_samples_to_*, test_time_to_*, test_fft_frequencies, test_samples_like*, test_times_like*).
Test intent restated in our own words, run against gaborcore through :mod:`tests.peers.names`.
"""

import numpy as np
import pytest

from .names import lr

SHAPES = [100, np.arange(10.0), np.ones((3, 3))]


@pytest.mark.parametrize("frames", SHAPES, ids=["0d", "1d", "2d"])
@pytest.mark.parametrize("hop", [512, 1024])
@pytest.mark.parametrize("n_fft", [None, 1024])
def test_frames_to_samples(frames, hop, n_fft):
    s = lr.frames_to_samples(frames, hop_length=hop, n_fft=n_fft)
    f = np.asanyarray(frames)
    assert s.shape == f.shape and np.ndim(s) == f.ndim
    np.testing.assert_array_equal((s - (n_fft or 0) // 2) // hop, f)


@pytest.mark.parametrize("samples", [1024 * 100, 1024 * np.arange(10.0), 1024 * np.ones((3, 3))],
                         ids=["0d", "1d", "2d"])
@pytest.mark.parametrize("hop", [512, 1024])
@pytest.mark.parametrize("n_fft", [None, 1024])
def test_samples_to_frames(samples, hop, n_fft):
    f = lr.samples_to_frames(samples, hop_length=hop, n_fft=n_fft)
    s = np.asanyarray(samples)
    assert f.shape == s.shape
    np.testing.assert_array_equal(f, (s - (n_fft or 0) // 2) // hop)


@pytest.mark.parametrize("sr", [22050, 44100])
@pytest.mark.parametrize("hop", [256, 512])
@pytest.mark.parametrize("n_fft", [None, 2048])
def test_frames_to_time_within_a_frame(sr, hop, n_fft):
    frames = np.arange(3) * sr // hop  # the frames of 0, 1 and 2 seconds
    if n_fft:
        frames -= n_fft // (2 * hop)
    t = lr.frames_to_time(frames, sr=sr, hop_length=hop, n_fft=n_fft)
    assert np.all(np.abs(t - [0, 1, 2]) * sr < hop)


@pytest.mark.parametrize("sr", [22050, 44100])
def test_time_and_samples(sr):
    np.testing.assert_array_equal(lr.time_to_samples([0, 1, 2], sr=sr), [0, sr, 2 * sr])
    np.testing.assert_allclose(lr.samples_to_time([0, sr, 2 * sr], sr=sr), [0, 1, 2])


@pytest.mark.parametrize("sr", [22050, 44100])
@pytest.mark.parametrize("hop", [256, 512])
@pytest.mark.parametrize("n_fft", [None, 2048])
def test_time_to_frames_round_trip(sr, hop, n_fft):
    f = lr.time_to_frames(np.arange(3), sr=sr, hop_length=hop, n_fft=n_fft)
    back = lr.frames_to_time(f, sr=sr, hop_length=hop, n_fft=n_fft)
    assert np.all((np.arange(3) - back) * sr < hop) and np.all(back <= np.arange(3) + 1e-12)


@pytest.mark.parametrize("sr", [8000, 22050])
@pytest.mark.parametrize("n_fft", [1024, 2048])
def test_fft_frequencies(sr, n_fft):
    f = lr.fft_frequencies(sr=sr, n_fft=n_fft)
    assert f[0] == 0 and f[-1] == sr / 2
    np.testing.assert_allclose(np.diff(f), f[1])


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_samples_like_and_times_like(axis):
    X = np.ones((3, 4, 5))
    np.testing.assert_array_equal(lr.samples_like(X, hop_length=512, axis=axis),
                                  np.arange(X.shape[axis]) * 512)
    np.testing.assert_allclose(lr.times_like(X, sr=22050, hop_length=512, axis=axis),
                               np.arange(X.shape[axis]) * 512 / 22050)


def test_samples_like_and_times_like_of_a_count():
    np.testing.assert_array_equal(lr.samples_like(7, hop_length=512), np.arange(7) * 512)
    np.testing.assert_allclose(lr.times_like(7, sr=22050, hop_length=512),
                               np.arange(7) * 512 / 22050)
