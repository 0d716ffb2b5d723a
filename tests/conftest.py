import numpy as np
import pytest

import gaborcore

BACKENDS = gaborcore.available_backends()


def pytest_report_header(config):
    return f"gaborcore backends: {BACKENDS}"


@pytest.fixture
def rng():
    return np.random.default_rng(20261124)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param
