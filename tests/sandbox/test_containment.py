"""Hostile commands against the real Docker sandbox: each is contained, with a clear reason, and the sandbox goes on.

No test sends traffic beyond loopback: the network test only lists interfaces and connects to 127.0.0.1.
"""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator

import pytest

from sandbox.docker import DockerSandbox

pytestmark = pytest.mark.docker


def still_usable(sandbox: DockerSandbox) -> None:
    result = sandbox.execute("echo usable", timeout=30)
    assert (result.returncode, result.output) == (0, "usable\n")


def test_the_sandbox_has_no_network_interface_but_loopback(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute("ls /sys/class/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", timeout=30)
    assert result.output.split() == ["lo", "lo"]


def test_a_port_open_on_the_hosts_loopback_cannot_be_reached_from_inside(shared_sandbox: DockerSandbox) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        probe = (
            "import socket\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=5)\n"
            "    print('connected')\n"
            "except OSError as e:\n"
            "    print(type(e).__name__)\n"
        )
        result = shared_sandbox.execute(["python", "-c", probe], timeout=30)
    assert result.output.strip() == "ConnectionRefusedError"


def test_writing_outside_the_workspace_fails_on_the_read_only_root(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute(
        "echo x > /usr/lib/perfbot-escape; awk '$2 == \"/\" {print $4}' /proc/mounts", timeout=30
    )
    refusal, root_options = result.output.splitlines()
    assert refusal.endswith("cannot create /usr/lib/perfbot-escape: Read-only file system")
    assert root_options.startswith("ro,")
    writable = shared_sandbox.execute(
        "echo a > /workspace/w.txt && echo b > /tmp/t.txt && cat w.txt /tmp/t.txt", timeout=30
    )
    assert writable.output == "a\nb\n"


def test_a_command_cannot_become_root(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute("id -u; grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status", timeout=30)
    assert [line.split() for line in result.output.splitlines()] == [
        ["1000"],
        ["CapEff:", "0000000000000000"],
        ["CapBnd:", "0000000000000000"],
        ["NoNewPrivs:", "1"],
    ]


def test_a_fork_bomb_hits_the_pids_limit_and_the_sandbox_goes_on(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute(["bash", "-c", "bomb() { bomb | bomb; }; bomb"], timeout=5, max_output=4096)
    assert result.timed_out
    assert "Resource temporarily unavailable" in result.output
    assert result.output.endswith(
        f"[perfbot] the command hit the sandbox's limit of {shared_sandbox.pids_limit} processes\n"
    )
    still_usable(shared_sandbox)
    count = shared_sandbox.execute("ps -e --no-headers | wc -l", timeout=30)
    assert int(count.output) < 10


def test_an_infinite_loop_is_killed_at_its_timeout(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute("while :; do :; done", timeout=1)
    assert result.timed_out
    assert result.failure is not None and result.failure.startswith("timed out")
    assert 1 <= result.duration_s < 10
    still_usable(shared_sandbox)


def test_a_loop_that_ignores_sigterm_is_killed_after_the_grace_period(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute(["bash", "-c", "trap '' TERM; while :; do :; done"], timeout=1)
    assert result.timed_out
    assert result.duration_s < 10
    leftovers = shared_sandbox.execute("ps -e -o args --no-headers | grep -c '[w]hile :' || true", timeout=30)
    assert leftovers.output.strip() == "0"


def test_gigabytes_of_output_are_capped_and_perfbot_memory_stays_bounded(shared_sandbox: DockerSandbox) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = shared_sandbox.execute(
        "head -c 2000000000 /dev/zero | tr '\\0' y && exit 7", timeout=120, max_output=10_000
    )
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.returncode == 7, "the command ran to its end: capping did not kill it"
    assert result.truncated
    assert result.output == "y" * 10_000
    assert grown_kib < 100 * 1024


@pytest.fixture
def small_sandbox(sandbox_image: str) -> Iterator[DockerSandbox]:
    with DockerSandbox(label="test-oom", image=sandbox_image, mem_limit="256m") as sandbox:
        yield sandbox


def test_allocating_far_more_memory_than_the_limit_is_killed_with_a_clear_reason(small_sandbox: DockerSandbox) -> None:
    result = small_sandbox.execute(["python", "-c", "b = b'x' * (2 * 1024**3)"], timeout=60)
    assert result.oom_killed
    assert not result.ok
    assert result.failure == "killed for exceeding the sandbox's memory limit (out of memory)"
    assert "256m of memory" in result.output
    still_usable(small_sandbox)


def test_a_daemon_that_left_its_session_does_not_outlive_its_command(sandbox_image: str) -> None:
    with DockerSandbox(label="test-daemon", image=sandbox_image, backstop_s=1) as sandbox:
        sandbox.put_files({"kept.txt": b"kept"})
        # A double fork and setsid: the daemon writes its pid once it has left the command's session and group.
        escape = "setsid sh -c 'echo $$ > /tmp/escaped; exec sleep 600' & until [ -s /tmp/escaped ]; do :; done"
        result = sandbox.execute(escape, timeout=30)
        assert result.ok and not result.timed_out
        after = sandbox.execute("kill -0 $(cat /tmp/escaped) && echo alive || echo gone", timeout=30)
        assert after.output.strip().splitlines()[-1] == "gone"
        assert sandbox.get_file("kept.txt") == b"kept"


def test_a_daemon_that_holds_the_output_pipe_does_not_hang_the_command(sandbox_image: str) -> None:
    with DockerSandbox(label="test-daemon-pipe", image=sandbox_image, backstop_s=5) as sandbox:
        result = sandbox.execute("setsid sleep 600 & echo started", timeout=30)
        assert result.ok and result.output.strip() == "started"
        listed = sandbox.execute("ps -u 1000 -o comm=", timeout=30)
        assert "sleep" not in listed.output


def test_perfbots_secrets_are_not_visible_inside(sandbox_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-secret-1234")
    monkeypatch.setenv("PERFBOT_GITLAB_TOKEN", "glpat-fake-secret-5678")
    with DockerSandbox(label="test-secrets", image=sandbox_image) as sandbox:
        result = sandbox.execute("env; cat /proc/1/environ | tr '\\0' '\\n'", timeout=30, env={"GIVEN": "explicitly"})
    assert "fake-secret" not in result.output
    assert "ANTHROPIC_API_KEY" not in result.output
    assert "GIVEN=explicitly" in result.output
