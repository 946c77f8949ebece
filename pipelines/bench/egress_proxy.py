"""`--network model-only`: an internal Docker network whose only way out is a proxy to one host and port.

    agent sandbox ──(internal network, no route out)──► proxy container ──(default bridge)──► model endpoint

The proxy (`PROXY_SOURCE`, run with the sandbox image's python3) speaks HTTP proxying: `CONNECT host:port` (HTTPS,
end to end encrypted: the proxy sees no keys) and absolute-URI plain HTTP requests. It forwards only to the
allowed host and port and answers 403 to anything else, naming what was refused. The network and the container are
removed when the benchmark ends.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

import docker.errors
from docker import DockerClient
from docker.models.containers import Container
from docker.models.networks import Network

PROXY_PORT = 3128
PROXY_ALIAS = "perfbot-model-proxy"
PROXY_SOURCE = r"""
import select, socket, sys, threading
ALLOWED = (sys.argv[1].lower(), int(sys.argv[2]))

def pipe(a, b):
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 600)
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return

def target_of(line):
    method, url = line.split()[:2]
    if method == "CONNECT":
        host, _, port = url.rpartition(":")
        return method, host.strip("[]"), int(port)
    rest = url.split("://", 1)[1]
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.partition(":")
    return method, host, int(port or (443 if url.startswith("https") else 80))

def origin_form(head):
    # GET http://host:port/path HTTP/1.1 -> GET /path HTTP/1.1, as servers expect from a proxy
    line, rest = head.split(b"\r\n", 1)
    method, url, version = line.split(b" ", 2)
    path = b"/" + url.split(b"://", 1)[1].partition(b"/")[2]
    return b" ".join([method, path, version]) + b"\r\n" + rest

def serve(client):
    with client:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        try:
            method, host, port = target_of(line)
        except (ValueError, IndexError):
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        if (host.lower(), port) != ALLOWED:
            body = f"perfbot model-only network: {host}:{port} is not the model endpoint".encode()
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            sys.stderr.write(f"refused {host}:{port}\n")
            return
        try:
            upstream = socket.create_connection(ALLOWED, timeout=30)
        except OSError as e:
            body = f"perfbot model-only network: cannot reach {host}:{port}: {e}".encode()
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        with upstream:
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                rest = head.split(b"\r\n\r\n", 1)[1]
                if rest:
                    upstream.sendall(rest)
            else:
                upstream.sendall(origin_form(head))
            pipe(client, upstream)

server = socket.create_server(("0.0.0.0", int(sys.argv[3])), reuse_port=False)
print("proxy ready", flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


@contextlib.contextmanager
def model_only_network(host: str, port: int, image: str | None = None) -> Iterator[tuple[str, str]]:
    """(network name, proxy URL) while the proxy runs; everything removed afterwards. The name is stable for one
    endpoint, so a resumed benchmark keeps its contestants' fingerprints."""
    from sandbox.docker import connect
    from sandbox.images import sandbox_image_name

    client = connect()
    tag = hashlib.sha256(f"{host}:{port}".encode()).hexdigest()[:10]
    name = f"perfbot-bench-model-only-{tag}"
    for stale in client.networks.list(names=[name]):
        _remove_network(client, stale)
    network = client.networks.create(name, driver="bridge", internal=True, labels={"perfbot": "bench-network"})
    proxy = None
    try:
        proxy = client.containers.run(
            image or sandbox_image_name(),
            ["python3", "-c", PROXY_SOURCE, host, str(port), str(PROXY_PORT)],
            detach=True,
            network="bridge",
            labels={"perfbot": "bench-proxy"},
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges:true"],
            user="1000:1000",
            mem_limit="128m",
        )
        network.connect(proxy, aliases=[PROXY_ALIAS])
        _wait_ready(proxy)
        yield name, f"http://{PROXY_ALIAS}:{PROXY_PORT}"
    finally:
        if proxy is not None:
            proxy.remove(force=True)
        _remove_network(client, network)


def _wait_ready(proxy: Container) -> None:
    for line in proxy.logs(stream=True, follow=True):
        if b"proxy ready" in line:
            return
    raise RuntimeError(f"the model-only proxy did not start: {proxy.logs().decode()[-500:]}")


def _remove_network(client: DockerClient, network: Network) -> None:
    """Removes the network and the proxies on it (never anyone else's container: a network with other containers
    still attached stays)."""
    network.reload()
    for ident in network.attrs.get("Containers") or {}:
        with contextlib.suppress(docker.errors.DockerException):
            container = client.containers.get(ident)
            if container.labels.get("perfbot") == "bench-proxy":
                container.remove(force=True)
    with contextlib.suppress(docker.errors.DockerException):
        network.remove()
