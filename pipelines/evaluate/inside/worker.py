"""One process of code under measurement, started by the judge as the candidate user. Stdlib only.

    python3 -s -P -c "import worker; sys.exit(worker.zygote(FD))"
                                (see procs._ZYGOTE: the judge's zygote, which forks each worker; FD its socket)
    python3 -s -P -c "import worker; sys.exit(worker.main(sys.argv[1:]))" MODE SPEC_JSON
                                (see procs._LAUNCH: one worker started afresh, where the zygote cannot run; cwd: the
                                version's read-only copy; fds IN and OUT from the judge)

Modes:
    serve     import the entry, say READY, then answer each CALL frame (a call number, then the pickle of (args,
              kwargs)) with an OUTCOMES frame (the same number, then wire.pack of [status, value, after], `after` being
              SAME when the call left its arguments as they came in, else [args, kwargs] as the call left them; see
              `_argument_check`), sent as soon as the call returns; as in a program that calls the function in a
              loop, an output is gone before the next call and an input once the next input exists
    echo      the same without the entry: it answers with outcomes prepared beforehand (a PREPARED frame, answered
              READY), so the judge can time the transport alone
    build     call the inputs function for each requested seed (None: its default) and send the pickled list
    variants  build the benchmark input and derive degenerate variants of its sequence arguments (see `derive`)
    show      unpickle an input and send it encoded, for a report
    given     unpickle an input and send it wire-encoded (what SAME stands for)
    idle      say READY and wait (the memory of an interpreter that has done nothing)

This process is candidate territory: whatever it reports besides its outcomes is not trusted. The clock, the
comparison and the memory reading are the judge's; the worker only has to get inputs and return outcomes.
"""

import gc
import importlib
import itertools
import json
import operator
import os
import pickle
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guard  # noqa: E402
import wire  # noqa: E402

sys.path.remove(HERE)
del sys.modules["guard"], sys.modules["wire"]  # the code under measurement may have modules of these names


def main(argv):
    return run(argv[0], json.loads(argv[1]))


def run(mode, spec):
    """Be a worker in `mode` (see the modules's docstring) on the descriptors spec["fd_in"] and spec["fd_out"]."""
    fd_in, fd_out = spec["fd_in"], spec["fd_out"]
    os.dup2(2, 1)  # whatever the code prints goes to stderr, which the judge counts and caps
    if spec.get("guard"):
        missing = guard.lock()
        if missing:
            wire.send(fd_out, wire.ERROR, f"the worker could not lock itself: {', '.join(missing)}".encode())
            return 1
    for path in reversed(spec.get("pythonpath", [""])):
        sys.path.insert(0, os.path.abspath(path))
    try:
        MODES[mode](spec, fd_in, fd_out)
    except wire.FrameError:
        return 0  # the judge closed the pipe: nothing more to do
    return 0


