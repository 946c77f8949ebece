"""A bare HTTP/1.1 client for the webhook tests: sends header values as raw bytes (aiohttp's client would refuse
bytes that are not text), and can send the headers and stop, to stand for an upload that stalls."""

from __future__ import annotations

import asyncio


async def post(
    host: str, port: int, headers: list[tuple[bytes, bytes]], body: bytes, *, send_body: bool = True
) -> tuple[int, bytes]:
    """(status, response body) of `POST /webhook`; with `send_body=False` only the headers go out."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = b"POST /webhook HTTP/1.1\r\nHost: perfbot\r\nContent-Length: %d\r\n" % len(body)
        head += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        writer.write(head + b"\r\n" + (body if send_body else b""))
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        payload = await reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), payload
    finally:
        writer.close()
