"""The judge against candidates written to fool it (redteam/attacks/, one or more per class of issue 11), through
`perfbot evaluate --sandbox docker` as a user runs it. Each must be rejected with a reason that names what it did,
the honest fast version must still be accepted, and the poisoners evaluated first must change nothing for the
candidates after them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.cli import main
from pipelines.config import load_config
from pipelines.evaluate import Candidate, Evaluator
from sandbox.base import Sandbox
from tests.conftest import committed_copy, needs_docker

pytestmark = needs_docker()

HERE = Path(__file__).parent / "redteam"
ATTACKS = HERE / "attacks"
SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "templates" / "report.schema.json").read_text())
NAMED = {
    "c1_clock_patch.py": ["the clock", "assigns time.perf_counter", "the memory tracer"],
    "c2_precompute.py": ["the environment", "the command line", "file writes"],
    "c3_lazy.py": ["outputs differ", "gaps.LazyGap", "where the baseline gave int"],
    "c3_reduce.py": ["outputs differ", "defines __reduce__"],
    "c4_forge.py": ["exited with status 0 during importing gaps:smallest_gap without answering", "/proc"],
    "c5_tamper.py": ["file writes: open(..., 'a')"],
    "c6_daemon.py": ["its tests left 1 process(es) running", "os.fork", "signals"],
    "c7_exit.py": ["pytest never finished its session", "os._exit"],
    "c8_mmap.py": ["mmap"],
    "c9_duplicates.py": ["outputs differ", "with every item twice", "the baseline returned 0"],
    "x_clear_refs.py": ["/proc/self/clear_refs"],
    "x_fork.py": ["raised PermissionError", "os.fork"],
    "x_hide_mutation.py": ["the call changed its input differently", "sys.modules"],
    "x_malformed_outcomes.py": ["malformed: TypeError", "sys.modules"],
    "x_rewrite_tests.py": ["tests fail: FAILED tests/test_gaps.py::"],
    "x_wrong_late.py": ["outputs differ at n=", "the return value"],
    "x_secrets.py": [],
    "x_spoil_copy.py": ["paired rounds", "signals", "file writes"],
    "x_zygote.py": ["paired rounds", "signals", "/proc"],
}
"""Each attack, and what its rejection must name (besides being a rejection)."""
LAST = ["noop_rename.py", "honest_fast.py"]
"""Evaluated after every attack: a poisoned judge would show here."""


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return committed_copy(HERE / "task", tmp_path_factory.mktemp("redteam") / "task", "the red-team task")


@pytest.fixture(scope="module")
def report(task: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("redteam-out")
    files = [*NAMED, *LAST]
    arguments = [argument for name in files for argument in ("--candidate", f"gaps.py={ATTACKS / name}")]
    assert main(["evaluate", str(task), "--sandbox", "docker", "--out", str(out), *arguments]) == 0
    loaded: dict[str, Any] = json.loads((out / "report.json").read_text())
    return loaded


def by_file(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(c["origin"]).name: c for c in report["candidates"]}


@pytest.mark.parametrize("attack", sorted(NAMED))
def test_each_attack_is_rejected_with_a_reason_naming_what_it_did(report: dict[str, Any], attack: str) -> None:
    result = by_file(report)[attack]
    assert result["status"] == "rejected", result["reason"]
    for fragment in NAMED[attack]:
        assert fragment in result["reason"], (fragment, result["reason"])


def test_a_worker_cannot_reach_the_zygote_it_was_forked_from(report: dict[str, Any]) -> None:
    """x_zygote says "ESCAPED" (and exits) if any way to its root parent worked: none did, so it was measured."""
    result = by_file(report)["x_zygote.py"]
    assert "ESCAPED" not in result["reason"] and result["rounds"] >= 5, result["reason"]


def test_the_honest_fast_version_is_still_accepted_and_selected(report: dict[str, Any]) -> None:
    honest = by_file(report)["honest_fast.py"]
    assert honest["status"] == "accepted", honest["reason"]
    assert report["selected"] == honest["id"]
    assert honest["score"] > 3


def test_every_measured_candidate_was_judged_with_the_baselines_copy_timed_beside_it(report: dict[str, Any]) -> None:
    """The A/A beside the candidates ran through the real judge, whatever x_spoil_copy did in the same rounds."""
    measured = [c for c in report["candidates"] if c["rounds"]]
    assert len(measured) >= 3, [c["reason"] for c in report["candidates"]]
    for candidate in measured:
        assert candidate["noise"] is not None and candidate["noise"] >= report["baseline"]["noise"], candidate
        assert "own copy" not in candidate["reason"], candidate["reason"]


def test_the_same_work_after_the_poisoners_is_not_faster(report: dict[str, Any]) -> None:
    noop = by_file(report)["noop_rename.py"]
    assert noop["status"] == "rejected", noop["reason"]
    assert noop["rounds"] >= 5 and not noop["reason"].startswith("no change")


@pytest.mark.parametrize("attack", ["c8_mmap.py", "x_clear_refs.py"])
def test_memory_outside_tracemalloc_and_a_reset_peak_still_count(report: dict[str, Any], attack: str) -> None:
    points = by_file(report)[attack]["points"]
    assert points and all(p["peak_bytes"] >= 60 << 20 for p in points), points


def test_the_report_states_the_method_and_validates(report: dict[str, Any]) -> None:
    jsonschema.validate(report, SCHEMA)
    method = report["baseline"]["method"]
    assert method["seeded"] is True and method["tests_checked"] == "per test" and method["isolated"] is True


@pytest.fixture(scope="module")
def judged(task: Path) -> Any:
    from sandbox.factory import open_sandbox

    with open_sandbox("docker", label="test-redteam", benchmark=True) as sandbox:
        evaluator = Evaluator(task, load_config(task), sandbox)
        evaluator.prepare()
        yield evaluator, sandbox


def _state(sandbox: Sandbox) -> str:
    listing = sandbox.execute(
        "find harness v/base -type f | sort | xargs sha256sum; ps -u 1000 -o pid=,comm=; ls -A /tmp /dev/shm",
        timeout=60,
        trusted=True,
    )
    return listing.output


def test_poisoners_leave_the_judge_its_baseline_and_the_machine_as_they_were(judged: Any, task: Path) -> None:
    evaluator, sandbox = judged
    before = _state(sandbox)
    assert "harness/__pycache__/worker." in before and "harness/__pycache__/wire." in before  # what workers load
    poisoners = [
        Candidate(name, name, {"gaps.py": (ATTACKS / name).read_text()}) for name in ("c5_tamper.py", "c6_daemon.py")
    ]
    results = evaluator.evaluate(poisoners)
    assert [r.status for r in results] == ["rejected", "rejected"]
    assert _state(sandbox) == before
    [honest] = evaluator.evaluate(
        [Candidate("honest", "honest", {"gaps.py": (ATTACKS / "honest_fast.py").read_text()})]
    )
    assert honest.status == "accepted", honest.reason


def test_the_tests_copy_cannot_be_changed_but_new_files_are_allowed(judged: Any) -> None:
    evaluator, sandbox = judged
    writer = """import pathlib, sys
