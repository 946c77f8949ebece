"""The noise floor a verdict allows for is measured beside the candidates, not only before them.

The judge is replaced here by a scripted one that answers like the real one (the same JSON), so that the machine's
noise can be made to change between the baseline's A/A and the candidates' rounds: a burst that slows the
baseline's processes only while candidates are measured, as a CPU hog that comes and goes does. An unchanged
version must not be accepted from it, and a real speedup still must be.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipelines.config import Config, parse_config
from pipelines.evaluate import Candidate, Evaluator
from pipelines.evaluate.engine import BASE, BASE_COPY
from pipelines.select.selection import select

BASE_NS = 2_000_000
LOOPS = 4
SAME = "def f(x):\n    total = x\n    return total\n"
ORIGINAL = "def f(x):\n    return x\n"
FASTER = "def f(x):\n    fast = x  # twice as fast, says the scripted judge\n    return fast\n"


class ScriptedJudge:
    """Stands in for the sandbox's harness. Before any candidate the machine is quiet (the A/A within ±0.4%); while
    candidates are measured, every baseline process is slowed by `burst` (1.25: 25% slower), the judge's clock
    seeing it and nothing else. `speedups` gives a candidate's own real speedup by its staged name."""

    def __init__(self, burst: float, speedups: dict[str, float], copy_failure: str | None = None) -> None:
        self.burst, self.speedups, self.copy_failure = burst, speedups, copy_failure
        self.measured: list[list[str]] = []
        self.waited_s = 0.0

    def install(self) -> None:
        pass

    def stage(self, repo: Path, name: str, changed: dict[str, str] | None = None) -> str:
        return f"/w/v/{name}"

    def discard(self, name: str) -> None:
        pass

    def directory(self, name: str) -> str:
        return f"/w/v/{name}"

    def scratch(self, name: str) -> str:
        return f"/w/scratch/{name}"

    def run(self, command: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        if command == "tests":
            record = [{"e": "start"}, {"e": "test", "id": "t::one", "outcome": "passed"}, {"e": "finish"}]
            return {"returncode": 0, "output": "1 passed", "record": record, "left": 0}
        if command == "calibrate":
            return {"points": [{"loops": LOOPS} for _ in spec["points"]]}
        if command == "check":
            return {"inputs": 3, "skipped": [], "failures": {}}
        assert command == "measure"
        return self._measure(spec)

    def _measure(self, spec: dict[str, Any]) -> dict[str, Any]:
        names = [v["name"] for v in spec["versions"]]
        self.measured.append(names)
        candidates = len(names) > 2 or any(n not in (BASE, BASE_COPY) for n in names)
        points = []
        for index in range(len(spec["points"])):
            rounds = []
            for r in range(spec["rounds"]):
                wobble = 1.0 + 0.004 * (-1) ** (r + index)
                row = {}
                for name in names:
                    ns = BASE_NS * (wobble if name == BASE_COPY else 1.0)
                    if name == BASE and candidates:
                        ns *= self.burst
                    ns /= self.speedups.get(name, 1.0)
                    row[name] = {"cold_ns": ns, "warm_ns": ns, "loops": LOOPS, "peak_bytes": None, "import_ns": 1e7}
                rounds.append(row)
            points.append({"rounds": rounds})
        failures: dict[str, Any] = {}
        if self.copy_failure and candidates:
            failures[BASE_COPY] = {"point": 0, "round": 0, "failure": self.copy_failure}
        calibrated = {v["name"]: [LOOPS] * len(spec["points"]) for v in spec["versions"] if not v.get("loops")}
        calibrated.pop(BASE, None)
        return {"points": points, "failures": failures, "idle_bytes": 10 << 20, "seeded": True, "loops": calibrated}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(ORIGINAL)
    return tmp_path


def config() -> Config:
    return parse_config(
        {
            "target": {"files": ["m.py"]},
            "benchmark": {"entry": "m:f", "inputs": "m:make", "params": {"n": [10, 100]}, "weights": {}},
            "accept": {"min_speedup": 1.02},
        },
        "test.yml",
    )


def evaluated(repo: Path, judge: ScriptedJudge, files: dict[str, str]) -> list[Any]:
    sandbox = SimpleNamespace(workspace="/w", isolated=True, kind="docker")
    evaluator = Evaluator(repo, config(), sandbox)  # type: ignore[arg-type]
    evaluator._harness = judge  # type: ignore[assignment]
    evaluator.prepare()
    return evaluator.evaluate([Candidate(name, name, {"m.py": text}) for name, text in files.items()])


def test_an_unchanged_version_is_not_accepted_from_noise_that_came_after_the_baseline_a_a(repo: Path) -> None:
    judge = ScriptedJudge(burst=1.25, speedups={})
    [same] = evaluated(repo, judge, {"same": SAME})
    assert same.status == "rejected"
    assert same.noise is not None and same.noise > 0.2, same.noise
    assert "noise 2" in same.reason, same.reason  # the bar names the floor it used (about 25%)
    assert all(BASE_COPY in names for names in judge.measured[1:]), judge.measured


def test_without_the_burst_the_floor_is_the_one_measured_before(repo: Path) -> None:
    judge = ScriptedJudge(burst=1.0, speedups={})
    [same] = evaluated(repo, judge, {"same": SAME})
    assert same.status == "rejected"
    assert same.noise is not None and same.noise < 0.02, same.noise


def test_a_real_speedup_is_still_accepted_beyond_the_noise_measured_beside_it(repo: Path) -> None:
    judge = ScriptedJudge(burst=1.25, speedups={"c2": 2.0})
    same, faster = evaluated(repo, judge, {"same": SAME, "faster": FASTER})
    assert same.status == "rejected", same.reason
    assert faster.status == "accepted", faster.reason
    assert faster.noise is not None and faster.noise > 0.2
    assert faster.to_json()["noise"] == pytest.approx(faster.noise, abs=1e-4)


def test_selection_allows_for_the_noise_each_candidate_was_measured_with() -> None:
    from tests.pipelines.evaluate.test_score import result

    quiet, noisy = result("quiet", "accepted", 1.50, changed=1), result("noisy", "accepted", 1.70, changed=9)
    assert select([quiet, noisy], 0.01) is noisy
    noisy = noisy.__class__(**{**noisy.__dict__, "noise": 0.2})
    assert select([quiet, noisy], 0.01) is quiet  # 1.50 × 1.2 ≥ 1.70: within that noise, the smaller change


def test_when_the_copy_beside_them_fails_no_candidate_is_judged_on_those_rounds(repo: Path) -> None:
    judge = ScriptedJudge(burst=1.0, speedups={"c1": 2.0}, copy_failure="timed out after 5 s")
    [faster] = evaluated(repo, judge, {"faster": FASTER})
    assert faster.status == "rejected"
    assert "the baseline's own copy, measured beside it for the noise floor, failed" in faster.reason
    assert "timed out after 5 s" in faster.reason
