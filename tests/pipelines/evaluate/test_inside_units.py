"""Pieces of the judge's transport on their own: how calls and answers cross the pipes, which inputs each version
gets and which of its outputs are compared, and the check that a call left its arguments alone. judge.py and
worker.py import their siblings as top-level modules, so they are exercised in a subprocess run in their folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from pipelines.evaluate.inside import wire

INSIDE = Path(wire.__file__).parent


def inside(code: str) -> Any:
    """The JSON that `code` prints, run by a fresh interpreter in the judge's folder (as the sandbox runs it)."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, '.')\n{code}"],
        cwd=INSIDE,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_large_answer_crosses_from_its_parts_and_arrives_whole() -> None:
    read, write = os.pipe()
    blob = bytes(range(256)) * 4096  # 1 MiB: more than one read and more than the pipe holds
    parts = [wire.SEQUENCE.pack(7), *wire.pack_parts([["r", blob, wire.SAME]])]
    writer = threading.Thread(target=wire.send_parts, args=(write, wire.OUTCOMES, parts))
    writer.start()
    reader, frame = wire.Reader(read), None
    while frame is None:
        frame = reader.step()
    writer.join()
    kind, body = frame
    assert kind == wire.OUTCOMES and wire.SEQUENCE.unpack_from(body)[0] == 7
    assert wire.loads(memoryview(body)[wire.SEQUENCE.size :]) == [["r", blob, wire.SAME]]
    os.close(write)
    with pytest.raises(wire.FrameError, match="the pipe closed"):
        reader.step()
    os.close(read)


def test_a_frame_larger_than_a_buffer_is_read_as_it_grows() -> None:
    read, write = os.pipe()
    blob = os.urandom(20 << 20)  # beyond the size a reader makes room for at once
    writer = threading.Thread(target=wire.send_parts, args=(write, wire.OUTCOMES, [blob[:7], blob[7:]]))
    writer.start()
    reader, frame = wire.Reader(read), None
    while frame is None:
        frame = reader.step()
    writer.join()
    assert frame == (wire.OUTCOMES, bytearray(blob))
    os.close(read)
    os.close(write)


def test_a_call_frame_gives_its_number_apart_from_its_pickle() -> None:
    read, write = os.pipe()
    wire.send_parts(write, wire.CALL, [wire.SEQUENCE.pack(3), b"pickle"])
    wire.send(write, wire.PREPARED, b"outcomes")
    assert wire.receive_numbered(read) == (wire.CALL, wire.SEQUENCE.pack(3), b"pickle")
    assert wire.receive_numbered(read) == (wire.PREPARED, b"", b"outcomes")
    os.close(read)
    os.close(write)


def test_a_reader_refuses_a_frame_larger_than_its_limit_before_reading_it() -> None:
    read, write = os.pipe()
    os.write(write, wire.HEADER.pack(wire.OUTCOMES, 1 << 40))
    with pytest.raises(wire.FrameError, match="larger than"):
        wire.Reader(read, limit=1 << 20).step()
    os.close(read)
    os.close(write)


PLANS = """
import json, judge
draws = []
for _ in range(300):
    plan = judge._plan(["base", "fast", "slow"], "base", {"base": 3, "fast": 40, "slow": 2}, 5, 45)
    draws.append(plan)
print(json.dumps(draws))
"""


def test_a_faster_version_gets_the_baselines_timed_inputs_among_others_in_an_order_it_cannot_predict() -> None:
    draws = inside(PLANS)
    places = set()
    for plan in draws:
        base, fast, slow = set(plan["base"]), plan["fast"], plan["slow"]
        assert len(base) == 3 and len(set(fast)) == 40 and len(set(slow)) == 2
        assert all(5 <= i < 45 for i in fast), "warm-up inputs are never timed"
        assert base <= set(fast), "every timed input of the baseline's is one of the faster version's"
        assert set(slow) <= base, "a slower version gets a choice of the baseline's"
        places.update(fast.index(i) for i in base)
    assert len(places) > 30, f"the baseline's inputs came at only {sorted(places)} of the faster version's 40 calls"
    assert len({tuple(plan["base"]) for plan in draws}) > 250, "the baseline's choice repeats"


CHECK = """
import json, worker
note, after = worker._argument_check()

class Liar:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__

def sort_in_place(args, kwargs): args[0].sort()
def put_back(args, kwargs): args[0].append(args[0].pop())
def swap_for_a_liar(args, kwargs): args[0][0] = Liar()
def grow_a_dict(args, kwargs): kwargs["table"]["new"] = 1
def mutate_inside_a_tuple(args, kwargs): args[1][1].append(0)
def nothing(args, kwargs): pass
def replace_equal_float(args, kwargs): args[2][0] = float(repr(args[2][0]))

results = {}
changes = (sort_in_place, put_back, swap_for_a_liar, grow_a_dict, mutate_inside_a_tuple, nothing, replace_equal_float)
for change in changes:
    args = [[3, 1, 2.5, 0], ("x", [1, 2]), [0.1, 0.2], ((1, 2), (3, 4)), ["b", None, b"c"]]
    kwargs = {"table": {"a": 1}, "n": 5}
    noted = note(args, kwargs)
    change(args, kwargs)
    results[change.__name__] = after(args, kwargs, noted) == worker.wire.SAME
print(json.dumps(results))
"""


def test_the_argument_check_sees_every_change_and_no_object_can_claim_equality() -> None:
    same = inside(CHECK)
    assert same == {
        "sort_in_place": False,
        "put_back": True,  # the list holds the same objects in the same order
        "swap_for_a_liar": False,
        "grow_a_dict": False,
        "mutate_inside_a_tuple": False,
        "nothing": True,
        "replace_equal_float": False,  # another object: reported, then compared as data (it is equal there)
    }


@pytest.mark.parametrize("forked", [True, False], ids=["forked by the zygote", "started afresh"])
def test_the_harness_modules_never_stand_in_for_the_users_own(tmp_path: Path, forked: bool) -> None:
    """Whether the worker is forked by the zygote or, where the platform has no pidfd, started afresh."""
    user_worker = "import guard\nimport wire\n\n\ndef entry(x):\n    return wire.TWICE * x + guard.ONE\n"
    (tmp_path / "worker.py").write_text(user_worker)
    (tmp_path / "wire.py").write_text("TWICE = 2\n")
    (tmp_path / "guard.py").write_text("ONE = 1\n")
    code = f"""
import json, pickle, procs, wire
if not {forked}:
    procs.Zygote.possible = staticmethod(lambda: False)
box = procs.Sandboxed(None, {str(tmp_path)!r})
worker = procs.Worker(box, "serve", {{"entry": "worker:entry", "pythonpath": [""]}}, {str(tmp_path)!r}, 30, 1 << 20)
try:
    worker.wait_ready("importing the entry")
    _ns, [answer] = worker.calls([pickle.dumps(((20,), {{}}))])
finally:
    worker.close([])
    box.close()
print(json.dumps([wire.loads_one(answer)[:2], type(worker.proc).__name__, worker.proc.returncode]))
"""
    assert inside(code) == [["r", 41], "Forked" if forked else "Popen", -9]  # killed once its calls were done
