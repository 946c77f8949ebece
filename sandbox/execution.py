"""One command inside a running container: the in-container wrapper and the host side that streams its output.

The wrapper (bash) enforces the timeout inside the container with `timeout -k`, which runs the command in a
process group of its own and kills that whole group when time is up; once the command ends, whatever it left
running in its group is killed too, and so is every other process of the candidate user, whatever group or session
it moved to (a daemon that double-forked and called setsid does not outlive its command). It caps the output inside
the container (the
excess is read and discarded there, so gigabytes never cross the API and the command is not killed by SIGPIPE),
and reports cgroup counters (OOM kills, CPU throttling) before and after on stderr, while the command's own
stdout and stderr are merged on stdout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

WRAPPER = r"""
meta() {
  local f line
  for f in /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events \
           /sys/fs/cgroup/pids/pids.events /sys/fs/cgroup/pids.events \
           /sys/fs/cgroup/cpu.stat /sys/fs/cgroup/cpu/cpu.stat /sys/fs/cgroup/cpu,cpuacct/cpu.stat; do
    if [ -r "$f" ]; then while read -r line; do echo "$1 ${f##*/} $line"; done < "$f"; fi
  done >&2
}
reap() {  # the candidate user's processes outside this wrapper's process group (never run as root)
  local mine stat fields p round
  [ "$EUID" = 0 ] && return
  stat=$(< /proc/$$/stat); read -r -a fields <<< "${stat##*) }"; mine=${fields[2]}
  for round in 1 2 3; do
    for p in /proc/[0-9]*; do
      stat=$(< "$p/stat") 2> /dev/null || continue
      read -r -a fields <<< "${stat##*) }"
      [ "${fields[2]}" = "$mine" ] || kill -KILL "${p#/proc/}" 2> /dev/null
    done
  done
}
cap=$1 limit=$2 kill_after=$3
shift 3
meta before
exec > >(head -c "$cap"; cat > /dev/null)
sink=$!
timeout -k "$kill_after" "$limit" "$@" 2>&1 &
group=$!
wait "$group"
status=$?
kill -KILL -- "-$group" 2> /dev/null
reap
exec >&-
wait "$sink"
[ "$EUID" = 0 ] || kill -KILL -1 2> /dev/null
meta after
exit "$status"
"""

KILL_AFTER_S = 2.0
"""Grace between TERM and KILL when a command runs out of time."""


def wrap(argv: list[str], timeout: float, max_output: int) -> list[str]:
    """The exec argv that runs `argv` under the wrapper."""
    return ["bash", "-c", WRAPPER, "perfbot-exec", str(max_output + 1), f"{timeout:.3f}s", f"{KILL_AFTER_S:g}s", *argv]


@dataclass(frozen=True)
class Counters:
    """Deltas of the container's cgroup counters across one command; None where the cgroup file is not readable."""

    oom_kills: int | None = None
    pids_limit_hits: int | None = None
    """Forks refused because the container reached its pids limit (cgroup pids.events `max`)."""
    throttled_periods: int | None = None
    throttled_s: float | None = None


def counters(meta: str) -> Counters:
    """Parse the wrapper's stderr report (`before|after FILE KEY VALUE` lines) into the deltas after − before."""
    values: dict[str, dict[str, int]] = {"before": {}, "after": {}}
    for line in meta.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in values and parts[3].lstrip("-").isdigit():
            values[parts[0]][f"{parts[1]}:{parts[2]}"] = int(parts[3])

    def delta(*keys: str) -> int | None:
        for key in keys:
            before, after = values["before"].get(key), values["after"].get(key)
            if before is not None and after is not None:
                return after - before
        return None

    throttled_ns = delta("cpu.stat:throttled_time")  # cgroup v1 reports nanoseconds, v2 microseconds
    throttled_us = delta("cpu.stat:throttled_usec")
    throttled_s = throttled_ns / 1e9 if throttled_ns is not None else None
    if throttled_s is None and throttled_us is not None:
        throttled_s = throttled_us / 1e6
    return Counters(
        oom_kills=delta("memory.oom_control:oom_kill", "memory.events:oom_kill"),
        pids_limit_hits=delta("pids.events:max"),
        throttled_periods=delta("cpu.stat:nr_throttled"),
        throttled_s=throttled_s,
    )


class CappedStream(threading.Thread):
    """Drains a demultiplexed exec stream of (stdout, stderr) chunks in a thread, keeping at most `cap` bytes of
    stdout (the command's output) and a little of stderr (the wrapper's report). Never raises: a broken stream
    ends the read and is remembered in `error`."""

    def __init__(self, chunks: Iterator[tuple[bytes | None, bytes | None]], cap: int) -> None:
        super().__init__(daemon=True)
        self._chunks = chunks
        self._cap = cap
        self.output = bytearray()
        self.meta = bytearray()
        self.truncated = False
        self.error: str | None = None

    def run(self) -> None:
        try:
            for stdout, stderr in self._chunks:
                if stdout:
                    room = self._cap - len(self.output)
                    self.output += stdout[: max(room, 0)]
                    self.truncated = self.truncated or len(stdout) > room
                if stderr and len(self.meta) < 64 * 1024:
                    self.meta += stderr
        except Exception as e:  # the engine closed the connection (e.g. the container was killed)
            self.error = f"{type(e).__name__}: {e}"
