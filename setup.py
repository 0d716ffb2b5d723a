"""Build the compiled core of gaborcore.

Only the extension list and a ``build_ext`` that probes OpenMP with the compiler that builds the
extensions.  The extensions are optional: without a working compiler the install still succeeds and
the numba / numpy backends serve.  ``GABORCORE_STRICT_BUILD=1`` makes a failed compile fatal (CI).
"""

import os
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

STRICT = os.environ.get("GABORCORE_STRICT_BUILD", "0") not in ("", "0", "false", "False")

OPENMP_PROBE = r"""
#include <omp.h>
int main(void) {
    int n = 0;
    #pragma omp parallel num_threads(2) reduction(+:n)
    n += omp_get_num_threads() > 0;
    return n > 0 ? 0 : 1;
}
"""


def _compiler_flags(compiler_type):
    if compiler_type == "msvc":
        return ["/O2"], ["/openmp"], []
    return ["-O3", "-std=c99", "-fno-math-errno"], ["-fopenmp"], ["-fopenmp"]


class BuildExt(build_ext):
    """Probe OpenMP with the very compiler object that builds the extensions."""

    def _has_openmp(self, cflags, ldflags):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe_omp.c")
            with open(src, "w") as fh:
                fh.write(OPENMP_PROBE)
            try:
                objs = self.compiler.compile([src], output_dir=tmp, extra_postargs=cflags)
                self.compiler.link_executable(
                    objs, os.path.join(tmp, "probe_omp"), extra_postargs=ldflags
                )
            except Exception:  # noqa: BLE001 - any failure means "no OpenMP"
                return False
        return True

    def build_extensions(self):
        base, omp_c, omp_l = _compiler_flags(self.compiler.compiler_type)
        use_omp = os.environ.get("GABORCORE_DISABLE_OPENMP", "0") in ("", "0") and self._has_openmp(
            omp_c, omp_l
        )
        if not use_omp:
            print("gaborcore: OpenMP not available; the C kernels will run on one thread",
                  file=sys.stderr)
        for ext in self.extensions:
            ext.extra_compile_args = list(base) + (omp_c if use_omp else [])
            ext.extra_link_args = omp_l if use_omp else []
            ext.define_macros = list(ext.define_macros or []) + [
                ("GC_HAVE_OPENMP", "1" if use_omp else "0"),
                ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
            ]
        super().build_extensions()

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            if STRICT:
                raise
            print(
                f"gaborcore: WARNING: building {ext.name} failed ({exc}); "
                "the numba/numpy backends will be used instead",
                file=sys.stderr,
            )

    def run(self):
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - e.g. no compiler at all
            if STRICT:
                raise
            print(f"gaborcore: WARNING: compiled core not built ({exc})", file=sys.stderr)


def _extensions():
    try:
        import numpy
        from Cython.Build import cythonize
    except ImportError as exc:
        if STRICT:
            raise
        print(f"gaborcore: WARNING: cannot cythonize ({exc})", file=sys.stderr)
        return []
    common = dict(include_dirs=["csrc", numpy.get_include()], language="c")
    # (module, sources, headers): one Cython shim per kernel family, C sources from csrc/
    table = [
        ("_stft", ["csrc/gc_stft.c"], ["gc_stft.h", "gc_stft_impl.h"]),
        ("_nn", ["csrc/gc_nn.c"], ["gc_nn.h", "gc_nn_impl.h", "gc_nn_conv_impl.h",
                                      "gc_nn_dense_impl.h", "gc_nn_pool_impl.h"]),
        ("_nsgt", ["csrc/gc_nsgt.c"], ["gc_nsgt.h", "gc_nsgt_impl.h", "gc_nsgt_plan_impl.h",
                                          "gc_nsgt_bigfft_impl.h", "gc_nsgt_bigifft_impl.h"]),
        ("_wav", ["csrc/gc_wav.c"], ["gc_wav.h"]),
    ]
    exts = [
        Extension(
            f"gaborcore._ext.{name}",
            [f"src/gaborcore/_ext/{name}.pyx", *sources],
            depends=[f"csrc/{h}" for h in ("gc_common.h", "gc_fftw.h", *headers)]
            + ["src/gaborcore/_ext/_common.pxi", "src/gaborcore/_ext/_status.pxi",
               "src/gaborcore/_ext/_csrc.pxd"],
            **common,
        )
        for name, sources, headers in table
    ]
    try:
        exts = cythonize(
            exts,
            compiler_directives={"language_level": "3", "boundscheck": False,
                                 "wraparound": False, "cdivision": True},
        )
    except Exception as exc:  # noqa: BLE001
        if STRICT:
            raise
        print(f"gaborcore: WARNING: cythonize failed ({exc})", file=sys.stderr)
        return []
    # cythonize() drops Extension(optional=...): set it again so that a failed compile of one
    # extension does not abort the whole install (unless the build is strict).
    for ext in exts:
        ext.optional = not STRICT
    return exts


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
