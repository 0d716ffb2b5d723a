"""Port of librosa 0.11.0 tests/test_util.py: pad_center.

Upstream: https://github.com/librosa/librosa/blob/0.11.0/tests/test_util.py (test_pad_center,
test_pad_center_fail).  Test intent restated in our own words, run against gaborcore through
:mod:`tests.peers.names`.
"""

import numpy as np
import pytest

from .names import lr


@pytest.mark.parametrize("y", [np.ones(16), np.ones((16, 16))], ids=["1d", "2d"])
@pytest.mark.parametrize("m", [0, 10])
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
def test_pad_center_keeps_the_data_in_the_middle(y, m, axis, mode):
    n = y.shape[axis] + m
    out = lr.util.pad_center(y, size=n, axis=axis, mode=mode)
    assert out.shape[axis] == n
    mid = [slice(None)] * y.ndim
    mid[axis] = slice(m // 2, m // 2 + y.shape[axis])
    np.testing.assert_array_equal(out[tuple(mid)], y)


@pytest.mark.parametrize("y", [np.ones(16), np.ones((16, 16))], ids=["1d", "2d"])
@pytest.mark.parametrize("n", [0, 10])
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
def test_pad_center_to_a_shorter_size_is_an_error(y, n, axis, mode):
    with pytest.raises(lr.ParameterError):
        lr.util.pad_center(y, size=n, axis=axis, mode=mode)
