"""The leaderboard's figures, drawn with matplotlib (Agg backend; SVG or PNG by the file's suffix).

`overview`         three panels: (a) geo-mean speedup per contestant with its 95% CI and the reference ceiling;
                   (b) speedup vs step budget (agents × steps × rounds) for the contestants held to one, each
                   K × M × R split its own marker (no line joins splits of one budget); (c) speedup vs what each
                   run actually used (wall seconds per run), every contestant, external agents included.
`speedup_vs_size`  one small panel per task: the shipped speedup at each grid point against the size axis, one
                   line per contestant (other axes as line styles, named in the panel's title), the reference in
                   thick black.

Error bars are drawn in full (axes are fitted to them, never clipped at 0); log axes get ticks at 1-2-5.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "perfbot-bench"  # stable element ids: same numbers, same file

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen before pyplot is imported)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

COLORS = [f"C{i}" for i in range(10)]
MARKERS = "osD^v<>ph*"
REFERENCE = "reference"


def overview(rows: list[dict[str, Any]], path: Path) -> bool:
    """Draws the three panels into `path`; False (nothing written) when no contestant has a measured speedup."""
    return _save(overview_figure(rows), path)


def speedup_vs_size(rows: list[dict[str, Any]], path: Path) -> bool:
    """Draws one panel per task with a grid into `path`; False when no run shipped a candidate."""
    return _save(size_figure(rows), path)


def overview_figure(rows: list[dict[str, Any]]) -> Figure | None:
    measured = [r for r in rows if r["geomean_speedup"]["mean"] is not None]
    if not measured:
        return None
    ceiling = _ceiling(measured)
    others = [r["contestant"] for r in measured if r["contestant"] != REFERENCE]
    colors = {name: COLORS[i % len(COLORS)] for i, name in enumerate(others)} | {REFERENCE: "0.45"}
    figure, (bars, budget, used) = plt.subplots(1, 3, figsize=(15, 4.8), gridspec_kw={"width_ratios": [1.1, 1, 1]})
    _bars(bars, measured, ceiling, colors)
    _budget(budget, measured, ceiling, colors)
    _used(used, measured, ceiling, colors)
    figure.tight_layout()
    return figure


def size_figure(rows: list[dict[str, Any]]) -> Figure | None:
    tasks = list(dict.fromkeys(task for row in rows for task in row["per_size"]))
    if not tasks:
        return None
    columns = min(3, len(tasks))
    lines = math.ceil(len(tasks) / columns)
    figure, axes = plt.subplots(lines, columns, figsize=(4.2 * columns + 2, 3.3 * lines), squeeze=False)
    others = [r["contestant"] for r in rows if r["contestant"] != REFERENCE]
    colors = {name: COLORS[i % len(COLORS)] for i, name in enumerate(others)} | {REFERENCE: "black"}
    for ax, task in zip(axes.flat, tasks, strict=False):
        _size_panel(ax, task, rows, colors)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in list(axes.flat)[1 : len(tasks)]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    figure.legend(handles, labels, loc="center right", frameon=False)
    figure.suptitle("Speedup of the shipped candidate at each benchmark size (1.0 when nothing shipped)")
    figure.tight_layout(rect=(0, 0, 1 - 1.9 / figure.get_figwidth(), 0.96))
    return figure


def _save(figure: Figure | None, path: Path) -> bool:
    if figure is None:
        return False
    figure.savefig(path, metadata=_metadata(path), dpi=110, bbox_inches="tight")
    plt.close(figure)
    return True


def _bars(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None, colors: dict[str, Any]) -> None:
    ordered = sorted(rows, key=lambda r: r["geomean_speedup"]["mean"])
    y = range(len(ordered))
    means = [r["geomean_speedup"]["mean"] for r in ordered]
    cis = [r["geomean_speedup"]["ci"] or 0.0 for r in ordered]
    shades = [colors[r["contestant"]] for r in ordered]
    ax.barh(list(y), means, xerr=cis, color=shades, capsize=4, height=0.6, error_kw={"elinewidth": 1.2})
    ax.set_yticks(list(y), [_solved_label(r) for r in ordered])
    ax.axvline(1.0, color="0.3", linewidth=0.8)
    if ceiling is not None:
        ax.axvline(ceiling, color="black", linestyle="--", linewidth=1, label=f"reference {ceiling:.2f}x")
        ax.legend(loc="lower right", fontsize=8)
    low = min([0.0, *(m - c for m, c in zip(means, cis, strict=True))])
    high = max([ceiling or 0.0, *(m + c for m, c in zip(means, cis, strict=True))])
    ax.set_xlim(low - 0.04 * (high - low), high + 0.08 * (high - low))
    ax.set_xlabel("geo-mean speedup over tasks (95% CI over repeats)")
    ax.set_title("(a) speedup per contestant")


def _budget(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None, colors: dict[str, Any]) -> None:
    held = [r for r in rows if (r.get("budget") or {}).get("total_steps")]
    families = list(dict.fromkeys(r["family"] for r in held))
    ordered = sorted(held, key=lambda r: (_total(r), families.index(r["family"]), _agents(r)))
    for row in ordered:
        same = [r for r in ordered if _total(r) == _total(row)]
        dodge = 1.07 ** (same.index(row) - (len(same) - 1) / 2)  # points at one budget side by side
        marker = MARKERS[families.index(row["family"]) % len(MARKERS)]
        _point(ax, _total(row) * dodge, row, colors[row["contestant"]], marker, row["contestant"])
    for family in families:
        mine = [r for r in ordered if r["family"] == family]
        totals = sorted({_total(r) for r in mine})
        if len(totals) > 1:  # a line only joins different budgets: the best split at each
            best = [max((r for r in mine if _total(r) == t), key=_speedup) for t in totals]
            ax.plot(totals, [_speedup(r) for r in best], color="0.5", lw=1, alpha=0.7, ls=":", gid="across")
    _ceiling_line(ax, ceiling)
    ax.set_xscale("log")
    _log_ticks(ax)
    budgets = sorted({_total(r) for r in held})
    if budgets:
        ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
        ax.set_xlim(budgets[0] / 1.5, budgets[-1] * 1.5)
    ax.set_xlabel("step budget (agents × steps × rounds); splits of one budget side by side")
    ax.set_ylabel("geo-mean speedup")
    ax.set_title("(b) speedup vs step budget")
    _fit_y(ax, held, ceiling)
    if held:
        ax.legend(fontsize=7, loc="best")
    else:
        ax.text(0.5, 0.5, "no contestant held to a step budget", ha="center", transform=ax.transAxes)


def _used(ax: Axes, rows: list[dict[str, Any]], ceiling: float | None, colors: dict[str, Any]) -> None:
    spent = [r for r in rows if r["contestant"] != REFERENCE and (r.get("usage_per_run") or {}).get("wall_s")]
    families = list(dict.fromkeys(r["family"] for r in spent))
    for row in spent:
        marker = MARKERS[families.index(row["family"]) % len(MARKERS)]
        _point(ax, row["usage_per_run"]["wall_s"], row, colors[row["contestant"]], marker, row["contestant"])
    _ceiling_line(ax, ceiling)
    used = [r["usage_per_run"]["wall_s"] for r in spent] or [1.0]
    if max(used) / min(used) >= 10:  # a log axis only when the times span a decade
        ax.set_xscale("log")
        _log_ticks(ax)
        ax.set_xlim(min(used) / 1.25, max(used) * 1.25)
        ax.set_xlabel("wall seconds per run, as used (log)")
    else:
        ax.set_xlim(0, max(used) * 1.15)
        ax.set_xlabel("wall seconds per run, as used")
    ax.set_title("(c) speedup vs what a run used")
    _fit_y(ax, spent, ceiling)
    if spent:
        ax.legend(fontsize=7, loc="best")


def _size_panel(ax: Axes, task: str, rows: list[dict[str, Any]], colors: dict[str, Any]) -> None:
    """x: the size axis; the other axes' values are line styles, named in the panel's title."""
    styles = ["-", ":", "-.", (0, (5, 1))]
    title, xs = task, set[float]()
    for i, row in enumerate(rows):
        grid = row["per_size"].get(task)
        if not grid:
            continue
        axis = _size_axis(grid)
        others = sorted({_rest(p["params"], axis) for p in grid}, key=_natural)
        if len(others) > 1:
            names = {"-": "solid", ":": "dotted", "-.": "dash-dot"}
            title = f"{task}\n" + ", ".join(
                f"{names.get(str(styles[k % 4]), 'dashed')} {rest}" for k, rest in enumerate(others)
            )
        reference = row["contestant"] == REFERENCE
        for k, rest in enumerate(others):
            points = sorted((p["params"][axis], p["speedup"]) for p in grid if _rest(p["params"], axis) == rest)
            xs.update(x for x, _ in points)
            ax.plot(
                [x for x, _ in points],
                [y for _, y in points],
                color=colors[row["contestant"]],
                linestyle=styles[k % 4],
                linewidth=2.2 if reference else 1.4,
                marker=MARKERS[i % len(MARKERS)],
                markersize=4,
                label=row["contestant"] if k == 0 else "_nolegend_",
            )
        ax.set_xlabel(axis)
    ax.set_xscale("log")
    ax.set_yscale("log")
    _log_ticks(ax, y=True)
    if xs:
        ticks = sorted(xs)
        ax.set_xticks(ticks, [f"{x:g}" for x in ticks])
        ax.set_xlim(ticks[0] / 1.3, ticks[-1] * 1.3)
    ax.axhline(1.0, color="0.6", linewidth=0.8)
    ax.set_title(title, fontsize=9)
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


def _natural(text: str) -> list[Any]:
    """'k=8' before 'k=64': numbers compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _total(row: dict[str, Any]) -> float:
    return float(row["budget"]["total_steps"])


def _agents(row: dict[str, Any]) -> int:
    return int(row["budget"].get("agents") or 0)


def _speedup(row: dict[str, Any]) -> float:
    return float(row["geomean_speedup"]["mean"])


def _metadata(path: Path) -> dict[str, Any]:
    """No creation date in the file, so the same numbers draw the same bytes (SVG and PNG)."""
    return {"Date": None} if path.suffix == ".svg" else {"Software": "perfbot bench"}
