"""The Docker backend's contract against the real engine: files, commands, hardening, benchmark mode, cleanup."""

from __future__ import annotations

from pathlib import Path

import docker
import docker.errors
import pytest

from sandbox.base import Sandbox, SandboxError, SandboxUnavailable
from sandbox.docker import DockerSandbox
from sandbox.factory import open_sandbox
from sandbox.reaper import EXPIRES, MANAGED

pytestmark = pytest.mark.docker


def test_files_put_into_the_workspace_come_back_and_belong_to_the_sandbox_user(shared_sandbox: DockerSandbox) -> None:
    shared_sandbox.put_files({"files/deep/er/data.bin": b"\x00\x01binary", "files/top.txt": b"top"})
    assert shared_sandbox.get_file("files/deep/er/data.bin") == b"\x00\x01binary"
    owners = shared_sandbox.execute("stat -c '%u %n' files files/deep files/deep/er/data.bin", timeout=30)
    assert owners.output.split("\n")[:3] == ["1000 files", "1000 files/deep", "1000 files/deep/er/data.bin"]


def test_a_directory_is_copied_without_its_git_and_cache_directories(
    shared_sandbox: DockerSandbox, tmp_path: Path
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("X = 1\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref\n")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    shared_sandbox.put_dir(tmp_path, "copies/one")
    listing = shared_sandbox.execute("find . | sort", timeout=30, cwd="copies/one")
    assert listing.output.split() == [".", "./pkg", "./pkg/mod.py"]
    ran = shared_sandbox.execute(["python", "-c", "import pkg.mod; print(pkg.mod.X)"], timeout=30, cwd="copies/one")
    assert ran.output == "1\n"


def test_reading_a_missing_file_raises_file_not_found(shared_sandbox: DockerSandbox) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.txt"):
        shared_sandbox.get_file("nope.txt")


def test_paths_outside_the_workspace_are_refused(shared_sandbox: DockerSandbox) -> None:
    with pytest.raises(SandboxError, match="outside the workspace"):
        shared_sandbox.put_files({"../etc/evil": b"x"})
    with pytest.raises(SandboxError, match="outside the workspace"):
        shared_sandbox.get_file("/etc/passwd")
    with pytest.raises(SandboxError, match="outside the workspace"):
        shared_sandbox.execute("true", timeout=30, cwd="../..")


def test_python_is_python3_and_the_test_tools_are_installed(shared_sandbox: DockerSandbox) -> None:
    result = shared_sandbox.execute("python -c 'import sys, numpy, pytest; print(sys.version_info[0])'", timeout=60)
    assert result.output == "3\n"


def test_the_container_is_created_with_every_hardening_option(
    shared_sandbox: DockerSandbox, docker_client: docker.DockerClient
) -> None:
    assert shared_sandbox.container is not None
    attrs = docker_client.api.inspect_container(shared_sandbox.container.id)
    host = attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert host["Init"] is True
    assert host["PidsLimit"] == shared_sandbox.pids_limit
    assert host["Memory"] == host["MemorySwap"] == 2 * 1024**3
    assert "/tmp" in host["Tmpfs"]
    assert host["CapAdd"] in (None, [])
    assert attrs["Config"]["User"] == "0:0", "the main process is root's, so ending user 1000's processes spares it"
    assert shared_sandbox.execute("id -u", timeout=30).output == "1000\n"
    assert attrs["Config"]["Cmd"][0] == "sleep"
    assert attrs["Config"]["Labels"][MANAGED] == "1"
    assert int(attrs["Config"]["Labels"][EXPIRES]) > 0


def test_the_workspace_is_a_size_limited_nosuid_volume(sandbox_image: str, docker_client: docker.DockerClient) -> None:
    with DockerSandbox(label="test-volume", image=sandbox_image, workspace_size="64m") as sandbox:
        assert sandbox.container is not None
        mounts = docker_client.api.inspect_container(sandbox.container.id)["Mounts"]
        [mount] = [m for m in mounts if m["Destination"] == "/workspace"]
        options = docker_client.volumes.get(mount["Name"]).attrs["Options"]
        assert options["type"] == "tmpfs"
        assert {"size=64m", "nosuid", "nodev"} <= set(options["o"].split(","))
        filled = sandbox.execute("head -c 100M /dev/zero > big; echo status $?", timeout=120)
        assert "No space left on device" in filled.output
        assert filled.output.strip().splitlines()[-1] != "status 0"


def test_trusted_files_and_commands_belong_to_a_user_candidate_code_cannot_be(sandbox_image: str) -> None:
    with DockerSandbox(label="test-trusted", image=sandbox_image, benchmark=True) as sandbox:
        sandbox.put_files({"harness/judge.py": b"print('trusted')\n"}, trusted=True)
        assert sandbox.execute("id -u", timeout=30, trusted=True).output == "0\n"
        tamper = sandbox.execute("echo evil > harness/judge.py; rm -f harness/judge.py; touch harness/x", timeout=30)
        assert tamper.returncode != 0
        assert sandbox.get_file("harness/judge.py") == b"print('trusted')\n"
        capabilities = sandbox.execute("grep CapEff /proc/self/status", timeout=30).output
        assert capabilities.split()[-1] == "0000000000000000", "candidate code holds no capability"


def test_a_benchmark_sandbox_is_pinned_to_a_cpu_without_a_quota(
    sandbox_image: str, docker_client: docker.DockerClient
) -> None:
    sandbox = open_sandbox("docker", label="test-bench", benchmark=True)
    try:
        assert isinstance(sandbox, DockerSandbox) and sandbox.container is not None
        host = docker_client.api.inspect_container(sandbox.container.id)["HostConfig"]
        assert (host["CpusetCpus"], host["NanoCpus"], host["CpuQuota"]) == (sandbox.cpus, 0, 0)
        result = sandbox.execute("nproc", timeout=30)
        assert result.output == "1\n"
        assert result.throttled_s == 0.0
    finally:
        sandbox.close()


def test_closing_removes_the_container_and_its_volume_and_can_be_repeated(
    sandbox_image: str, docker_client: docker.DockerClient
) -> None:
    sandbox = open_sandbox(None, label="test-close")
    assert isinstance(sandbox, Sandbox) and isinstance(sandbox, DockerSandbox)
    assert sandbox.container is not None
    name = sandbox.container.name
    sandbox.close()
    sandbox.close()
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(name)
    with pytest.raises(docker.errors.NotFound):
        docker_client.volumes.get(f"{name}-ws")


def test_a_missing_image_is_reported_with_the_ways_to_fix_it(
    docker_client: docker.DockerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFBOT_SANDBOX_IMAGE", "perfbot/no-such-image:latest")
    with pytest.raises(SandboxUnavailable) as raised:
        open_sandbox(None)
    message = str(raised.value)
    assert "perfbot/no-such-image:latest is missing" in message
    assert "perfbot sandbox build" in message
    assert "--sandbox local" in message
