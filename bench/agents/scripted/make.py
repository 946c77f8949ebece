"""Writes the scripted sessions of the worked example in docs/bench.md (two prompt variants, A and B).

Each session stands in for what a model did on a task under one prompt: B ("find the complexity class first")
writes the task's known-good solution; A ("make it faster") does the same on most tasks but writes the task's
plausible wrong optimization on four of them, after a `replace` that misses. Run from the repository root:

    python bench/agents/scripted/make.py
"""

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SUITE = HERE.parents[1] / "tasks"
A_GOES_WRONG = {"dedupe-order", "parse-kv", "poly-mod", "top-k-scores"}


def session(task: Path, version: str, miss_first: bool) -> list:
    files = sorted(p for p in (task / version).rglob("*.py") if "__pycache__" not in p.parts)
    turns = []
    if miss_first:
        rel = files[0].relative_to(task / version).as_posix()
        turns.append([{"type": "tool_use", "name": "replace", "input": {"path": rel, "old": "for i in", "new": "x"}}])
    for path in files:
        rel = path.relative_to(task / version).as_posix()
        turns.append([{"type": "tool_use", "name": "write_file", "input": {"path": rel, "content": path.read_text()}}])
    turns.append([{"type": "tool_use", "name": "evaluate", "input": {}}])
    turns.append([{"type": "tool_use", "name": "finish", "input": {"summary": f"the {version} approach"}}])
    return turns


for task in sorted(p for p in SUITE.iterdir() if (p / "task.yml").is_file()):
    for variant in ("prompt-a", "prompt-b"):
        wrong = variant == "prompt-a" and task.name in A_GOES_WRONG
        turns = session(task, "wrong" if wrong else "reference", miss_first=variant == "prompt-a")
        out = HERE / variant / f"{task.name}.yaml"
        out.parent.mkdir(exist_ok=True)
        out.write_text(yaml.safe_dump(turns, sort_keys=False, width=120))
