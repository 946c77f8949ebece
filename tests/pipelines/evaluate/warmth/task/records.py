"""Encode records as length-prefixed bytes (the baseline grows one bytes buffer with +=)."""


def encode(records):
    buffer = b""
    for record in records:
        data = record.encode("utf-8")
        buffer += len(data).to_bytes(4, "big") + data
    return buffer
