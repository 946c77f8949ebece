"""What crosses between the judge and a worker: frames on a pipe, and values as plain data. Stdlib only.

A frame is one byte of kind, eight bytes of length (big-endian) and the payload. The judge sends inputs as a
pickle it received from the input builder (it never unpickles them itself); a worker answers with outcomes in a
data-only encoding (`pack`), which the judge reads back with `loads`: JSON for the structure, and the raw bytes
of every bytes object, array of doubles and numpy array after it as numbered blobs (no base64 and no JSON string
escaping of large data: that was most of the transport's cost). Parsing runs no code of the candidate's, and a
value whose type is not plain data arrives as a `Struct` naming its type, so a lazy or lying object is compared
by what it holds, never by what its `__eq__` says.

    payload = u64 length of the JSON, the JSON, then per blob: u64 length, its bytes
"""

import array
import itertools
import json
import os
import struct
import sys

HEADER = struct.Struct(">cQ")
LENGTH = struct.Struct(">Q")
READY, CALL, OUTCOMES, ERROR, QUIT, PREPARED, INPUT = b"R", b"C", b"O", b"E", b"Q", b"P", b"I"
SEQUENCE = struct.Struct(">Q")
"""Before the pickle in a CALL frame and before the outcome in the OUTCOMES frame that answers it: the call's number
in its process, so an answer sent ahead of its call, or twice, is caught instead of shifting every later one."""
SAME = "="
"""In an outcome, in place of the arguments after the call: they are as they came in."""
MAX_FRAME = 256 << 20
"""The largest frame a judge reads; a worker that sends more is stopped."""
_SCALARS = frozenset({int, float, str, bool, type(None)})
_IOV_MAX = 512
_GROWTH = 8 << 20
"""A frame body up to this size is read into a buffer made for it at once; a larger one grows by this much."""
"""Buffers per writev (the kernel's limit is 1024)."""


class FrameError(Exception):
    """The other side closed the pipe, or sent something that is not a frame."""


class FrameTooLarge(FrameError):
    """A frame's header claims more than the reader takes."""


def _too_large(length, limit):
    return FrameTooLarge(f"a frame of {length} bytes is larger than the {limit} allowed")


def send(fd, kind, payload=b""):
    send_parts(fd, kind, [payload])


def send_parts(fd, kind, parts):
    """A frame whose payload is `parts` one after the other, written with writev: a large output goes from the
    object that holds it to the pipe without being copied into a frame first (each copy of half a megabyte is an
    allocation whose cost depends on the allocator's state, which differs between a call and the echo)."""
    views = [memoryview(HEADER.pack(kind, sum(len(part) for part in parts)))]
    views += [memoryview(part).cast("B") for part in parts if len(part)]
    while views:
        written = os.writev(fd, views[:_IOV_MAX])
        while views and written >= len(views[0]):
            written -= len(views.pop(0))
        if written:
            views[0] = views[0][written:]


def receive_numbered(fd, limit=MAX_FRAME):
    """(kind, number, payload) of the next frame: for CALL and OUTCOMES frames the call's number (SEQUENCE) is read
    apart from the rest, so the payload is the pickle or the outcome as it was read, not a copy of its tail."""
    kind, length = HEADER.unpack(_read_exactly(fd, HEADER.size))
    if length > limit:
        raise _too_large(length, limit)
    if kind in (CALL, OUTCOMES) and length >= SEQUENCE.size:
        return kind, _read_exactly(fd, SEQUENCE.size), _read_exactly(fd, length - SEQUENCE.size)
    return kind, b"", _read_exactly(fd, length)


def receive(fd, limit=MAX_FRAME):
    """(kind, payload) of the next frame on `fd`; FrameError at the end of the stream or past `limit` bytes."""
    header = _read_exactly(fd, HEADER.size)
    kind, length = HEADER.unpack(header)
    if length > limit:
        raise _too_large(length, limit)
    return kind, _read_exactly(fd, length)


