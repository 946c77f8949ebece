"""The leaderboard's figures, drawn with matplotlib (Agg backend; SVG or PNG by the file's suffix).

`overview`         three panels: (a) geo-mean speedup per contestant with its 95% CI and the reference ceiling;
                   (b) speedup vs step budget (agents × steps × rounds) for the contestants held to one, each
                   K × M × R split its own marker (no line joins splits of one budget); (c) speedup vs what each
                   run actually used (wall seconds per run), every contestant, external agents included.
`speedup_vs_size`  one small panel per task: the shipped speedup at each grid point against the size axis, one
                   line per contestant (other axes as line styles), the reference dashed.

Error bars are drawn in full (axes are fitted to them, never clipped at 0); log axes get ticks at 1-2-5.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "perfbot-bench"  # stable element ids: same numbers, same file

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen before pyplot is imported)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

COLORS = [f"C{i}" for i in range(10)]
MARKERS = "osD^v<>ph*"
REFERENCE = "reference"


def overview(rows: list[dict[str, Any]], path: Path) -> bool:
    """Draws the three panels into `path`; False (nothing written) when no contestant has a measured speedup."""
    measured = [r for r in rows if r["geomean_speedup"]["mean"] is not None]
    if not measured:
        return False
    ceiling = _ceiling(measured)
    figure, (bars, budget, used) = plt.subplots(1, 3, figsize=(15, 4.8), gridspec_kw={"width_ratios": [1.1, 1, 1]})
    _bars(bars, measured, ceiling)
    _budget(budget, measured, ceiling)
    _used(used, measured, ceiling)
    figure.tight_layout()
    figure.savefig(path, metadata=_metadata(path))
    plt.close(figure)
    return True


def speedup_vs_size(rows: list[dict[str, Any]], path: Path) -> bool:
    """Draws one panel per task with a grid into `path`; False when no run shipped a candidate."""
    tasks = list(dict.fromkeys(task for row in rows for task in row["per_size"]))
    if not tasks:
        return False
    columns = min(3, len(tasks))
    lines = math.ceil(len(tasks) / columns)
    figure, axes = plt.subplots(lines, columns, figsize=(4.6 * columns, 3.3 * lines), squeeze=False)
    for ax, task in zip(axes.flat, tasks, strict=False):
        _size_panel(ax, task, rows)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in list(axes.flat)[1 : len(tasks)]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    figure.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), frameon=False)
    figure.suptitle("Speedup of the shipped candidate at each benchmark size (1.0 when nothing shipped)")
    figure.tight_layout(rect=(0, 0.07, 1, 0.96))
    figure.savefig(path, metadata=_metadata(path))
    plt.close(figure)
    return True


def _bars(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None) -> None:
    ordered = sorted(rows, key=lambda r: r["geomean_speedup"]["mean"])
    y = range(len(ordered))
    means = [r["geomean_speedup"]["mean"] for r in ordered]
    cis = [r["geomean_speedup"]["ci"] or 0.0 for r in ordered]
    colors = ["0.55" if r["contestant"] == REFERENCE else COLORS[i % len(COLORS)] for i, r in enumerate(ordered)]
    ax.barh(list(y), means, xerr=cis, color=colors, capsize=4, height=0.6, error_kw={"elinewidth": 1.2})
    ax.set_yticks(list(y), [_solved_label(r) for r in ordered])
    ax.axvline(1.0, color="0.3", linewidth=0.8)
    if ceiling is not None:
        ax.axvline(ceiling, color="black", linestyle="--", linewidth=1, label=f"reference {ceiling:.2f}x")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, max(m + c for m, c in zip(means, cis, strict=True)) * 1.12)
    ax.set_xlabel("geo-mean speedup over tasks (95% CI over repeats)")
    ax.set_title("(a) speedup per contestant")


def _budget(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None) -> None:
    held = [r for r in rows if (r.get("budget") or {}).get("total_steps")]
    families = list(dict.fromkeys(r["family"] for r in held))
    for i, family in enumerate(families):
        mine = sorted((r for r in held if r["family"] == family), key=lambda r: (_total(r), _agents(r)))
        totals = sorted({_total(r) for r in mine})
        for j, row in enumerate(mine):
            same = [r for r in mine if _total(r) == _total(row)]
            dodge = 1.06 ** (same.index(row) - (len(same) - 1) / 2)  # splits of one budget side by side
            _point(ax, _total(row) * dodge, row, COLORS[i % len(COLORS)], MARKERS[j % len(MARKERS)], row["contestant"])
        if len(totals) > 1:  # a line only joins different budgets: the best split at each
            best = [max((r for r in mine if _total(r) == t), key=_speedup) for t in totals]
            ax.plot(totals, [_speedup(r) for r in best], color=COLORS[i % len(COLORS)], linewidth=1, alpha=0.6)
    _ceiling_line(ax, ceiling)
    ax.set_xscale("log")
    _log_ticks(ax)
    ax.set_xlabel("step budget (agents × steps × rounds)")
    ax.set_ylabel("geo-mean speedup")
    ax.set_title("(b) speedup vs step budget")
    _fit_y(ax, held, ceiling)
    if held:
        ax.legend(fontsize=7, loc="best")
    else:
        ax.text(0.5, 0.5, "no contestant held to a step budget", ha="center", transform=ax.transAxes)


def _used(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None) -> None:
    spent = [r for r in rows if r["contestant"] != REFERENCE and (r.get("usage_per_run") or {}).get("wall_s")]
    for i, row in enumerate(spent):
        color = COLORS[i % len(COLORS)]
        _point(ax, row["usage_per_run"]["wall_s"], row, color, MARKERS[i % len(MARKERS)], row["contestant"])
    _ceiling_line(ax, ceiling)
    ax.set_xscale("log")
    _log_ticks(ax)
    ax.set_xlabel("wall seconds per run, as used (log)")
    ax.set_title("(c) speedup vs what a run used")
    _fit_y(ax, spent, ceiling)
    if spent:
        ax.legend(fontsize=7, loc="best")


def _size_panel(ax: Axes, task: str, rows: list[dict[str, Any]]) -> None:
    for i, row in enumerate(rows):
        grid = row["per_size"].get(task)
        if not grid:
            continue
        axis = _size_axis(grid)
        others = sorted({_rest(p["params"], axis) for p in grid})
        reference = row["contestant"] == REFERENCE
        for k, rest in enumerate(others):
            points = sorted((p["params"][axis], p["speedup"]) for p in grid if _rest(p["params"], axis) == rest)
            label = row["contestant"] + (f" ({rest})" if len(others) > 1 else "")
            ax.plot(
                [x for x, _ in points],
                [y for _, y in points],
                color="black" if reference else COLORS[i % len(COLORS)],
                linestyle="--" if reference else ["-", ":", "-.", (0, (5, 1))][k % 4],
                marker=MARKERS[i % len(MARKERS)],
                markersize=4,
                label=label,
            )
        ax.set_xlabel(axis)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _log_ticks(ax, y=True)
    ax.axhline(1.0, color="0.6", linewidth=0.8)
    ax.set_title(task, fontsize=10)
    ax.set_ylabel("speedup")


def _point(ax: Axes, x: float, row: dict[str, Any], color: Any, marker: str, label: str) -> None:
    mean_, ci = row["geomean_speedup"]["mean"], row["geomean_speedup"]["ci"]
    ax.errorbar([x], [mean_], yerr=[[ci or 0.0], [ci or 0.0]], fmt=marker, color=color, capsize=3, label=label)


def _ceiling_line(ax: Axes, ceiling: float | None) -> None:
    ax.axhline(1.0, color="0.6", linewidth=0.8)
    if ceiling is not None:
        ax.axhline(ceiling, color="black", linestyle="--", linewidth=1, label=f"reference {ceiling:.2f}x")


def _fit_y(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None) -> None:
    """Room for every error bar and the ceiling, whatever their size (a bar below 0 is shown below 0)."""
    lows = [_speedup(r) - (r["geomean_speedup"]["ci"] or 0) for r in rows] + [1.0]
    highs = [_speedup(r) + (r["geomean_speedup"]["ci"] or 0) for r in rows] + [1.0, ceiling or 1.0]
    pad = (max(highs) - min(lows)) * 0.08 or 0.1
    ax.set_ylim(min(lows) - pad, max(highs) + pad)


def _log_ticks(ax: Axes, y: bool = False) -> None:
    axes = [ax.xaxis, ax.yaxis] if y else [ax.xaxis]
    for axis in axes:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(NullFormatter())


def _ceiling(rows: list[dict[str, Any]]) -> float | None:
    return next((r["geomean_speedup"]["mean"] for r in rows if r["contestant"] == REFERENCE), None)


def _solved_label(row: dict[str, Any]) -> str:
    solved = row["solved"]["mean"]
    return f"{row['contestant']}\n{solved:.1f}/{row['tasks']} solved" if solved is not None else row["contestant"]


def _size_axis(grid: list[dict[str, Any]]) -> str:
    """The axis with the most values, 'n' on a tie."""
    axes = {axis: len({p["params"][axis] for p in grid}) for axis in grid[0]["params"]}
    return max(axes, key=lambda a: (axes[a], a == "n"))


def _rest(params: dict[str, Any], axis: str) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if k != axis)


def _total(row: dict[str, Any]) -> float:
    return float(row["budget"]["total_steps"])


def _agents(row: dict[str, Any]) -> int:
    return int(row["budget"].get("agents") or 0)


def _speedup(row: dict[str, Any]) -> float:
    return float(row["geomean_speedup"]["mean"])


def _metadata(path: Path) -> dict[str, Any]:
    """No creation date in the file, so the same numbers draw the same bytes (SVG and PNG)."""
    return {"Date": None} if path.suffix == ".svg" else {"Software": "perfbot bench"}
