"""The judge's processes: how it starts candidate code as the candidate user, talks to it, times it, and leaves
nothing of it behind. Stdlib only; run by judge.py.

Every process of candidate code starts fresh (`Worker`, or `run_command` for the tests), as the candidate user when
the judge runs as root (a Docker sandbox), with an environment built from nothing and descriptors it was handed on
purpose. A worker is forked by the judge's zygote (`Zygote`: a new interpreter that has done a worker's imports, see
worker.zygote) where the platform allows it, instead of starting an interpreter of its own. After each one `clean()`
kills every process of the candidate user (not only the process group: a daemon that double-forked and called
setsid is gone too) and empties every place that user could write.
"""

import contextlib
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time

import wire

HARNESS = os.path.dirname(os.path.abspath(__file__))
PYTHON = "python3"
PIPE_BYTES = 1 << 20
BATCH_BYTES = 256 << 10
"""The most input a CALL frame holds when it holds more than one call (a fast function's many small inputs)."""
WRITABLE = ("/tmp", "/dev/shm", "/dev/mqueue")
"""Where the candidate user can write in a Docker sandbox besides its scratch directories (read-only root)."""
_WIPE = r"""
ipc=$1
shift
for d in "$@"; do
  [ -d "$d" ] || continue
  chmod -R u+rwX "$d" 2>/dev/null
  find "$d" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null
done
[ "$ipc" = ipc ] && ipcrm --all 2>/dev/null
exit 0
"""
_LAUNCH = (
    f"import sys; sys.path.insert(0, {HARNESS!r}); import worker; sys.path.remove({HARNESS!r}); "
    "del sys.modules['worker']; sys.exit(worker.main(sys.argv[1:]))"
)
"""How a worker starts: worker.py imported as a module, so the bytecode compiled when the harness was installed
is used (a script is compiled anew at every start); then the harness is off sys.path and its modules out of
sys.modules, so the code under measurement imports its own `worker`, `wire` or `guard`, if it has one."""
_ZYGOTE = (
    f"import sys; sys.path.insert(0, {HARNESS!r}); import worker; sys.path.remove({HARNESS!r}); "
    "del sys.modules['worker']; sys.exit(worker.zygote(int(sys.argv[1])))"
)
"""How the zygote starts: as a worker does, up to the code under measurement, which only its forks import."""
_THREADS_ONE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}


class Failure(Exception):
    """Candidate code failed in a way that rejects it (the message says how)."""