class Reader:
    """Frames read from `fd` as they arrive, one read a step, each straight into a buffer of its own size (the judge
    reads a worker's answers while it waits to write the next inputs)."""

    def __init__(self, fd, limit=MAX_FRAME):
        self.fd, self.limit = fd, limit
        self._header = bytearray(HEADER.size)
        self._body = None
        self._kind = b""
        self._length = 0
        self._got = 0

    def step(self):
        """Read what is there (call when `fd` is readable): the frame it completes as (kind, body), or None.
        FrameError at the end of the stream or past the size limit."""
        target = self._header if self._body is None else self._body
        if self._got == len(target):  # a body that grows as it arrives: make room for the next read
            target.extend(bytes(min(self._length - self._got, _GROWTH)))
        got = os.readv(self.fd, [memoryview(target)[self._got :]])
        if not got:
            raise FrameError(
                "the pipe closed in the middle of a frame" if self._got or self._body else "the pipe closed"
            )
        self._got += got
        if self._body is None:
            if self._got < HEADER.size:
                return None
            self._kind, self._length = HEADER.unpack(self._header)
            if self._length > self.limit:
                raise _too_large(self._length, self.limit)
            # Room for all of it at once, unless it is large: then it grows with what arrives, so a frame that
            # only claims a large size costs the judge nothing.
            self._body, self._got = bytearray(self._length if self._length <= _GROWTH else 0), 0
        if self._got < self._length:
            return None
        frame, self._body, self._got = (self._kind, self._body), None, 0
        return frame


def _read_exactly(fd, size):
    chunks: list[bytes] = []
    missing = size
    while missing:
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise FrameError("the pipe closed in the middle of a frame" if chunks else "the pipe closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- encoding (worker side)


def pack(value):
    """`value` as a payload: its `encode`d tree as JSON, then the blobs the tree refers to by number."""
    return b"".join(pack_parts(value))


def pack_parts(value):
    """`pack(value)` as the list of its pieces, the blobs as they are (see `send_parts`)."""
    blobs: list = []
    text = json.dumps(encode(value, blobs), separators=(",", ":")).encode("utf-8")
    parts = [LENGTH.pack(len(text)), text]
    for blob in blobs:
        parts += [LENGTH.pack(len(blob)), blob]
    return parts


def encode(value, blobs):
    """`value` as a JSON-ready tree, its raw data appended to `blobs` (referred to by index). Lists stay lists;
    every other container becomes a one-key tagged object."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        types = set(map(type, value))
        if types == {float}:
            return {"LF": _blob(blobs, array.array("d", value).tobytes())}
        if _SCALARS.issuperset(types):
            return value
        if types == {tuple}:
            return _encode_rows(value, blobs)
        return [encode(item, blobs) for item in value]
    if kind is tuple:
        if _SCALARS.issuperset(map(type, value)):
            return {"T": list(value)}
        return {"T": [encode(item, blobs) for item in value]}
    if kind is dict:
        if _SCALARS.issuperset(map(type, value.values())) and set(map(type, value)) <= {str}:
            return {"DS": value}
        return {"D": [[encode(k, blobs), encode(v, blobs)] for k, v in value.items()]}
    if kind is set or kind is frozenset:
        return {"S": [encode(item, blobs) for item in value], "frozen": kind is frozenset}
    if kind is bytes or kind is bytearray:
        return {"B": _blob(blobs, bytes(value)), "mutable": kind is bytearray}
    if kind is complex:
        return {"C": [value.real, value.imag]}
    return _encode_object(value, kind, blobs)


def _blob(blobs, data):
    blobs.append(data)
    return len(blobs) - 1


def _encode_rows(rows, blobs):
    """A list of flat tuples (points, records), the common case, without a Python-level walk of every value."""
    widths = set(map(len, rows))
    cells = itertools.chain.from_iterable(rows)
    if len(widths) == 1 and set(map(type, itertools.chain.from_iterable(rows))) == {float}:
        return {"LTF": widths.pop(), "data": _blob(blobs, array.array("d", cells).tobytes())}
    if _SCALARS.issuperset(map(type, cells)):
        return {"LT": list(map(list, rows))}
    return [encode(row, blobs) for row in rows]


def _encode_object(value, kind, blobs):
    name = f"{kind.__module__}.{kind.__qualname__}"
    if kind.__module__ == "numpy" and hasattr(value, "dtype"):
        return _encode_numpy(value, name, blobs)
    enum = sys.modules.get("enum")  # imported only if some code uses it: no enum member can exist otherwise
    if enum is not None and isinstance(value, enum.Enum):
        return {"N": name, "kind": "enum", "fields": [["name", value.name]]}
    dataclass_fields = getattr(kind, "__dataclass_fields__", None)
    if isinstance(dataclass_fields, dict):
        fields = [[f, encode(getattr(value, f), blobs)] for f, spec in dataclass_fields.items() if _is_field(spec)]
        return {"N": name, "kind": "dataclass", "fields": fields}
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return {
            "N": name,
            "kind": "namedtuple",
            "fields": [[f, encode(v, blobs)] for f, v in zip(kind._fields, value, strict=False)],
        }
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and kind.__eq__ is object.__eq__:
        fields = [[k, encode(v, blobs)] for k, v in sorted(attributes.items())]
        return {"N": name, "kind": "object", "fields": fields}
    return {"N": name, "kind": "repr", "fields": [["repr", _limited(repr(value))]]}


def _is_field(spec):
    return type(spec._field_type).__name__ == "_FIELD_BASE" and str(spec._field_type) == "_FIELD"


def _encode_numpy(value, name, blobs):
    if name == "numpy.ndarray":
        if value.dtype.hasobject:
            items = [encode(v, blobs) for v in value.ravel().tolist()]
            return {"A": value.dtype.str, "shape": list(value.shape), "items": items}
        data = _blob(blobs, value.tobytes(order="C"))
        return {"A": value.dtype.str, "shape": list(value.shape), "data": data}
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # numpy.float64, numpy.int32, ...
        return {"N": name, "kind": "numpy-scalar", "fields": [["value", encode(value.item(), blobs)]]}
    return {"N": name, "kind": "repr", "fields": [["repr", _limited(repr(value))]]}


def _limited(text, limit=10_000):
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------- decoding (judge side)


class _Plain:
    """A small immutable record compared by its fields (no dataclasses: a worker must start fast)."""

    __slots__: tuple[str, ...] = ()

    def _key(self):
        return tuple(getattr(self, field) for field in self.__slots__)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash(self._key())


class Struct(_Plain):
    """A value that is not plain data, as data: its kind, its type's name and its fields."""

    __slots__ = ("fields", "kind", "name")

    def __init__(self, kind, name, fields):
        self.kind, self.name, self.fields = kind, name, fields

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.fields)
        return f"{self.name.rsplit('.', 1)[-1]}({inner})"


