"""What crosses from a worker to the judge: frames, and values as plain data that decoding never runs code for."""

from __future__ import annotations

import dataclasses
import enum
import math
import os
from collections import namedtuple
from typing import Any

import pytest

from pipelines.evaluate.inside import wire


def round_trip(value: Any) -> Any:
    return wire.loads(wire.pack(value))


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        2**100,
        -1.5,
        "naïve",
        b"\x00\xff",
        bytearray(b"ab"),
        1 + 2j,
        [1, 2.5, "x", None],
        [1.5, -0.0, 1e300],
        [(1.0, 2.0), (3.0, 4.0)],
        [(1, "a"), (2, "b")],
        [(1.0,), (2.0, 3.0)],
        (1, (2, [3])),
        {"a": 1, "b": 2.5},
        {(1, 2): [3], 4: {"x": None}},
        {1, 2, 3},
        frozenset({"a"}),
        [],
    ],
)
def test_plain_data_comes_back_equal_and_of_the_same_type(value: Any) -> None:
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_nan_and_infinities_survive() -> None:
    back = round_trip([float("nan"), float("inf"), (float("-inf"), 1.0)])
    assert math.isnan(back[0]) and back[1] == math.inf and back[2] == (-math.inf, 1.0)


def test_records_arrive_as_structs_naming_their_type() -> None:
    @dataclasses.dataclass
    class Point:
        x: float
        y: float

    class Colour(enum.Enum):
        RED = 1

    Pair = namedtuple("Pair", "a b")
    point, colour, pair = round_trip([Point(1.0, 2.0), Colour.RED, Pair(1, 2)])
    assert (point.kind, point.name.rsplit(".", 1)[-1], point.fields) == ("dataclass", "Point", (("x", 1.0), ("y", 2.0)))
    assert (colour.kind, colour.fields) == ("enum", (("name", "RED"),))
    assert (pair.kind, pair.fields) == ("namedtuple", (("a", 1), ("b", 2)))


def test_an_object_with_its_own_equality_arrives_as_its_repr_not_as_its_claim() -> None:
    class Claims:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

        def __repr__(self) -> str:
            return "Claims()"

    struct = round_trip(Claims())
    assert struct.kind == "repr" and struct.fields == (("repr", "Claims()"),)
    assert struct != round_trip(0.0)


def test_a_pickling_hook_is_never_called() -> None:
    called = []

    class Payload:
        def __reduce__(self) -> Any:
            called.append(True)
            return (os.getpid, ())

    struct = round_trip(Payload())
    assert called == [] and struct.kind == "object"


def test_numpy_arrays_keep_dtype_shape_and_bytes() -> None:
    numpy = pytest.importorskip("numpy")
    array = numpy.arange(6, dtype=numpy.int32).reshape(2, 3)
    back = round_trip(array)
    assert back.dtype == array.dtype and back.shape == (2, 3) and (back == array).all()
    assert round_trip(numpy.float64(2.5)).kind == "numpy-scalar"


def framed(text: bytes, *blobs: bytes) -> bytes:
    """A payload as a worker sends it: the JSON's length and the JSON, then each blob's length and the blob."""
    return b"".join([wire.LENGTH.pack(len(text)), text, *(wire.LENGTH.pack(len(b)) + b for b in blobs)])


@pytest.mark.parametrize(
    "payload",
    [
        framed(b"not json"),
        framed(b'{"Z": 1}'),
        framed(b'{"D": [[[1], 2]]}'),
        framed(b'{"LTF": 0, "data": 0}', b"\0" * 8),
        framed(b'{"LF": 0}', b"\0" * 7),
        framed(b'{"LF": 1}', b"\0" * 8),  # a blob that is not there
        framed(b'{"B": "AAA="}'),  # inline data where a blob number belongs
        framed(b'{"B": true}', b"x"),
        framed(b"[" * 100_000),
        framed(b'{"N": "x", "fields": [1]}'),  # contents a tag does not hold: refused, never a crash of the judge
        framed(b'{"C": 5}'),
        framed(b'{"A": "<f8", "shape": "x", "data": 0}', b"\0" * 8),
        framed(b'{"S": [[1]]}'),
        b"abc",  # shorter than a length
        framed(b"[1]")[:-1],  # cut short
        framed(b"[1]", b"xyz")[:-1],
    ],
)
def test_anything_else_is_refused_as_malformed(payload: bytes) -> None:
    with pytest.raises(wire.DecodeError):
        wire.loads(payload)


def test_large_data_travels_as_raw_blobs_not_inside_the_json() -> None:
    data = bytes(range(256)) * 4000
    payload = wire.pack({"k": [data, [0.5] * 1000, [(1.0, 2.0)] * 500]})
    assert len(payload) < len(data) + 8000 + 8000 + 400  # no base64, no escaping: raw bytes plus a little JSON
    back = wire.loads(payload)
    assert back == {"k": [data, [0.5] * 1000, [(1.0, 2.0)] * 500]} and type(back["k"][0]) is bytes


def test_frames_cross_a_pipe_whole_and_a_short_one_is_an_error() -> None:
    read, write = os.pipe()
    wire.send(write, wire.CALL, b"x" * 30_000)
    os.write(write, wire.HEADER.pack(wire.OUTCOMES, 10) + b"abc")
    os.close(write)
    assert wire.receive(read) == (wire.CALL, b"x" * 30_000)
    with pytest.raises(wire.FrameError, match="closed in the middle of a frame"):
        wire.receive(read)
    with pytest.raises(wire.FrameError):
        wire.receive(read, limit=5)
    os.close(read)


def test_a_frame_larger_than_the_limit_is_refused_before_it_is_read() -> None:
    read, write = os.pipe()
    os.write(write, wire.HEADER.pack(wire.OUTCOMES, 1 << 40))
    with pytest.raises(wire.FrameError, match="larger than"):
        wire.receive(read)
    os.close(read)
    os.close(write)


def test_an_answer_holds_exactly_one_outcome() -> None:
    assert wire.loads_one(wire.pack([["r", 3, wire.SAME]])) == ["r", 3, wire.SAME]
    for value in ([], [["r", 1, "="], ["r", 2, "="]], {"r": 1}, "r"):
        with pytest.raises(wire.DecodeError, match="not one outcome"):
            wire.loads_one(wire.pack(value))