class Sandboxed:
    """Who candidate code runs as and where it may write: `uid` None means the judge's own user (local sandbox)."""

    def __init__(self, uid, tmp):
        self.uid = uid
        self.tmp = tmp
        self._zygote = None

    def start_worker(self, mode, spec, cwd, pass_fds, output_fd):
        """A worker process (`Forked` from the zygote, else a `subprocess.Popen`) in `mode`, given the descriptors
        `pass_fds` (IN, OUT) and printing to `output_fd`."""
        if not Zygote.possible():
            spec = {**spec, "fd_in": pass_fds[0], "fd_out": pass_fds[1]}
            argv = [PYTHON, "-s", "-P", "-c", _LAUNCH, mode, json.dumps(spec)]
            return self.popen(argv, cwd, self.environment(), pass_fds, output_fd)
        if self._zygote is None:
            self._zygote = Zygote(self)
        return self._zygote.spawn(mode, spec, cwd, self.uid, [*pass_fds, output_fd])

    def close(self):
        """End the zygote, if one was started (its workers are gone by then)."""
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    def environment(self, extra=None):
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.tmp,
            "TMPDIR": self.tmp,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            **_THREADS_ONE,
        }
        env.update(extra or {})
        return env

    def popen(self, argv, cwd, env, pass_fds, output_fd):
        options = {}
        if self.uid is not None:
            options = {"user": self.uid, "group": self.uid, "extra_groups": []}
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output_fd,
            stderr=output_fd,
            pass_fds=pass_fds,
            start_new_session=True,
            **options,
        )

    def clean(self, proc, scratch=()):
        """Kill every process candidate code left and empty where it could write; returns how many processes
        besides `proc` were still running."""
        left = 0
        if self.uid is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            left = kill_user(self.uid, spare=proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        # Locally the judge's user is the user's own: its IPC objects and /tmp are not candidate territory.
        ipc, places = ("noipc", [self.tmp, *scratch]) if self.uid is None else ("ipc", [*WRITABLE, *scratch])
        if scratch or _anything_in(places) or (self.uid is not None and _ipc_objects(self.uid)):
            argv = ["sh", "-c", _WIPE, "wipe", ipc, *places]
            self.popen(argv, "/", self.environment(), (), subprocess.DEVNULL).wait()
        if self.uid is not None:
            kill_user(self.uid, spare=None)
        return left


def _anything_in(places):
    for place in places:
        with contextlib.suppress(OSError), os.scandir(place) as entries:
            if any(entry.name != ".perfbot" for entry in entries):
                return True
    return False


def _ipc_objects(uid):
    """Whether `uid` owns a System V shared memory segment, semaphore set or message queue (they outlive processes)."""
    for kind in ("shm", "sem", "msg"):
        with contextlib.suppress(OSError), open(f"/proc/sysvipc/{kind}") as f:
            header = f.readline().split()
            column = header.index("uid") if "uid" in header else None
            if column is not None and any(line.split()[column] == str(uid) for line in f if line.strip()):
                return True
    return False


def kill_user(uid, spare):
    """SIGKILL every live process of `uid` until none is left; the number found besides `spare`."""
    found = set()
    for _ in range(100):
        pids = [pid for pid in _user_pids(uid) if pid != os.getpid()]
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        found.update(pids)
        if spare in pids and len(pids) == 1:
            break  # only the worker itself, which the judge reaps
        time.sleep(0.001)  # let the killed die before looking again (a fork bomb keeps making more)
    found.discard(spare)
    return len(found)


def _user_pids(uid):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith("Z"):
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            pids.append(int(entry))
    return pids


class Zygote:
    """The judge's side of worker.zygote: a socket to it, the workers it forked, and how each ended."""

    def __init__(self, box):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            argv = [PYTHON, "-s", "-P", "-c", _ZYGOTE, str(theirs.fileno())]
            self.proc = subprocess.Popen(
                argv,
                cwd=HARNESS,
                env=box.environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the judge's stdout is its result: nothing else writes there
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        self.sock = ours
        self.ended: dict[int, int] = {}
        """pid -> exit code (as Popen's returncode) of each worker that has ended."""
        self._expect("ready", 60)

    @staticmethod
    def possible():
        return hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")

    def spawn(self, mode, spec, cwd, uid, fds):
        request = {"mode": mode, "spec": spec, "cwd": cwd, "uid": uid}
        socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
        return Forked(self, self._expect("spawned", 60))

    def _expect(self, key, timeout):
        """The value of `key` in the next message that has it (exits that come first are recorded)."""
        while True:
            message = self._message(timeout)
            if message is None:
                raise RuntimeError(f"the zygote did not answer within {timeout} s (expected {key!r})")
            if key in message:
                return message[key]

    def _message(self, timeout):
        """The next message, None after `timeout` seconds (None: no limit) without one. RuntimeError when the zygote
        is gone."""
        ready = select.select([self.sock], [], [], None if timeout is None else max(timeout, 0))[0]
        if not ready:
            return None
        data = self.sock.recv(1 << 16)
        if not data:
            raise RuntimeError(f"the zygote ended (status {self.proc.poll()})")
        message = json.loads(data)
        if "exit" in message:
            self.ended[message["exit"]] = message["code"]
        return message

    def wait_for(self, pid, timeout):
        """The exit code of worker `pid`; subprocess.TimeoutExpired if it has not ended within `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.ended:
            if self._message(None if deadline is None else deadline - time.monotonic()) is None:
                raise subprocess.TimeoutExpired(f"worker {pid}", timeout)
        return self.ended[pid]

    def close(self):
        self.sock.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Forked:
    """A worker forked by the zygote, as much of a `subprocess.Popen` as the judge uses."""

    def __init__(self, zygote, pid):
        self.zygote, self.pid = zygote, pid
        self.returncode = None

    def wait(self, timeout=None):
        if self.returncode is None:
            self.returncode = self.zygote.wait_for(self.pid, timeout)
        return self.returncode


class Drain(threading.Thread):
    """Reads a pipe to its end, keeping the last `keep` bytes; past `cap` bytes in all it calls `on_flood`."""

    def __init__(self, fd, cap, keep, on_flood=None):
        super().__init__(daemon=True)
        self.fd, self.cap, self.keep, self.on_flood = fd, cap, keep, on_flood
        self.size = 0
        self.tail = b""
        self.flooded = False

    def run(self):
        while chunk := os.read(self.fd, 65536):
            self.size += len(chunk)
            self.tail = (self.tail + chunk)[-self.keep :]
            if self.size > self.cap and not self.flooded:
                self.flooded = True
                if self.on_flood:
                    self.on_flood()
        os.close(self.fd)

    def text(self):
        return self.tail.decode("utf-8", errors="replace")


class Worker:
    """One worker.py process and the two pipes to it. Times are the judge's: `call` starts the clock before the
    first byte of the inputs is written and stops it when the last byte of the outcomes is read."""

    def __init__(self, box, mode, spec, cwd, timeout, max_print, guard=True):
        self.box, self.timeout = box, timeout
        to_worker, self._in = os.pipe()
        self._out, from_worker = os.pipe()
        for fd in (self._in, self._out):
            _widen(fd)
        printed_r, printed_w = os.pipe()
        spec = {**spec, "guard": guard and box.uid is not None}
        started = time.perf_counter_ns()
        self.proc = box.start_worker(mode, spec, cwd, (to_worker, from_worker), printed_w)
        for fd in (to_worker, from_worker, printed_w):
            os.close(fd)
        self.printed = Drain(printed_r, max_print, 2000, self._kill)
        self.printed.start()
        self.expired = False
        self._started = started
        self._numbered = 0
        self.import_ns = 0

    def wait_ready(self, what):
        """Wait for the worker's READY (its imports done); records how long starting took."""
        self._receive(wire.READY, what)
        self.import_ns = time.perf_counter_ns() - self._started

    def calls(self, payloads, what="the calls"):
        """(nanoseconds, outcome payloads) of one call per input pickle, in order. The clock starts before the first
        byte of the first input is written and stops when the last byte of the last outcome is read.

        The inputs go in CALL frames of at most BATCH_BYTES (or one input), one frame at a time: the next is written
        when every outcome of the last has been read. So each call costs its transport the same whether the code
        is slow or fast (an echo process that answers at once makes the same exchanges, no more, no fewer), and
        the worker holds one frame of inputs at a time. Failure when a call fails, floods, runs out of time or is
        answered out of turn."""
        numbers = list(range(self._numbered, self._numbered + len(payloads)))
        self._numbered += len(payloads)
        groups: list[list[bytes]] = [[]]
        size = 0
        for number, payload in zip(numbers, payloads, strict=True):
            if groups[-1] and size + len(payload) > BATCH_BYTES:
                groups.append([])
                size = 0
            groups[-1].append(wire.HEADER.pack(wire.CALL, wire.SEQUENCE.size + len(payload)))
            groups[-1].append(wire.SEQUENCE.pack(number) + payload)
            size += len(payload)
        frames = [(b"".join(group), len(group) // 2) for group in groups if group]
        os.set_blocking(self._in, False)  # a full pipe must not stop the judge reading what the worker answers
        try:
            return self._exchange(numbers, frames, what)
        finally:
            with contextlib.suppress(OSError):
                os.set_blocking(self._in, True)

    def _exchange(self, numbers, frames, what):
        answers: list[memoryview] = []
        reader, poller = wire.Reader(self._out), select.poll()
        poller.register(self._out, select.POLLIN)
        deadline = time.monotonic() + self.timeout
        view, due, writing = memoryview(b""), 0, False
        started = time.perf_counter_ns()
        while len(answers) < len(numbers):
            if not writing and len(answers) == due and frames:
                data, count = frames.pop(0)
                view, due, writing = memoryview(data), due + count, True
                poller.register(self._in, select.POLLOUT)
            left = deadline - time.monotonic()
            ready = poller.poll(left * 1000) if left > 0 else []
            if not ready:
                self._expire()
                raise Failure(self._why_ended(what, "timeout"))
            for fd, _events in ready:
                if fd == self._in:
                    try:
                        view = view[os.write(self._in, view) :]
                    except BlockingIOError:
                        continue
                    except OSError:  # the worker is gone: reading its end tells why
                        view = view[len(view) :]
                    if not view:
                        poller.unregister(self._in)
                        writing = False
                    continue
                try:
                    frame = reader.step()
                except wire.FrameTooLarge as e:
                    self._kill()
                    raise Failure(f"sent a frame perfbot could not read during {what} ({e})") from None
                except wire.FrameError as e:
                    raise Failure(self._why_ended(what, e)) from None
                if frame is not None:
                    if len(answers) >= due:
                        raise Failure(f"answered calls it had not been sent during {what} (a forged answer?)")
                    kind, body = frame
                    answers.append(self._answer_to(numbers[len(answers)], kind, body, what))
        return time.perf_counter_ns() - started, answers

    def call(self, payload, what="the call"):
        """(nanoseconds, outcome payload) of one call."""
        elapsed, [answer] = self.calls([payload], what)
        return elapsed, answer

    def _answer_to(self, number, kind, body, what):
        """The outcome in an OUTCOMES frame (a view of it, not a copy) that answers call `number`."""
        if kind != wire.OUTCOMES:
            raise self._unexpected(kind, bytes(body), what)
        size = wire.SEQUENCE.size
        if len(body) < size or wire.SEQUENCE.unpack_from(body)[0] != number:
            raise Failure(f"answered out of turn during {what}: an answer for another call (a forged answer?)")
        return memoryview(body)[size:]

    def prepare(self, payload):
        wire.send(self._in, wire.PREPARED, payload)
        self._receive(wire.READY, "preparing")

    def receive_inputs(self, what):
        """The (label, pickle) of each INPUT frame, and the READY payload that ends them (a builder)."""
        inputs = []
        while True:
            kind, payload = self._frame(what)
            if kind == wire.INPUT:
                header, _, data = payload.partition(b"\n")
                inputs.append((json.loads(header)["label"], data))
            elif kind == wire.READY:
                return inputs, json.loads(payload or b"{}")
            else:
                raise self._unexpected(kind, payload, what)

    def peak_bytes(self):
        """The kernel's high-water mark of the process's resident memory (VmHWM), read from outside it."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    def close(self, scratch=()):
        """End the process (killed: its own way out could take time and do anything) and everything it started;
        returns how many other processes it left running."""
        self._kill()
        for fd in (self._in, self._out):
            with contextlib.suppress(OSError):
                os.close(fd)
        left = self.box.clean(self.proc, scratch)
        self.printed.join(5)
        return left

    def _receive(self, expected, what):
        kind, payload = self._frame(what)
        if kind != expected:
            raise self._unexpected(kind, payload, what)
        return payload

    def _frame(self, what):
        """The next frame, within the timeout (a poll, not a timer thread per frame: a worker's start and the
        inputs it builds come in hundreds of frames)."""
        reader, poller = wire.Reader(self._out), select.poll()
        poller.register(self._out, select.POLLIN)
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                self._expire()
                raise Failure(self._why_ended(what, "timeout"))
            try:
                frame = reader.step()
            except wire.FrameError as e:
                raise Failure(self._why_ended(what, e)) from None
            if frame is not None:
                kind, body = frame
                return kind, bytes(body)

    def _unexpected(self, kind, payload, what):
        if kind == wire.ERROR:
            return Failure(payload.decode("utf-8", errors="replace")[:2000])
        return Failure(f"sent a {kind!r} frame during {what} where perfbot expected another (a forged answer?)")

    def _why_ended(self, what, error):
        self.printed.join(1)
        if self.expired:
            return f"did not finish within the {self.timeout:g} s timeout during {what} (killed)"
        if self.printed.flooded:
            return f"printed more than {self.printed.cap} bytes during {what} (it was stopped)"
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        code = self.proc.returncode
        if code is None:
            how = f"the interpreter closed its pipe to perfbot ({error})"
        elif code < 0:
            how = f"the interpreter crashed with {_signal_name(-code)}"
        else:
            how = f"the interpreter exited with status {code}"
        tail = self.printed.text().strip()[-500:]
        return f"{how} during {what} without answering" + (f"; its last output: {tail}" if tail else "")

    def _expire(self):
        self.expired = True
        self._kill()

    def _kill(self):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def _widen(fd):
    """A pipe buffer of PIPE_BYTES where the kernel allows it: a large outcome then crosses with a few copies
    instead of one wake-up of each side per 64 KiB (the transport's cost, and its noise, shrink)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
