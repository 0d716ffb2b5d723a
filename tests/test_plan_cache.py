"""The one plan cache (gaborcore._cache): bounded, LRU, thread-safe, shared by every transform."""

import threading

import numpy as np

import gaborcore
from gaborcore import _cache


def test_lru_bound_and_order():
    cache = _cache.PlanCache(max_entries=3)
    made = []
    for k in range(5):
        cache.get_or_create(("x", k), lambda k=k: made.append(k) or k)
    assert len(cache) == 3 and made == [0, 1, 2, 3, 4]
    cache.get_or_create(("x", 2), lambda: made.append("again"))  # a hit refreshes 2
    cache.get_or_create(("y", 9), lambda: 9)  # evicts 3, the least recently used
    assert cache.get_or_create(("x", 2), lambda: "new") == 2
    assert cache.get_or_create(("x", 3), lambda: "new") == "new"
    info = cache.info()
    assert info["entries"] == 3 and info["max_entries"] == 3 and info["hits"] == 2
    cache.clear("x")
    assert cache.info()["by_kind"] == {"y": 1}


def test_concurrent_callers_get_one_plan():
    cache = _cache.PlanCache(max_entries=4)
    barrier = threading.Barrier(8)
    got = []

    def work():
        barrier.wait()
        got.append(cache.get_or_create(("p",), object))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(g) for g in got}) == 1 and len(cache) == 1


def test_every_transform_uses_the_shared_cache():
    gaborcore.clear_plan_cache()
    y = np.zeros(4096, np.float32)
    gaborcore.stft(y, n_fft=256)
    gaborcore.melspectrogram(y=y, sr=22050, n_fft=256, n_mels=20)
    a = gaborcore.NSGT.cached(length=4096, sr=22050.0, fmin=100.0, fmax=5000.0)
    b = gaborcore.NSGT.cached(length=4096, sr=22050.0, fmax=5000.0, fmin=100.0)
    assert a is b
    kinds = gaborcore.plan_cache_info()["by_kind"]
    assert {"stft", "mel", "nsgt"} <= set(kinds), kinds
    gaborcore.clear_plan_cache()
    assert gaborcore.plan_cache_info()["entries"] == 0
    assert gaborcore.NSGT.cached(length=4096, sr=22050.0, fmin=100.0, fmax=5000.0) is not a


def test_the_cache_is_bounded_for_a_loop_of_distinct_plans():
    gaborcore.clear_plan_cache()
    for n in range(_cache.MAX_ENTRIES + 20):
        gaborcore.NSGT.cached(length=1000 + n, sr=22050.0, fmin=200.0, fmax=5000.0)
    assert gaborcore.plan_cache_info()["entries"] == _cache.MAX_ENTRIES
    gaborcore.clear_plan_cache()


def test_python_codes_agree_with_the_c_header():
    from gaborcore import _codes

    if "c" not in gaborcore.available_backends():
        return
    from gaborcore._ext import _nsgt, _stft

    want = {name: getattr(_codes, name) for name in _stft.C_CODES}
    assert _stft.C_CODES == want and _nsgt.C_CODES == want
    from gaborcore._fftw import fftw_extensions

    assert {m.__name__.rsplit(".", 1)[-1] for m in fftw_extensions()} >= {"_stft", "_nsgt"}


def test_the_cache_is_bounded_in_memory():
    class Big:
        def __init__(self, n):
            self.nbytes = n

    cache = _cache.PlanCache(max_entries=10, max_bytes=1000)
    for k in range(5):
        cache.get_or_create(("big", k), lambda: Big(400))
    assert len(cache) == 2 and cache.nbytes == 800  # the two newest
    cache.get_or_create(("huge",), lambda: Big(5000))  # alone over the bound: kept, alone
    assert len(cache) == 1 and cache.info()["nbytes"] == 5000
    cache.clear()
    assert cache.nbytes == 0


def test_nsgt_plans_report_their_memory():
    plan = gaborcore.NSGT(length=22050 * 10, sr=22050.0, fmin=32.7, n_bins=84)
    assert 10 * 2**20 < plan.nbytes < 200 * 2**20
