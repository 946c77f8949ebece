"""The fake's prompt-cache accounting follows the API's rules, so caching figures measured against it mean something."""

from __future__ import annotations

from tests.fakes.anthropic import CacheLedger, validate

BIG = "x" * 8000  # 2,000 tokens


def test_nothing_is_cached_without_a_breakpoint() -> None:
    ledger = CacheLedger()
    assert ledger.account([(BIG, False)]) == (2000, 0, 0)
    assert ledger.account([(BIG, False)]) == (2000, 0, 0)


def test_a_prefix_is_written_once_then_read_and_only_the_new_part_is_written() -> None:
    ledger = CacheLedger()
    assert ledger.account([(BIG, True), ("y" * 400, False)]) == (100, 0, 2000)
    assert ledger.account([(BIG, True), ("y" * 400, True)]) == (0, 2000, 100)
    assert ledger.account([(BIG, True), ("y" * 400, True), ("z" * 40, False)]) == (10, 2100, 0)


def test_prefixes_below_the_minimum_length_are_not_cached() -> None:
    ledger = CacheLedger(min_tokens=1024)
    assert ledger.account([("s" * 400, True)]) == (100, 0, 0)
    assert ledger.account([("s" * 400, True)]) == (100, 0, 0)


def test_a_changed_prefix_misses_the_cache() -> None:
    ledger = CacheLedger()
    ledger.account([(BIG, True)])
    assert ledger.account([(BIG.replace("x", "w", 1), True)]) == (0, 0, 2000)


def test_the_fake_rejects_an_unanswered_tool_use_like_the_api() -> None:
    body = {
        "model": "m",
        "max_tokens": 10,
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "x", "input": {}}]},
            {"role": "user", "content": [{"type": "text", "text": "no result"}]},
        ],
    }
    assert "t1" in (validate(body) or "")


def test_a_breakpoint_moved_forward_still_reads_the_prefix_cached_a_turn_earlier() -> None:
    ledger = CacheLedger()
    turn1 = [(BIG, True), ("a" * 400, True)]
    ledger.account(turn1)
    turn2 = [(BIG, True), ("a" * 400, False), ("b" * 400, False), ("c" * 400, True)]
    assert ledger.account(turn2) == (0, 2100, 200)
