# The one place where a C status becomes a Python exception (included by every shim that calls
# a kernel returning gc_status; the codes are declared once, in _csrc.pxd).

_STATUS = {
    GC_ENULL: (RuntimeError, "internal error: NULL pointer passed to a C kernel"),
    GC_ENOMEM: (MemoryError, "out of memory in a C kernel"),
    GC_EBADSIZE: (ValueError, "a size or stride passed to a C kernel is impossible"),
    GC_EPLAN: (RuntimeError, "FFTW could not create a plan"),
    GC_EBADARG: (ValueError, "an enumerated argument passed to a C kernel is out of range"),
}


cdef int check_status(gc_status st) except -1:
    """Raise the exception that status ``st`` stands for (nothing for GC_OK)."""
    if st == GC_OK:
        return 0
    exc, msg = _STATUS.get(st, (RuntimeError, f"C kernel failed with status {st}"))
    raise exc(msg)
