"""Encode records as length-prefixed bytes, joined once."""


def encode(records):
    parts = []
    for record in records:
        data = record.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big"))
        parts.append(data)
    return b"".join(parts)