class RawArray(_Plain):
    """An array decoded where numpy is missing: compared by dtype, shape and bytes."""

    __slots__ = ("data", "dtype", "shape")

    def __init__(self, dtype, shape, data):
        self.dtype, self.shape, self.data = dtype, shape, data


class DecodeError(ValueError):
    pass


def loads_one(payload):
    """The one outcome of an OUTCOMES frame (what a worker sends for each call); DecodeError for anything else."""
    outcomes = loads(payload)
    if type(outcomes) is not list or len(outcomes) != 1:
        raise DecodeError("an answer that is not one outcome")
    return outcomes[0]


def loads(payload):
    view = memoryview(payload)
    size = _length(view, 0)
    try:
        tree = json.loads(bytes(view[LENGTH.size : LENGTH.size + size]))
    except (ValueError, RecursionError) as e:
        raise DecodeError(f"not JSON: {e}") from None
    blobs, at = [], LENGTH.size + size
    while at < len(view):
        length = _length(view, at)
        blobs.append(view[at + LENGTH.size : at + LENGTH.size + length])
        at += LENGTH.size + length
    try:
        return decode(tree, blobs)
    except RecursionError:
        raise DecodeError("nested too deeply") from None
    except DecodeError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as e:  # a tag whose contents are not what it holds
        raise DecodeError(f"malformed: {type(e).__name__}: {e}") from None


