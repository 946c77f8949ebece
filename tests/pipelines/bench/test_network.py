"""`perfbot bench --network`: model-only egress through the harness's proxy, on the real Docker Engine. A stand-in
model endpoint and a second server run in containers on the default bridge; an agent sandbox on the model-only
network reaches the endpoint through the proxy, and nothing else, by no route."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from pipelines.bench import network
from pipelines.bench.contestants import CommandContestant, PerfbotContestant
from pipelines.bench.render import _network_warning
from pipelines.errors import UsageError
from tests.conftest import docker_available

SERVE = "import http.server as h; h.HTTPServer(('0.0.0.0', 8000), h.SimpleHTTPRequestHandler).serve_forever()"
PROBE = textwrap.dedent(
    """
    import sys, urllib.request
    url, proxy = sys.argv[1], sys.argv[2]
    handlers = [urllib.request.ProxyHandler({"http": proxy} if proxy != "-" else {})]
    try:
        print(urllib.request.build_opener(*handlers).open(url, timeout=5).status)
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode()[:200])
    except OSError as e:
        print("unreachable", type(e).__name__)
    """
)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """Two HTTP servers on the default bridge: the model endpoint and another host; their IP addresses."""
    if not docker_available():
        pytest.skip("no Docker Engine is reachable (start Docker or set DOCKER_HOST)")
    from sandbox.docker import connect
    from sandbox.images import sandbox_image_name

    client = connect()
    started: list[Any] = []
    try:
        for _ in range(2):
            container = client.containers.run(
                sandbox_image_name(),
                ["python3", "-c", SERVE],
                detach=True,
                labels={"perfbot": "bench-test"},
                user="1000:1000",
                working_dir="/tmp",
            )
            started.append(container)
        addresses = []
        for container in started:
            container.reload()
            addresses.append(container.attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"])
        yield {"model": addresses[0], "other": addresses[1]}
    finally:
        for container in started:
            container.remove(force=True)


@pytest.mark.docker
def test_an_agent_on_the_model_only_network_reaches_only_the_model_endpoint(servers: dict[str, str]) -> None:
    from pipelines.bench.egress_proxy import model_only_network
    from sandbox.docker import DockerSandbox

    with model_only_network(servers["model"], 8000) as (name, proxy):
        sandbox = DockerSandbox(label="bench-network-test", network=name)
        sandbox.start()
        try:
            sandbox.put_files({"probe.py": PROBE.encode()})

            def probe(url: str, via: str) -> str:
                return sandbox.execute(["python3", "probe.py", url, via], timeout=60).output.strip()

            assert probe(f"http://{servers['model']}:8000/", proxy) == "200"
            refused = probe(f"http://{servers['other']}:8000/", proxy)
            assert refused.startswith("403") and f"{servers['other']}:8000 is not the model endpoint" in refused
            assert probe(f"http://{servers['model']}:8000/", "-").startswith("unreachable")
            assert probe(f"http://{servers['other']}:8000/", "-").startswith("unreachable")
        finally:
            sandbox.close()


@pytest.mark.docker
def test_a_benchmark_sandbox_never_gets_a_network() -> None:
    from sandbox.docker import DockerSandbox

    with pytest.raises(ValueError, match="a benchmark sandbox has no network"):
        DockerSandbox(benchmark=True, network="bridge")


def test_network_modes_apply_to_external_agents_only_and_need_docker() -> None:
    agent = CommandContestant(name="a", kind="command", command="x")
    mine = PerfbotContestant(name="p")
    with network.for_agents("open", [mine, agent], "docker", None, lambda _: None) as reach:
        assert [getattr(c, "network", None) for c in reach.contestants] == [None, "bridge"]
        assert reach.summary == {"network": "open"}
    with (
        pytest.raises(UsageError, match="needs the docker sandbox"),
        network.for_agents("open", [agent], "local", None, lambda _: None),
    ):
        pass
    with (
        pytest.raises(UsageError, match="needs --model-endpoint"),
        network.for_agents("model-only", [agent], "docker", None, lambda _: None),
    ):
        pass
    assert network.endpoint_of("https://api.example.com/v1") == ("api.example.com", 443)
    assert network.endpoint_of("10.0.0.2:8000") == ("10.0.0.2", 8000)


def test_an_open_network_is_marked_loudly_in_the_leaderboard() -> None:
    assert "NETWORK OPEN" in "\n".join(_network_warning({"network": "open"}))
    assert _network_warning({"network": "none"}) == []


@pytest.mark.docker
def test_a_missing_agent_image_stops_the_benchmark_with_the_command_that_builds_it() -> None:
    if not docker_available():
        pytest.skip("no Docker Engine is reachable")
    from pipelines.bench.agent_images import prepare
    from pipelines.bench.contestants import apply_adapter
    from pipelines.errors import ConfigError

    cursor = apply_adapter(CommandContestant(name="cur", kind="command", adapter="cursor"))
    with pytest.raises(ConfigError) as caught:
        prepare([cursor], "docker", lambda _: None)
    message = str(caught.value)
    assert "contestant(s) ['cur'] need the image perfbot/cursor:latest, which is missing" in message
    assert "docker build -f bench/agents/Dockerfile.cursor -t perfbot/cursor:latest" in message
    prepare([cursor], "local", lambda _: None)  # a local sandbox needs no image
