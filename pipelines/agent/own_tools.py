"""The two tools the agent loop owns (the edit tools are pipelines/edit/): `evaluate` and `finish`."""

from __future__ import annotations

from typing import Any

EVALUATE: dict[str, Any] = {
    "name": "evaluate",
    "description": (
        "Measure the current state of the files as perfbot's judge will: the tests, then every benchmark grid point "
        "against the original, in fresh processes. Returns a compact table (per point: time, speedup; the tests "
        "with the first failure; why a version is rejected). Slow (tens of seconds to minutes) and queued behind "
        "the other agents' measurements: call it after a change you believe is correct and faster, not after every "
        "edit, and check correctness first with quick `bash` runs of the tests. Example: {}"
    ),
    "input_schema": {"type": "object", "properties": {}, "required": []},
}
FINISH: dict[str, Any] = {
    "name": "finish",
    "description": (
        "Propose the current state of the files as your result. This ends your work at once: nothing after it runs. "
        "Call it when the last evaluation shows the speedup you want and the edge cases are handled; when nothing "
        "helped, undo your changes first (`git checkout -- FILE` in bash) so you propose the original. "
        'Example: {"summary": "Replaced the O(n²) pair loop in min_gap with a sort and one pass (O(n log n))."}'
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "summary": {"type": "string", "description": "What you changed and why it is faster, in a few sentences."}
        },
        "required": ["summary"],
    },
}
OWN_TOOLS: list[dict[str, Any]] = [EVALUATE, FINISH]
