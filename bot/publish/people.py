"""Who perfbot's merge requests are assigned to and whose review they ask for.

Each is a comma-separated list of usernames, where `requester` stands for whoever asked for the run (default: the
requester, for both). An empty list sets nobody; a username GitLab does not know is left out. Set from
`PERFBOT_MR_ASSIGNEES` / `PERFBOT_MR_REVIEWERS` (the bot's settings, or the CI job's variables).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.runfiles import Origin

REQUESTER = "requester"


@dataclass(frozen=True)
class People:
    assignees: str = REQUESTER
    reviewers: str = REQUESTER

    def ids(self, origin: Origin, user_id: Callable[[str], int | None]) -> dict[str, list[int]]:
        """`assignee_ids` and `reviewer_ids` for the merge request of a run asked for from `origin`."""
        found: dict[str, int | None] = {}

        def resolve(spec: str) -> list[int]:
            ids: list[int] = []
            for name in (part.strip().lstrip("@") for part in spec.split(",")):
                if not name:
                    continue
                if name == REQUESTER:
                    if origin.requester_id is not None:
                        ids.append(origin.requester_id)
                        continue
                    name = origin.requester or ""
                if name and name not in found:
                    found[name] = user_id(name)
                uid = found.get(name)
                if uid is not None:
                    ids.append(uid)
            return list(dict.fromkeys(ids))

        return {"assignee_ids": resolve(self.assignees), "reviewer_ids": resolve(self.reviewers)}
