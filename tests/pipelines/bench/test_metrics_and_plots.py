"""The metrics papers report (relative speedup, Opt@K, per size, per solved task) and the figures, on records
whose answers are known; nothing is run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from pipelines.bench import metrics, plot
from pipelines.bench.leaderboard import build
from tests.pipelines.bench.conftest import ok_record

SIZES = [{"n": 1000, "k": 4}, {"n": 8000, "k": 4}, {"n": 1000, "k": 32}, {"n": 8000, "k": 32}]


def run(
    contestant: str,
    task: str,
    repeat: int,
    speedup: float,
    *,
    kind: str = "perfbot",
    budget: dict[str, Any] | None = None,
    usd: float | None = None,
    wall_s: float = 10.0,
) -> dict[str, Any]:
    solved = speedup > 1.0
    points = [{"params": p, "speedup": speedup * (1 + i / 10), "interval": None} for i, p in enumerate(SIZES)]
    usage = {"input_tokens": 100, "output_tokens": 10, "usd": usd} if usd is not None else {}
    record = ok_record(
        contestant,
        task,
        repeat,
        speedup if solved else 1.0,
        solved,
        kind=kind,
        wall_s=wall_s,
        usage=usage,
        budget=budget,
    )
    return record | {"points": points if solved else None}


def perfbot_budget(agents: int, steps: int, rounds: int = 1) -> dict[str, Any]:
    return {"agents": agents, "steps": steps, "rounds": rounds, "total_steps": agents * steps * rounds}


def test_opt_at_k_is_the_unbiased_share_of_tasks_reaching_95_percent_of_the_reference() -> None:
    references = {"a": 4.0, "b": 2.0}
    records = [
        run("p", "a", 1, 3.9),  # >= 0.95 x 4.0 = 3.8: reaches it
        run("p", "a", 2, 3.0),
        run("p", "a", 3, 1.0),
        run("p", "b", 1, 1.5),
        run("p", "b", 2, 1.2),
        run("p", "b", 3, 1.0),
    ]
    assert metrics.opt_at_k(records, references, 1) == pytest.approx((1 / 3 + 0) / 2)
    assert metrics.opt_at_k(records, references, 2) == pytest.approx((1 - math.comb(2, 2) / math.comb(3, 2)) / 2)
    assert metrics.opt_at_k(records, references, 3) == pytest.approx(0.5)
    assert metrics.opt_at_k(records, references, 4) is None
    assert metrics.opt_curve(records, references) == {1: 0.1667, 2: 0.3333, 3: 0.5}


def test_the_reference_is_the_measured_one_when_it_ran_else_the_declared_one() -> None:
    records = [run("reference", "a", 1, 5.0, kind="reference"), run("reference", "a", 2, 3.0, kind="reference")]
    assert metrics.reference_speedups(records, {"a": 10.0, "b": 2.0, "c": None}) == {"a": 4.0, "b": 2.0}


def test_a_leaderboard_row_has_relative_speedups_opt_at_k_and_costs_per_solved_task() -> None:
    records = [run("reference", t, r, 4.0, kind="reference") for t in ("a", "b") for r in (1, 2)]
    records += [run("p", "a", 1, 4.0, usd=0.5, wall_s=20), run("p", "a", 2, 2.0, usd=0.5, wall_s=20)]
    records += [run("p", "b", 1, 1.0, usd=0.5, wall_s=20), run("p", "b", 2, 1.0, usd=0.5, wall_s=20)]
    rows = {row["contestant"]: row for row in build(records)}
    p = rows["p"]
    assert p["relative_per_task"] == {"a": 0.75, "b": 0.25}
    assert p["relative_to_reference"] == pytest.approx(math.sqrt(0.75 * 0.25))
    assert p["opt_at_k"] == {1: 0.25, 2: 0.5}
    assert (p["usd_per_solved"], p["wall_s_per_solved"]) == (1.0, 40.0)  # $2 and 80 s for 2 solved runs
    assert rows["reference"]["opt_at_k"] == {1: 1.0, 2: 1.0}
    [first, *_] = p["per_size"]["a"]
    assert first == {"params": SIZES[0], "speedup": 3.0, "runs": 2}
    assert p["per_size"]["b"][0]["speedup"] == 1.0  # task b: only the reference shipped; p counts 1.0


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    """A sweep at a fixed total of 8 steps (three splits), one at 2 steps, an external agent held to no step
    budget, and the reference; p@1x2 varies enough that its CI goes below zero."""
    records = []
    for r, noise in enumerate((0.0, 0.6, -0.6), start=1):
        for task in ("a", "b"):
            records.append(run("reference", task, r, 6.0, kind="reference"))
            records.append(run("p@1x8", task, r, 3.0 + noise, budget=perfbot_budget(1, 8)))
            records.append(run("p@2x4", task, r, 2.5 + noise, budget=perfbot_budget(2, 4)))
            records.append(run("p@2x2x2", task, r, 2.2 + noise, budget=perfbot_budget(2, 2, 2)))
            records.append(run("p@1x2", task, r, [1.0, 4.0, 1.0][r - 1], budget=perfbot_budget(1, 2)))
            aider_budget = {"steps": None, "total_steps": None, "enforced": ["timeout"]}
            records.append(run("aider", task, r, 1.5 + noise, kind="command", budget=aider_budget, wall_s=60))
    for row in (built := build(records)):
        row["family"] = row["contestant"].split("@")[0]
    return built


def test_the_overview_keeps_the_reference_ceiling_and_every_error_bar_whole(rows: list[dict[str, Any]]) -> None:
    figure = plot.overview_figure(rows)
    assert figure is not None
    bars, budget, used = figure.axes
    reference = next(r for r in rows if r["contestant"] == "reference")["geomean_speedup"]["mean"]
    for ax in (bars, budget, used):
        assert any(f"reference {reference:.2f}x" == line.get_label() for line in ax.get_lines() + ax.patches) or any(
            line.get_xdata()[0] == reference for line in ax.get_lines()
        )
    low = min(r["geomean_speedup"]["mean"] - (r["geomean_speedup"]["ci"] or 0) for r in rows)
    assert low < 0 and budget.get_ylim()[0] < low  # the bar below zero is drawn in full
    assert budget.get_ylim()[1] > reference


def test_the_budget_panel_places_only_contestants_held_to_a_step_budget(rows: list[dict[str, Any]]) -> None:
    figure = plot.overview_figure(rows)
    assert figure is not None
    _, budget, used = figure.axes
    labels = {text.get_text() for text in budget.get_legend().get_texts()}
    assert "aider" not in labels and {"p@1x8", "p@2x4", "p@2x2x2", "p@1x2"} <= labels
    assert "aider" in {text.get_text() for text in used.get_legend().get_texts()}
    joined = [line for line in budget.get_lines() if line.get_gid() == "across"]
    assert [list(line.get_xdata()) for line in joined] == [[2.0, 8.0]]  # one line across budgets, none within one


def test_log_axes_are_labelled_at_the_budgets_and_between_powers_of_ten(rows: list[dict[str, Any]]) -> None:
    figure = plot.overview_figure(rows)
    assert figure is not None
    _, budget, used = figure.axes
    figure.canvas.draw()
    assert [t.get_text() for t in budget.get_xticklabels()] == ["2", "8"]
    assert used.get_xscale() == "linear"  # 10 s to 60 s: less than a decade, so no log axis with one tick
    assert used.get_xlim()[0] == 0 and {"20", "40"} <= {t.get_text() for t in used.get_xticklabels()}


def test_the_size_figure_has_one_panel_per_task_with_each_contestant(rows: list[dict[str, Any]]) -> None:
    figure = plot.size_figure(rows)
    assert figure is not None
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["a\nsolid k=4, dotted k=32", "b\nsolid k=4, dotted k=32"]
    assert panels[0].get_xlabel() == "n"
    labels = [line.get_label() for line in panels[0].get_lines()]
    assert {"reference", "aider", "p@1x8"} <= set(labels) and labels.count("reference") == 1
    assert [t.get_text() for t in panels[0].get_xticklabels()] == ["1000", "8000"]


def test_figures_are_written_as_svg_and_png(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    assert plot.overview(rows, tmp_path / "o.svg") and plot.speedup_vs_size(rows, tmp_path / "s.png")
    assert "<svg" in (tmp_path / "o.svg").read_text() and (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    assert not plot.overview([], tmp_path / "none.svg") and not (tmp_path / "none.svg").exists()
