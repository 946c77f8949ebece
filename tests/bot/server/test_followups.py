"""`/optimize retry` runs an earlier request again (on a perfbot MR: the one that opened it, replacing it), and
`/optimize rebase` rebases a perfbot MR onto its target branch, or says why GitLab could not."""

from __future__ import annotations

from typing import Any

from bot.server.context import request_id
from tests.bot.conftest import BotHarness, wait_for
from tests.bot.server.test_triggers import bot_notes, variables


def perfbot_mr(harness: BotHarness, req: str, files: dict[str, bytes]) -> dict[str, Any]:
    """A merge request perfbot opened for request `req`: one commit on `perfbot/…-<req>` from `main`."""
    w = harness.world
    branch = f"perfbot/src-stats-py-{req[:10]}"
    w.fake.push(w.project, branch, files, message="perf: speed up mean")
    return w.fake.add_merge_request(w.project, branch, "perf: speed up `stats.mean` 3×")


def note_on(harness: BotHarness, mr: dict[str, Any], text: str) -> dict[str, Any]:
    w = harness.world
    payload = harness.note(text, on="merge_request")
    note = w.fake.add_note(w.project, "merge_request", mr["iid"], w.developer, text)
    payload["object_attributes"]["id"] = note["id"]
    payload["merge_request"].update(iid=mr["iid"], source_branch=mr["source_branch"])
    return payload


def replies(harness: BotHarness, mr: dict[str, Any]) -> list[str]:
    return [n["body"] for n in bot_notes(harness, "merge_request", mr["iid"])]


async def test_retry_on_an_issue_runs_its_last_request_again_with_the_same_arguments(harness: BotHarness) -> None:
    w = harness.world
    await harness.post(harness.note("/optimize src/stats.py::mean --agents 3", on="issue"))
    await wait_for(lambda: len(w.fake.pipelines(w.project)) == 1)
    first = w.fake.pipelines(w.project)[0]
    await harness.post(w.fake.finish_pipeline(w.project, first["id"], "failed"))
    await wait_for(lambda: len(bot_notes(harness, "issue", w.issue["iid"])) == 2)

    await harness.post(harness.note("/optimize retry", on="issue"))

    await wait_for(lambda: len(w.fake.pipelines(w.project)) == 2)
    again = variables(harness, w.fake.pipelines(w.project)[1]["id"])
    assert (again["PERFBOT_TARGET"], again["PERFBOT_AGENTS"]) == ("src/stats.py::mean", "3")
    assert again["PERFBOT_REQUEST"] != variables(harness, first["id"])["PERFBOT_REQUEST"]


async def test_retry_with_nothing_to_retry_says_so(harness: BotHarness) -> None:
    await harness.post(harness.note("/optimize retry", on="issue"))

    [reply] = await wait_for(lambda: bot_notes(harness, "issue", harness.world.issue["iid"]))
    assert "no earlier `/optimize` request here" in reply["body"]
    assert harness.world.fake.pipelines(harness.world.project) == []


async def test_retry_on_a_perfbot_merge_request_reruns_the_request_that_opened_it_and_replaces_it(
    harness: BotHarness,
) -> None:
    w = harness.world
    original = harness.note("/optimize src/stats.py --steps 7", on="issue")
    await harness.post(original)
    await wait_for(lambda: w.fake.pipelines(w.project))
    req = request_id(f"note:{w.project.id}:{original['object_attributes']['id']}")
    mr = perfbot_mr(harness, req, {"src/stats.py": b"def mean(xs):\n    return sum(xs) / len(xs)  # faster\n"})

    await harness.post(note_on(harness, mr, "/optimize retry"))

    await wait_for(lambda: len(w.fake.pipelines(w.project)) == 2)
    again = w.fake.pipelines(w.project)[1]
    got = variables(harness, again["id"])
    assert (again["ref"], got["PERFBOT_TARGET"], got["PERFBOT_STEPS"]) == ("main", "src/stats.py", "7")
    assert got["PERFBOT_SUPERSEDES"] == str(mr["iid"]) and got["PERFBOT_MR_IID"] == str(mr["iid"])
    [started] = await wait_for(lambda: replies(harness, mr))
    assert "Started perfbot" in started
    await harness.post(w.fake.finish_pipeline(w.project, again["id"], "success"))
    [handoff] = await wait_for(lambda: harness.publisher.handoffs)
    assert handoff.variables["PERFBOT_SUPERSEDES"] == str(mr["iid"])


async def rebase_after(harness: BotHarness, main_moved_on: dict[str, bytes]) -> tuple[dict[str, Any], str]:
    """`/optimize rebase` on a perfbot MR after `main` changed `main_moved_on`: (the MR, the bot's reply)."""
    w = harness.world
    mr = perfbot_mr(harness, "0123456789abcdef0123", {"src/stats.py": b"def mean(xs):\n    return 0\n"})
    w.fake.push(w.project, "main", main_moved_on)
    await harness.post(note_on(harness, mr, "/optimize rebase"))
    [reply] = await wait_for(lambda: replies(harness, mr))
    return mr, reply


async def test_rebase_on_a_perfbot_merge_request_rebases_it_onto_its_target(harness: BotHarness) -> None:
    w = harness.world

    mr, reply = await rebase_after(harness, {"README.md": b"# moved on\n"})

    assert reply.startswith("Rebased onto `main`.")
    with w.fake.lock:
        head = w.project.commits[w.project.branches[mr["source_branch"]]]
        assert head["parent_ids"] == [w.project.branches["main"]]
        assert head["tree"]["README.md"] == b"# moved on\n"


async def test_rebase_that_conflicts_is_reported_with_gitlabs_reason(harness: BotHarness) -> None:
    _, reply = await rebase_after(harness, {"src/stats.py": b"def mean(xs):\n    return 1\n"})

    assert "could not rebase this onto `main`: Rebase failed" in reply and "`/optimize retry`" in reply


async def test_rebase_outside_a_perfbot_merge_request_says_where_it_works(harness: BotHarness) -> None:
    w = harness.world
    await harness.post(harness.note("/optimize rebase", on="merge_request"))

    [reply] = await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    assert "works on a merge request perfbot opened" in reply["body"]
