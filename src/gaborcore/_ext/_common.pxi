# Shared by the Cython shims (included, so each module has its own copy of the table):
# the FFTW entry points, the planner lock and the status -> exception mapping.

cdef gc_fftw_api _api
cdef bint _api_ready = False
# FFTW's planner is not thread-safe: plan creation and destruction hold this lock (an RLock
# shared with gaborcore._fftw, so all of gaborcore's planning is serialised).
_planner_lock = None

BLOCK = GC_BLOCK
HAVE_OPENMP = bool(GC_OMP)

_STATUS = {
    GC_ENULL: (RuntimeError, "internal error: NULL pointer passed to a C kernel"),
    GC_ENOMEM: (MemoryError, "out of memory in a C kernel"),
    GC_EBADSIZE: (ValueError, "a size or stride passed to a C kernel is impossible"),
    GC_EPLAN: (RuntimeError, "FFTW could not create a plan"),
    GC_EBADARG: (ValueError, "an enumerated argument passed to a C kernel is out of range"),
}

_NAMES = ("plan_many_r2c_f", "plan_many_c2r_f", "execute_r2c_f", "execute_c2r_f",
          "destroy_plan_f", "plan_many_r2c_d", "plan_many_c2r_d", "execute_r2c_d",
          "execute_c2r_d", "destroy_plan_d", "plan_many_dft_f", "execute_dft_f",
          "plan_many_dft_d", "execute_dft_d")


cdef int check_status(gc_status st) except -1:
    """The one place where a C status becomes a Python exception."""
    if st == GC_OK:
        return 0
    exc, msg = _STATUS.get(st, (RuntimeError, f"C kernel failed with status {st}"))
    raise exc(msg)


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
