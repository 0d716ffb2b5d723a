# Shared by the Cython shims (included, so each module has its own copy of the table):
# the FFTW entry points, the planner lock and (from _status.pxi) the status -> exception mapping.

cdef gc_fftw_api _api
cdef bint _api_ready = False
# FFTW's planner is not thread-safe: plan creation and destruction hold this lock (an RLock
# shared with gaborcore._fftw, so all of gaborcore's planning is serialised).
_planner_lock = None

BLOCK = GC_BLOCK
HAVE_OPENMP = bool(GC_OMP)
#: the C enums of gc_common.h, for the test that gaborcore._codes agrees with them
C_CODES = {"PAD_CONSTANT": GC_PAD_CONSTANT, "PAD_REFLECT": GC_PAD_REFLECT,
           "PAD_WRAP": GC_PAD_WRAP, "OUT_COMPLEX": GC_OUT_COMPLEX, "OUT_POWER": GC_OUT_POWER,
           "OUT_MAGNITUDE": GC_OUT_MAGNITUDE, "OUT_POW": GC_OUT_POW, "BLOCK_FRAMES": GC_BLOCK}

include "_status.pxi"

_NAMES = ("plan_many_r2c_f", "plan_many_c2r_f", "execute_r2c_f", "execute_c2r_f",
          "destroy_plan_f", "plan_many_r2c_d", "plan_many_c2r_d", "execute_r2c_d",
          "execute_c2r_d", "destroy_plan_d", "plan_many_dft_f", "execute_dft_f",
          "plan_many_dft_d", "execute_dft_d")


cdef inline void *_addr(dict addresses, str name) except NULL:
    value = addresses.get(name)
    if not value:
        raise RuntimeError(f"FFTW symbol for {name} is missing")
    return <void *> <uintptr_t> value


def set_fftw_api(dict addresses, lock):
    """Install the FFTW entry points (integer addresses resolved by ``gaborcore._fftw``)."""
    global _api_ready, _planner_lock
    _api.plan_many_r2c_f = <gc_plan_many_r2c_f> _addr(addresses, "plan_many_r2c_f")
    _api.plan_many_c2r_f = <gc_plan_many_c2r_f> _addr(addresses, "plan_many_c2r_f")
    _api.execute_r2c_f = <gc_execute_r2c_f> _addr(addresses, "execute_r2c_f")
    _api.execute_c2r_f = <gc_execute_c2r_f> _addr(addresses, "execute_c2r_f")
    _api.destroy_plan_f = <gc_destroy_plan_t> _addr(addresses, "destroy_plan_f")
    _api.plan_many_r2c_d = <gc_plan_many_r2c_d> _addr(addresses, "plan_many_r2c_d")
    _api.plan_many_c2r_d = <gc_plan_many_c2r_d> _addr(addresses, "plan_many_c2r_d")
    _api.execute_r2c_d = <gc_execute_r2c_d> _addr(addresses, "execute_r2c_d")
    _api.execute_c2r_d = <gc_execute_c2r_d> _addr(addresses, "execute_c2r_d")
    _api.destroy_plan_d = <gc_destroy_plan_t> _addr(addresses, "destroy_plan_d")
    _api.plan_many_dft_f = <gc_plan_many_dft_t> _addr(addresses, "plan_many_dft_f")
    _api.execute_dft_f = <gc_execute_dft_t> _addr(addresses, "execute_dft_f")
    _api.plan_many_dft_d = <gc_plan_many_dft_t> _addr(addresses, "plan_many_dft_d")
    _api.execute_dft_d = <gc_execute_dft_t> _addr(addresses, "execute_dft_d")
    _planner_lock = lock
    _api_ready = True


def api_ready():
    return _api_ready