def _length(view, at):
    if at + LENGTH.size > len(view):
        raise DecodeError("a payload cut short")
    (length,) = LENGTH.unpack(view[at : at + LENGTH.size])
    if at + LENGTH.size + length > len(view):
        raise DecodeError("a payload cut short")
    return length


def decode(tree, blobs):
    kind = type(tree)
    if kind is list:
        return [decode(item, blobs) for item in tree]
    if kind is not dict:
        return tree
    if "T" in tree:
        return tuple(decode(item, blobs) for item in tree["T"])
    if "LF" in tree:
        return list(_undoubled(_blob_at(blobs, tree["LF"], "LF")))
    if "LTF" in tree:
        values, width = _undoubled(_blob_at(blobs, tree["data"], "LTF")), tree["LTF"]
        if type(width) is not int or width < 1 or len(values) % width:
            _malformed("LTF")
        return [tuple(values[i : i + width]) for i in range(0, len(values), width)]
    if "LT" in tree:
        return [tuple(item) for item in tree["LT"] if _flat(item)] if _all_flat(tree["LT"]) else _malformed("LT")
    if "D" in tree:
        return _decode_dict(tree["D"], blobs)
    if "DS" in tree:
        items = tree["DS"]
        return dict(items) if isinstance(items, dict) and _flat(list(items.values())) else _malformed("DS")
    if "S" in tree:
        items = [decode(item, blobs) for item in tree["S"]]
        return _hashable(frozenset, items) if tree.get("frozen") else _hashable(set, items)
    if "B" in tree:
        data = _blob_at(blobs, tree["B"], "B")
        return bytearray(data) if tree.get("mutable") else bytes(data)
    if "C" in tree:
        real, imag = tree["C"]
        return complex(real, imag)
    if "A" in tree:
        return _decode_array(tree, blobs)
    if "N" in tree:
        fields = tuple((str(k), decode(v, blobs)) for k, v in tree.get("fields", []))
        return Struct(str(tree.get("kind")), str(tree["N"]), fields)
    raise DecodeError(f"an object with keys {sorted(tree)[:5]} is not part of the encoding")


def _blob_at(blobs, index, tag):
    if type(index) is not int or not 0 <= index < len(blobs):
        _malformed(tag)
    return blobs[index]


def _undoubled(data):
    if len(data) % 8:
        _malformed("LF")
    values = array.array("d")
    values.frombytes(data)
    return values.tolist()


def _flat(items):
    return isinstance(items, list) and all(type(item) in _SCALARS for item in items)


def _all_flat(rows):
    return isinstance(rows, list) and all(_flat(row) for row in rows)


def _malformed(tag):
    raise DecodeError(f"a {tag!r} object that does not hold what that tag holds")


def _decode_dict(pairs, blobs):
    out = {}
    for key, value in pairs:
        try:
            out[decode(key, blobs)] = decode(value, blobs)
        except TypeError:
            raise DecodeError("a dictionary key is not hashable") from None
    return out


def _hashable(kind, items):
    try:
        return kind(items)
    except TypeError:
        raise DecodeError("a set member is not hashable") from None


def _decode_array(tree, blobs):
    shape = tuple(int(n) for n in tree["shape"])
    try:
        import numpy
    except ImportError:
        return _decode_without_numpy(tree, shape, blobs)
    if "items" in tree:
        array = numpy.empty(len(tree["items"]), dtype=object)
        array[:] = [decode(v, blobs) for v in tree["items"]]
        return array.reshape(shape)
    try:
        data = bytes(_blob_at(blobs, tree["data"], "A"))
        return numpy.frombuffer(data, dtype=numpy.dtype(tree["A"])).reshape(shape)
    except (TypeError, ValueError) as e:
        raise DecodeError(f"an array that does not match its dtype and shape: {e}") from None


def _decode_without_numpy(tree, shape, blobs):
    if "items" in tree:
        items = tuple(decode(v, blobs) for v in tree["items"])
        return Struct("array", "numpy.ndarray", (("dtype", tree["A"]), ("shape", shape), ("items", items)))
    return RawArray(str(tree["A"]), shape, bytes(_blob_at(blobs, tree["data"], "A")))