def zygote(control_fd):
    """The judge's zygote: a process that has done a worker's imports once, as the judge's user, and forks each
    worker from there on request (a SPAWN message on `control_fd`, a Unix socket, with the worker's three
    descriptors), answering with its pid ({"spawned": pid}) and, when it ends, its exit status ({"exit": pid,
    "code": code}). A fresh interpreter per worker cost most of what starting one takes (the interpreter's start
    and these imports, ~80 ms in a sandbox where every file read crosses a FUSE mount), against a few milliseconds
    for a fork; the worker is as fresh for the code under measurement, which it imports after the fork.

    Nothing of the judge's is here to be read by a worker: the zygote is a new interpreter, not a fork of the judge,
    and it never sees an input, a seed or a result. It ends when the judge closes the socket."""
    import select
    import socket

    control = socket.socket(fileno=control_fd)
    live: dict = {}
    """pidfd -> pid of each worker not yet reaped."""
    control.send(b'{"ready": true}')
    while True:
        readable, _, _ = select.select([control, *live], [], [])
        for fd in readable:
            if fd in live:
                pid = live.pop(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                control.send(json.dumps({"exit": pid, "code": os.waitstatus_to_exitcode(status)}).encode())
        if control not in readable:
            continue
        message, fds, _flags, _address = socket.recv_fds(control, 1 << 16, 3)
        if not message:
            return 0
        pid = os.fork()
        if pid == 0:
            _forked(json.loads(message), fds)
        for fd in fds:
            os.close(fd)
        live[os.pidfd_open(pid)] = pid
        control.send(json.dumps({"spawned": pid}).encode())


def _forked(request, fds):
    """In a fork of the zygote: become the worker `request` asks for (its own session, descriptors, directory and
    user) and run it. Never returns."""
    code = 1
    try:
        fd_in, fd_out, printed = fds
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(printed, 1)
        os.dup2(printed, 2)
        lowest = 3
        for fd in sorted({fd_in, fd_out}):  # every other descriptor closed (close_range where the kernel has it)
            os.closerange(lowest, fd)
            lowest = fd + 1
        os.closerange(lowest, os.sysconf("SC_OPEN_MAX"))
        os.chdir(request["cwd"])
        uid = request.get("uid")
        if uid is not None:
            if request["spec"].get("guard"):
                guard.first_to_go()  # as root: once the user is dropped, its /proc files are no longer its own
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        sys.argv = ["-c"]
        code = run(request["mode"], {**request["spec"], "fd_in": fd_in, "fd_out": fd_out})
    except SystemExit as e:  # as the interpreter would end on it
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        if e.code is not None and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105 (no contextlib for a worker: it starts by importing as little as it can)
                stream.flush()
            except BaseException:
                pass
        os._exit(code)


def serve(spec, fd_in, fd_out):
    (note, after), load = _argument_check(), unpickled  # before the code under measurement is imported
    function = _loaded(spec["entry"], fd_out)
    if function is None:
        return

    def respond(args, kwargs):
        noted = note(args, kwargs)
        try:
            value = function(*args, **kwargs)
        except Exception as e:
            return ["x", [type(e).__name__, _short(str(e))], after(args, kwargs, noted)]
        return ["r", value, after(args, kwargs, noted)]

    _answering(fd_in, fd_out, respond, load)


def echo(spec, fd_in, fd_out):
    values: list = [None]
    note, after = _argument_check()

    def prepare(payload):
        values[:] = [outcome[1] for outcome in wire.loads(payload)] or [None]

    def respond(args, kwargs):
        noted = note(args, kwargs)
        values.append(values.pop(0))  # the prepared values in turn
        return ["r", values[-1], after(args, kwargs, noted)]

    _answering(fd_in, fd_out, respond, unpickled, prepare)


def _answering(fd_in, fd_out, respond, load, prepare=None):
    """READY, then frame by frame until the judge stops: each CALL is answered with one OUTCOMES frame, PREPARED
    (the echo) sets what it answers and is answered READY. `load` reads a CALL's input (`unpickled`, taken before
    the code under measurement was imported)."""
    wire.send(fd_out, wire.READY)
    last: list = [None]
    while True:
        kind, number, payload = wire.receive_numbered(fd_in)
        if kind == wire.PREPARED and prepare is not None:
            prepare(payload)
            wire.send(fd_out, wire.READY)
        elif kind == wire.CALL and number:
            args, kwargs = load(payload)
            # The last call's input goes once this one's exists, as in a loop that rebinds its variable; freeing
            # it first made every call allocate from an emptied heap (the allocator gives empty arenas back).
            last[0] = None
            outcome = respond(args, kwargs)
            last[0] = (args, kwargs)
            del args, kwargs, payload  # freed after the call: freeing it before changed the heap the call grew into
            _answer(fd_out, outcome, number)
            del outcome
        else:
            return


def unpickled(payload):
    """The input of one CALL frame: (args, kwargs)."""
    args, kwargs = pickle.loads(payload)
    return args, kwargs


def _argument_check():
    """(note, after): `note(args, kwargs)` before a call records what the call could change in its arguments;
    `after(args, kwargs, noted)` is SAME when none of it changed (the common case), else [args, kwargs] as the call
    left them, encoded with the outcome. Timed like the call: the echo does the same work, so it is part of the
    transport taken out, and it is kept light, because what the transport costs is subtracted as an estimate.

    Per argument: a str, number, bytes or None cannot change; a tuple of those, or a list of those or of such
    tuples, is checked by keeping its items and comparing them by identity afterwards (`is`, so no object can say
    it is equal); anything else is pickled before and after and the bytes compared.

    Bound before the code under measurement is imported, so that replacing this module's functions or `pickle` or
    `operator` from that code cannot make a call that sorted its input in place say SAME (the C pickler saves
    builtin types without consulting copyreg). Reaching into these closures takes frame or gc inspection, which
    the scan lists among what a change newly uses."""
    dumps, protocol, same = pickle.dumps, pickle.HIGHEST_PROTOCOL, wire.SAME
    is_, chain, all_, len_, map_, set_, type_ = operator.is_, itertools.chain.from_iterable, all, len, map, set, type
    list_, tuple_, atoms = list, tuple, frozenset({int, float, str, bytes, bool, type(None), complex})
    unreadable = object()

    def kept(value):
        kind = type_(value)
        if kind in atoms:
            return None
        if kind is list_ or kind is tuple_:
            types = set_(map_(type_, value))
            if types <= atoms or (types == {tuple_} and set_(map_(type_, chain(value))) <= atoms):
                return list_(value) if kind is list_ else None
        try:
            return dumps(value, protocol=protocol)
        except Exception:  # unpicklable: it is encoded, and compared, as it is
            return unreadable

    def unchanged(value, before):
        if before is None:
            return True
        if type_(before) is list_:
            return len_(value) == len_(before) and all_(map_(is_, value, before))
        try:
            return before is not unreadable and dumps(value, protocol=protocol) == before
        except Exception:
            return False

    def note(args, kwargs):
        return [kept(value) for value in args], {name: kept(value) for name, value in kwargs.items()}

    def after(args, kwargs, noted):
        before_args, before_kwargs = noted
        if all_(map_(unchanged, args, before_args)) and all_(
            unchanged(value, before_kwargs[name]) for name, value in kwargs.items()
        ):
            return same
        return [args, kwargs]

    return note, after


def _answer(fd_out, outcome, number):
    """One OUTCOMES frame: the call's number, then the outcome packed (its blobs written from where they are)."""
    try:
        parts = wire.pack_parts([outcome])
    except (RecursionError, ValueError, TypeError) as e:
        wire.send(fd_out, wire.ERROR, f"its outcome could not be encoded as data ({type(e).__name__}: {e})".encode())
        raise wire.FrameError("unencodable outcome") from None
    wire.send_parts(fd_out, wire.OUTCOMES, [number, *parts])


def build(spec, fd_in, fd_out):
    """One INPUT frame per requested seed of each job ({"params", "seeds"}), labelled with the job's index, then
    READY with {"seeded": whether the inputs function takes a seed}."""
    make = _loaded(spec["inputs"], fd_out)
    if make is None:
        return
    seeded = takes_seed(make)
    for index, job in enumerate(spec["jobs"]):
        for seed in job["seeds"]:
            try:
                made = _call_inputs(make, {**spec, "params": job["params"]}, seed if seeded else None)
            except Exception as e:
                where = " ".join(f"{k}={v}" for k, v in job["params"].items())
                message = f"{spec['inputs']} fails at {where}: raised {type(e).__name__}: {_short(str(e))}"
                wire.send(fd_out, wire.ERROR, message.encode())
                return
            _send_input(fd_out, index, made)
    wire.send(fd_out, wire.READY, json.dumps({"seeded": seeded}).encode())


def variants(spec, fd_in, fd_out):
    """One INPUT frame per derived variant of the benchmark input (labelled), then READY."""
    make = _loaded(spec["inputs"], fd_out)
    if make is None:
        return
    try:
        args, kwargs = _call_inputs(make, spec, None)
    except Exception as e:
        wire.send(fd_out, wire.ERROR, _described(e, f"building the input ({spec['inputs']})").encode())
        return
    wanted = set(spec["kinds"])
    for kind, label, made in derive(args, kwargs):
        if kind in wanted:
            _send_input(fd_out, label, made)
    wire.send(fd_out, wire.READY, b"{}")


def _send_input(fd_out, label, made):
    header = json.dumps({"label": label}).encode()
    wire.send(fd_out, wire.INPUT, header + b"\n" + pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))


