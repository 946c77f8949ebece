"""The tests command, run by the judge on a fresh copy of one version. Stdlib only.

The copy belongs to the judge: its files cannot be changed by the tests (directories are sticky and writable, so
tests may create files, but never replace or edit the repository's own), and it is deleted afterwards. The
command runs as the candidate user with pytest's record plugin (testrecord.py) reporting each test on a pipe the
judge reads; afterwards every process the command left is killed and counted.
"""

import contextlib
import json
import os
import shutil
import stat
import subprocess

from procs import HARNESS, Drain

PLUGIN_DIR = "plugins"
PLUGIN = "perfbot_testrecord"
KEEP_OUTPUT = 32 * 1024
MAX_RECORD = 8 << 20


def run_tests(box, spec):
    """{"returncode", "timed_out", "output", "record", "left"} for spec's command on a copy of spec["dir"]."""
    work = spec["work"]
    _copy(spec["dir"], work, sticky=box.uid is not None)
    record_r, record_w = os.pipe()
    output_r, output_w = os.pipe()
    env = box.environment(
        {
            "PERFBOT_RECORD_FD": str(record_w),
            "PYTEST_ADDOPTS": f"-p {PLUGIN}",
            "PYTHONPATH": os.pathsep.join(_pythonpath(work, spec.get("pythonpath", []))),
        }
    )
    proc = box.popen(["sh", "-c", spec["command"]], work, env, (record_w,), output_w)
    os.close(record_w)
    os.close(output_w)
    output = Drain(output_r, 1 << 62, KEEP_OUTPUT)
    record = Drain(record_r, MAX_RECORD, MAX_RECORD)
    output.start()
    record.start()
    timed_out = False
    try:
        proc.wait(timeout=spec["timeout"])
    except subprocess.TimeoutExpired:
        timed_out = True
    left = box.clean(proc, [work])
    output.join(10)
    record.join(10)
    _remove(work)
    return {
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "output": output.text(),
        "record": _events(record.text()),
        "left": left,
    }


def _pythonpath(work, entries):
    """The record plugin's directory, then the version's own import roots (a src layout) in its copy."""
    return [os.path.join(HARNESS, PLUGIN_DIR)] + [os.path.join(work, entry) if entry else work for entry in entries]


def _events(text):
    events = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            if isinstance(event, dict):
                events.append(event)
    return events


def _copy(source, dest, sticky):
    """A copy owned by the judge: files keep their bits but lose write permission for others; with `sticky`
    directories are world-writable and sticky (new files yes, changing the copied ones no)."""
    _remove(dest)
    shutil.copytree(source, dest, symlinks=True, copy_function=shutil.copy)
    if not sticky:
        return
    for root, _dirs, files in os.walk(dest):
        os.chmod(root, 0o1777)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) & 0o755)


def _remove(path):
    if os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)
