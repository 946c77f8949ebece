"""A pytest plugin (loaded as `perfbot_testrecord` with `-p`) that reports to the judge, on an inherited pipe,
every test's outcome as it happens and the end of the session: one JSON object a line.

    {"e": "start"}                                       the plugin is loaded (before any conftest)
    {"e": "test", "id": NODEID, "outcome": "passed"}     one per test: passed, failed, skipped, xfailed, xpassed
    {"e": "finish", "status": N, "tests": M}             pytest finished the session with exit status N

The pipe's descriptor comes in PERFBOT_RECORD_FD; the judge reads the other end, so a test run that exits
early (`os._exit`) leaves a record with no "finish". It runs in the same process as the code under test, so the
record is evidence, not proof: see docs/evaluation.md (threat model).
"""

import contextlib
import json
import os
import stat


def _open():
    fd = os.environ.pop("PERFBOT_RECORD_FD", "")
    if not fd.isdigit() or os.environ.get("PYTEST_XDIST_WORKER"):  # an xdist worker: the controller reports
        return None
    try:
        if not stat.S_ISFIFO(os.fstat(int(fd)).st_mode):
            return None
    except OSError:
        return None
    return int(fd)


def _write(event):
    if _FD is None:
        return
    line = (json.dumps(event) + "\n").encode("utf-8")
    with contextlib.suppress(OSError):
        os.write(_FD, line)


_FD = _open()
_write({"e": "start"})
_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report):
    nodeid = report.nodeid
    if report.when == "call" or (report.when == "setup" and not report.passed):
        xfail = "xfailed" if report.skipped else "xpassed"
        _outcomes[nodeid] = xfail if hasattr(report, "wasxfail") else report.outcome
    elif report.when == "teardown" and report.failed:
        _outcomes[nodeid] = "failed"
    if report.when == "teardown":
        _write({"e": "test", "id": nodeid, "outcome": _outcomes.get(nodeid, "passed")})


def pytest_sessionfinish(session, exitstatus):
    _write({"e": "finish", "status": int(exitstatus), "tests": len(_outcomes)})
