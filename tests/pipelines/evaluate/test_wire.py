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
    return wire.loads(wire.dumps(wire.encode(value)))


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


@pytest.mark.parametrize(
    "payload",
    [b"not json", b'{"Z": 1}', b'{"D": [[[1], 2]]}', b'{"LTF": 0, "data": ""}', b'{"LF": "AAA="}', b"[" * 100_000],
)
def test_anything_else_is_refused_as_malformed(payload: bytes) -> None:
    with pytest.raises(wire.DecodeError):
        wire.loads(payload)


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