def show(spec, fd_in, fd_out):
    _kind, number, payload = wire.receive_numbered(fd_in)
    args, kwargs = unpickled(payload)
    shown = {"args": [_limited_repr(a) for a in args], "kwargs": {k: _limited_repr(v) for k, v in kwargs.items()}}
    wire.send_parts(fd_out, wire.OUTCOMES, [number, json.dumps(shown).encode()])


def given(spec, fd_in, fd_out):
    """An input as data ([[args, kwargs]], wire-encoded): what SAME stands for, when one version's call changed
    its arguments and the other's did not."""
    _kind, number, payload = wire.receive_numbered(fd_in)
    args, kwargs = unpickled(payload)
    _answer(fd_out, [args, kwargs], number)


def idle(spec, fd_in, fd_out):
    wire.send(fd_out, wire.READY)
    wire.receive(fd_in)


def _loaded(ref, fd_out):
    try:
        value = _import(ref)
    except BaseException as e:  # SystemExit and KeyboardInterrupt from an import are the candidate's too
        wire.send(fd_out, wire.ERROR, _described(e, f"importing {ref}").encode())
        return None
    gc.collect()
    return value


def _import(ref):
    module_name, _, attr = ref.partition(":")
    value = importlib.import_module(module_name)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


def _call_inputs(make, spec, seed):
    params = dict(spec["params"])
    if seed is not None:
        params["seed"] = seed
    made = make(**params)
    if isinstance(made, dict) and set(made) <= {"args", "kwargs"}:
        return list(made.get("args", [])), dict(made.get("kwargs", {}))
    if isinstance(made, tuple):
        return list(made), {}
    raise TypeError(f"{spec['inputs']} must return a tuple of arguments or {{'args': [...], 'kwargs': {{...}}}}")


