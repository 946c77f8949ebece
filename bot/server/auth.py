"""Who may deliver: the webhook's secret token, and (when configured) a Standard Webhooks signature.

The token is checked from the headers alone, before a byte of the body is read, so a sender without it costs
the server no memory. Both checks compare in constant time and take header values as the raw bytes GitLab
sent (aiohttp hands undecodable bytes over as surrogate escapes; they are compared, never decoded).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_TOLERANCE_S = 300


def token_problem(offered: str | None, secret: str) -> str | None:
    """Why `offered` (the X-Gitlab-Token header) is not the secret, or None when it is."""
    if offered is None:
        return "missing X-Gitlab-Token"
    if not hmac.compare_digest(_raw(offered), secret.encode()):
        return "wrong X-Gitlab-Token"
    return None


def signature_problem(headers: Mapping[str, str], body: bytes, signing_token: str) -> str | None:
    """Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, keyed with the base64 part of `whsec_…`."""
    wid, stamp, header = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (wid and stamp and header):
        return "missing webhook-signature headers"
    if not stamp.isascii() or not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_S:
        return "webhook-timestamp too old or invalid"
    try:
        key = base64.b64decode(signing_token.removeprefix("whsec_"))
    except ValueError:
        key = signing_token.encode()
    digest = hmac.new(key, _raw(wid) + b"." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    offered = [_raw(part)[3:] for part in header.split() if part.startswith("v1,")]
    if any(hmac.compare_digest(expected, candidate) for candidate in offered):
        return None
    return "wrong webhook-signature"


def _raw(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")
