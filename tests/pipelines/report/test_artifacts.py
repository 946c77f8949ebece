"""The artifacts of a run, from hand-made results: schema, Markdown tables, a self-contained page, the patch."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from pipelines.config import Config, parse_config
from pipelines.evaluate.results import BaselineResult, CandidateResult, PointResult, TestsResult, Timing
from pipelines.report import Cost, Report, write_artifacts

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "templates" / "report.schema.json").read_text())
DIFF = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-slow\n+fast\n"


def config() -> Config:
    return parse_config(
        {
            "target": {"files": ["m.py"]},
            "benchmark": {
                "entry": "m:f",
                "inputs": "m:make",
                "params": {"n": [10, 100], "d": [2]},
                "metrics": {"time": 0.8, "memory": 0.2},
                "weights": {"n": {100: 2}},
            },
        },
        "test.yml",
    )


def passing_tests() -> TestsResult:
    return TestsResult(True, "python -m pytest -q", 0.5, None, "3 passed in 0.1s")


def baseline() -> BaselineResult:
    points = tuple(PointResult({"n": n, "d": 2}, Timing((n * 1e-4,) * 3, 5000)) for n in (10, 100))
    return BaselineResult(passing_tests(), points, 1.01, 0.02, {"n": 1.0}, 3)


def candidate(id: str, accepted: bool) -> CandidateResult:
    points = []
    for n in (10, 100):
        base, mine = Timing((n * 1e-4,) * 3, 5000), Timing((n * 2e-5,) * 3, 6000)
        points.append(PointResult({"n": n, "d": 2}, mine, base, {"time": 5.0, "memory": 5000 / 6000}))
    status = "accepted" if accepted else "rejected"
    return CandidateResult(
        id, f"agent 1, round 1, step {id}", status, "score 3.7 beats 1.07", passing_tests(), True, tuple(points), 3.7,
        {"n": 1.0}, ("m.py",), DIFF,
    )  # fmt: skip


def rejected_by_tests() -> CandidateResult:
    failed = TestsResult(False, "python -m pytest -q", 0.4, "FAILED tests/test_m.py::test_x - assert 1 | 2", "1 failed")
    return CandidateResult("t", "x.py", "rejected", f"tests fail: {failed.failure}", failed, None, (), None, {}, (), "")


def report(selected: str | None, isolated: bool = True) -> Report:
    return Report(
        baseline=baseline(),
        candidates=[candidate("c1", selected == "c1"), rejected_by_tests()],
        selected=selected,
        config=config(),
        sandbox_kind="docker" if isolated else "local",
        sandbox_isolated=isolated,
        run_id="r1",
        cost=Cost(input_tokens=10, output_tokens=5, usd=0.01),
        extra={"command": "test"},
    )


def test_report_json_follows_its_schema(tmp_path: Path) -> None:
    write_artifacts(report("c1"), tmp_path)
    data = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["schema_version"] == 1
    assert data["selected"] == "c1"
    assert data["candidates"][0]["points"][0]["ratios"] == {"time": 5.0, "memory": 0.8333}
    assert data["cost"] == {"input_tokens": 10, "output_tokens": 5, "usd": 0.01}


def test_the_schema_rejects_a_report_without_its_version(tmp_path: Path) -> None:
    data = report(None).to_json()
    del data["schema_version"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_report_md_has_a_table_per_size_and_the_method(tmp_path: Path) -> None:
    write_artifacts(report("c1"), tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert md.startswith("## perfbot: speed up `m.f` 5.0× at n=100")
    assert "| n | d | before | after | speedup | memory before | memory after |" in md  # no interval: column left out
    assert "| 100 | 2 | 10.00 ms | 2.00 ms | 5.0× | 4.9 KiB | 5.9 KiB |" in md
    method = md.split("### Method\n\n")[1].split("\n\n")[0]
    assert len(method.splitlines()) == 3
    assert method.splitlines()[1].startswith("Noise = how far the baseline measured against itself strays from 1")
    assert "no container isolated" not in md
    assert "assert 1 \\| 2" in md  # a pipe in a reason must not break the table


def test_report_md_says_when_no_container_isolated_the_code(tmp_path: Path) -> None:
    write_artifacts(report(None, isolated=False), tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "no container isolated the code" in md
    assert md.startswith("## perfbot: no faster version found")


def test_report_html_is_self_contained(tmp_path: Path) -> None:
    write_artifacts(report("c1"), tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "<svg" in html and "<table>" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "&lt;" not in report("c1").candidates[0].reason  # sanity: escaping is the template's job
    assert "+fast" in html


def test_patch_diff_is_the_selected_candidates_diff_or_empty(tmp_path: Path) -> None:
    write_artifacts(report("c1"), tmp_path / "a")
    write_artifacts(report(None), tmp_path / "b")
    assert (tmp_path / "a" / "patch.diff").read_text() == DIFF
    assert (tmp_path / "b" / "patch.diff").read_text() == ""


def test_a_selected_id_must_name_a_candidate() -> None:
    with pytest.raises(ValueError, match="'nope' is not among the candidates"):
        report("nope")


def test_an_agents_path_is_folded_into_a_line() -> None:
    from pipelines.report.build import brief_path

    path = ["view_file", "view_file", "replace", "evaluate 1.62", "finish"]
    assert brief_path(path) == "view_file ×2 → replace → evaluate 1.62 → finish"
    assert "more" in brief_path([f"bash {i}" for i in range(40)])
