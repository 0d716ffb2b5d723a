"""``import gaborcore`` is cheap and leaves the host process as it found it.

Libraries import gaborcore as a backend: the import must not pull in the heavy optional
dependencies (pyFFTW pulls dask.array in through its interfaces), and loading the compiled
kernels must not change the process environment that other OpenMP libraries and subprocesses see.
Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

import json
import os
import subprocess
import sys

import pytest

import gaborcore

HEAVY = ("pyfftw", "dask", "zarr", "soundfile", "matplotlib", "numba", "torch", "scipy.signal", "scipy.fft",
         "gaborcore.nn", "gaborcore.figure1", "gaborcore.dataset")


def _run(code: str, **env) -> str:
    full_env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY",)}
    full_env.update(env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=full_env, check=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def test_import_loads_no_heavy_dependency():
    code = ("import sys, json, gaborcore; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert json.loads(_run(code)) == []


def test_lazy_names_resolve():
    for name in ("nn", "conv2d", "Network", "operators", "equivalence", "figure1", "io"):
        assert getattr(gaborcore, name) is not None
    assert gaborcore.conv2d is gaborcore.nn.conv2d
    assert set(gaborcore.__all__) <= set(dir(gaborcore))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        gaborcore.nonexistent  # noqa: B018


@pytest.mark.skipif("c" not in gaborcore.available_backends(), reason="the compiled core is not built")
def test_wait_policy_is_not_left_in_the_environment():
    code = ("import os, json, numpy as np, gaborcore, gaborcore._ext as e; "
            "gaborcore.stft(np.ones(4096, np.float32), backend='c'); "
            "print(json.dumps([os.environ.get('OMP_WAIT_POLICY'), e.WAIT_POLICY]))")
    env_value, policy = json.loads(_run(code))
    assert env_value is None
    assert policy.startswith("PASSIVE")
    # a policy the user chose is read by the runtime and stays as it was
    env_value, policy = json.loads(_run(code, OMP_WAIT_POLICY="ACTIVE"))
    assert env_value == "ACTIVE" and policy.startswith("ACTIVE")
    env_value, policy = json.loads(_run(code, GABORCORE_OMP_PASSIVE="0"))
    assert env_value is None and policy.startswith("runtime default")
