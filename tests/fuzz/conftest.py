"""Hypothesis profiles of the fuzz suite and its report.

``GABORCORE_FUZZ_PROFILE``: ``ci`` (default; part of the normal test run, a couple of minutes on
two cores), ``medium`` (about ten times more) or ``long`` (at least 1e5 calls: the acceptance run
of issue 13)::

    GABORCORE_FUZZ_PROFILE=long python -m pytest tests/fuzz -p no:cacheprovider

Failing examples are kept in hypothesis' database (``.hypothesis/``) and replayed first on the
next run; the call in progress when a crash or hang ended the process is in
``.hypothesis/gaborcore-fuzz/last_call.pkl`` (``python -m tests.fuzz.replay`` runs it again).
Outcome counts go to ``.hypothesis/gaborcore-fuzz/report-<profile>.json`` and the summary line.
"""

import faulthandler
import os

from hypothesis import HealthCheck, Phase, settings

from . import harness

_COMMON = dict(
    deadline=None,  # the watchdog in harness.py detects hangs; timing varies on shared machines
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
settings.register_profile("ci", max_examples=150, derandomize=True, **_COMMON)
settings.register_profile("medium", max_examples=400, **_COMMON)
settings.register_profile("long", max_examples=2500, **_COMMON)
settings.register_profile("replay", max_examples=1, phases=[Phase.explicit, Phase.reuse],
                          **_COMMON)
settings.load_profile(harness.PROFILE)

faulthandler.enable()


def pytest_terminal_summary(terminalreporter):
    if not harness.counts:
        return
    report = harness.FUZZ_DIR / f"report-{harness.PROFILE}.json"
    summary = harness.write_report(report)
    main = {k: v for k, v in summary.items() if ":" not in k}
    terminalreporter.write_line(f"gaborcore fuzz ({report}): {main}")


os.environ.setdefault("GABORCORE_FUZZ_ACTIVE", "1")
