"""Network for external agents during a research run (`perfbot bench --network`); never for measurements.

none        (default) the agent's sandbox has no network at all: it can only reach a model server it starts itself
model-only  the agent's sandbox is on an internal Docker network with no route out; the only way out is a proxy
            the harness runs (`egress_proxy`), which forwards only to the model endpoint's host and port. The agent
            gets HTTPS_PROXY/HTTP_PROXY pointing at it
open        the agent's sandbox is on Docker's default bridge: it can reach anything. The leaderboard says so in a
            banner, since an agent with the internet can look answers up

The benchmark sandboxes where candidate code is tested and timed never get a network (`DockerSandbox` refuses).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pipelines.bench.contestants import AnyContestant, CommandContestant
from pipelines.errors import UsageError


@dataclass
class Reach:
    contestants: list[AnyContestant]
    summary: dict[str, Any] = field(default_factory=lambda: {"network": "none"})


def endpoint_of(url: str) -> tuple[str, int]:
    """'https://api.example.com/v1' -> ('api.example.com', 443); 'host:8000' -> ('host', 8000)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if not parts.hostname:
        raise UsageError(f"--model-endpoint {url!r}: expected a URL or host:port")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


@contextlib.contextmanager
def for_agents(
    mode: str, contestants: list[AnyContestant], sandbox: str | None, endpoint: str | None, say: Callable[[str], None]
) -> Iterator[Reach]:
    agents = [c for c in contestants if isinstance(c, CommandContestant)]
    if mode == "none" or not agents:
        yield Reach(contestants, {"network": "none" if mode == "none" else f"{mode} (no external agent)"})
        return
    if sandbox == "local":
        raise UsageError("--network needs the docker sandbox: a local sandbox has the host's network anyway")
    if mode == "open":
        say("NETWORK OPEN: external agents can reach any host; the leaderboard is marked")
        yield Reach(_with(contestants, {"network": "bridge"}), {"network": "open"})
        return
    if not endpoint:
        raise UsageError("--network model-only needs --model-endpoint (the URL of the model API the agents use)")
    host, port = endpoint_of(endpoint)
    from pipelines.bench.egress_proxy import model_only_network

    with model_only_network(host, port) as (network_name, proxy_url):
        say(f"model-only network {network_name}: agents reach only {host}:{port}, through {proxy_url}")
        proxy_env = {
            "HTTPS_PROXY": proxy_url,
            "HTTP_PROXY": proxy_url,
            "https_proxy": proxy_url,
            "http_proxy": proxy_url,
            "NO_PROXY": "localhost,127.0.0.1",
            "no_proxy": "localhost,127.0.0.1",
        }
        changed = [
            c.model_copy(update={"network": network_name, "env": {**proxy_env, **c.env}})
            if isinstance(c, CommandContestant)
            else c
            for c in contestants
        ]
        yield Reach(changed, {"network": "model-only", "model_endpoint": f"{host}:{port}"})


def _with(contestants: list[AnyContestant], update: dict[str, Any]) -> list[AnyContestant]:
    return [c.model_copy(update=update) if isinstance(c, CommandContestant) else c for c in contestants]
