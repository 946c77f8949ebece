"""The engine's public surface is what the agent loop and the CLI code against: it changes only on purpose."""

from __future__ import annotations

import pipelines.evaluate
import pipelines.report


def test_the_evaluate_package_exports_exactly_its_api() -> None:
    assert sorted(pipelines.evaluate.__all__) == [
        "BaselineResult",
        "Candidate",
        "CandidateResult",
        "Evaluator",
        "PointResult",
        "TestsResult",
        "Timing",
        "format_table",
    ]
    assert all(hasattr(pipelines.evaluate, name) for name in pipelines.evaluate.__all__)


def test_the_report_package_exports_exactly_its_api() -> None:
    assert sorted(pipelines.report.__all__) == [
        "Cost",
        "Report",
        "SCHEMA_VERSION",
        "method_text",
        "render_html",
        "render_markdown",
        "write_artifacts",
    ]
    assert all(hasattr(pipelines.report, name) for name in pipelines.report.__all__)