def takes_seed(make):
    import inspect

    try:
        return "seed" in inspect.signature(make).parameters
    except (TypeError, ValueError):
        return False


def derive(args, kwargs):
    """(kind, description, (args, kwargs)) for degenerate versions of each list, tuple or 1-d array argument of two
    or more items: empty, one element, all equal, every value twice, sorted, reversed, its first 2, 3 and 10 items."""
    places = [(i, value) for i, value in enumerate(args)] + [(k, value) for k, value in kwargs.items()]
    for place, value in places:
        name = f"argument {place + 1}" if isinstance(place, int) else f"argument {place}"
        for kind, description, changed in _variants_of(value):
            new_args, new_kwargs = list(args), dict(kwargs)
            if isinstance(place, int):
                new_args[place] = changed
            else:
                new_kwargs[place] = changed
            yield kind, f"{name} {description}", (new_args, new_kwargs)


def _variants_of(value):
    if not _is_sequence(value) or len(value) < 2:
        return
    n = len(value)
    yield "empty", "empty", value[:0]
    yield "one element", "cut to its first item", value[:1]
    yield "equal items", "with every item equal to its first", _repeat(value, 0, n)
    half = max(1, n // 2)
    yield "duplicates", "with every item twice", _join(value[:half], value[: n - half])
    try:
        ordered = _sorted(value)
    except TypeError:
        pass
    else:
        yield "sorted", "sorted", ordered
    yield "reversed", "reversed", value[::-1]
    for size in (2, 3, 10):
        if size < n:
            yield f"prefix of {size}", f"cut to its first {size} items", value[:size]


def _is_sequence(value):
    if type(value) in (list, tuple):
        return True
    return type(value).__module__ == "numpy" and getattr(value, "ndim", 0) >= 1


def _repeat(value, index, n):
    if type(value) in (list, tuple):
        return type(value)([value[index]] * n)
    return value[[index] * n]


def _join(a, b):
    if type(a) in (list, tuple):
        return a + b
    import numpy

    return numpy.concatenate([a, b])


def _sorted(value):
    if type(value) in (list, tuple):
        return type(value)(sorted(value))
    import numpy

    return numpy.sort(value, axis=0)


def _described(error, where):
    return f"raised {type(error).__name__}: {_short(str(error))} while {where}"


def _short(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "..."


def _limited_repr(value, limit=400):
    try:
        text = repr(value)
    except Exception as e:
        text = f"<unprintable {type(value).__name__}: {e}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


MODES = {
    "serve": serve,
    "echo": echo,
    "build": build,
    "variants": variants,
    "show": show,
    "given": given,
    "idle": idle,
}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
