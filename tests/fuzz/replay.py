"""Replay the call that was in progress when a fuzz run crashed or hung.

    python -m tests.fuzz.replay [path/to/last_call.pkl]

prints the call and runs it once per backend (in this process: a crash ends it again, now
with the call on screen; run it under gdb or the sanitizer build of ``.ci/sanitize`` to see
where).
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import gaborcore

from .harness import FUZZ_DIR, describe


def _target(name: str):
    """The public function of a recorded name (plan methods were pickled with their plan)."""
    base = name.split("(")[0].split("[")[0]
    obj = gaborcore
    for part in base.split("."):
        obj = getattr(obj, part, None) or getattr(gaborcore.nn, part, None) or getattr(
            gaborcore.operators, part, None)
        if obj is None:
            return None
    return obj


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else FUZZ_DIR / "last_call.pkl"
    name, args, kwargs = pickle.loads(path.read_bytes())
    if not isinstance(args, tuple):
        print(f"{name}: only a description was saved: {args} {kwargs}")
        return 1
    print(f"{name}{describe(args, kwargs)}", flush=True)
    fn = _target(name)
    if fn is None:
        print("not a module-level function: call it from the description above")
        return 1
    for backend in gaborcore.available_backends():
        try:
            fn(*args, **kwargs, backend=backend)
            print(f"  {backend}: returned")
        except TypeError:
            fn(*args, **kwargs)
            print("  returned (no backend argument)")
            break
        except gaborcore.ParameterError as e:
            print(f"  {backend}: ParameterError: {e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