if "pytest" in sys.modules:
    pathlib.Path("made-by-the-tests.txt").write_text("new files are fine")
    try:
        pathlib.Path("tests/test_gaps.py").write_text("")
    except OSError as e:
        pathlib.Path("refused.txt").write_text(str(e))
""" + (ATTACKS / "honest_fast.py").read_text()
    [result] = evaluator.evaluate([Candidate("writer", "writer", {"gaps.py": writer})])
    assert result.status == "accepted", result.reason
    assert "file writes" in "; ".join(result.warnings)
    assert sandbox.execute("ls -A scratch", timeout=30, trusted=True).output.split() == [".perfbot"]


def test_the_corpus_covers_every_class_of_the_issue() -> None:
    classes = {name.split("_", 1)[0] for name in NAMED if name.startswith("c")}
    assert classes == {f"c{i}" for i in range(1, 10)}
    assert sorted(path.name for path in ATTACKS.glob("*.py")) == sorted([*NAMED, *LAST])


def test_being_wrong_after_a_processs_first_calls_is_caught_in_the_measured_rounds(report: dict[str, Any]) -> None:
    """x_wrong_late passes the tests and the output checks off the grid (its first 20 calls are right); the calls
    the baseline also made, hidden among a fast version's many, catch it (a check's reason names a variant or a
    fresh seed; a round's names the grid point and shows the input)."""
    reason = by_file(report)["x_wrong_late.py"]["reason"]
    assert re.search(r"^outputs differ at n=\d+ \(input: ", reason), reason
