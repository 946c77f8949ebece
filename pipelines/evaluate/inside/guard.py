"""What a measured worker locks before it imports candidate code. Linux only; elsewhere it does nothing.

- No new processes: a seccomp filter refuses `fork`, `vfork`, `clone` without CLONE_THREAD and `clone3` (glibc then
  falls back to `clone` for threads), so work and memory cannot hide in a child the measurement does not see.
- A peak that stays measured: the process is made non-dumpable, which makes its /proc files root's, so it cannot
  write `/proc/self/clear_refs` to reset the kernel's peak-memory counter; the filter refuses making it dumpable again.
- First to go: `oom_score_adj` 1000, so when it exhausts the sandbox's memory the kernel kills it, not the judge.

`lock()` returns the list of protections that could not be put in place (empty when all hold).
"""

import ctypes
import os
import struct

PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
CLONE_THREAD = 0x00010000
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38
X32_BIT = 0x40000000

# BPF opcodes: load word at absolute offset, conditional jumps, return.
LD_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ARCHES = {
    "x86_64": (0xC000003E, {"prctl": 157, "clone": 56, "clone3": 435, "fork": 57, "vfork": 58}),
    "aarch64": (0xC00000B7, {"prctl": 167, "clone": 220, "clone3": 435}),
}
# Offsets in struct seccomp_data: nr, arch, then args[6] as u64 (the low half first on little-endian machines).
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24


def lock():
    missing = []
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        first_to_go()
    except OSError:
        if not _first_to_go_already():
            missing.append("oom_score_adj")
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        missing.append("non-dumpable")
    program = _program(os.uname().machine)
    if program is None or not _install(libc, program):
        missing.append("seccomp")
    return missing


def first_to_go():
    """`oom_score_adj` 1000. A worker forked by the judge's zygote has it set before its user is dropped: after
    that its /proc files are root's."""
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")


def _first_to_go_already():
    try:
        with open("/proc/self/oom_score_adj") as f:
            return f.read().strip() == "1000"
    except OSError:
        return False


def _program(machine):
    """The filter as a list of (code, jt, jf, k), jumps resolved from labels; None for an unknown machine."""
    if machine not in _ARCHES:
        return None
    arch, numbers = _ARCHES[machine]
    code: list[tuple] = [
        (LD_ABS, None, None, _ARCH),
        (JEQ, None, "allow", arch),
        (LD_ABS, None, None, _NR),
    ]
    if machine == "x86_64":
        code.append((JGE, "deny", None, X32_BIT))  # the x32 ABI would number the same calls differently
    code += [
        (JEQ, "prctl", None, numbers["prctl"]),
        (JEQ, "clone", None, numbers["clone"]),
        (JEQ, "nosys", None, numbers["clone3"]),
    ]
    code += [(JEQ, "deny", None, numbers[name]) for name in ("fork", "vfork") if name in numbers]
    code += [
        (RET, None, None, RET_ALLOW),
        ("prctl", LD_ABS, None, None, _ARG0),
        (JEQ, None, "allow", PR_SET_DUMPABLE),
        (LD_ABS, None, None, _ARG1),
        (JEQ, "allow", "deny", 0),
        ("clone", LD_ABS, None, None, _ARG0),
        (JSET, "allow", "deny", CLONE_THREAD),
        ("nosys", RET, None, None, RET_ERRNO | ENOSYS),
        ("deny", RET, None, None, RET_ERRNO | EPERM),
        ("allow", RET, None, None, RET_ALLOW),
    ]
    return _resolve(code)


def _resolve(code):
    labels: dict[str, int] = {}
    plain: list[tuple] = []
    for i, item in enumerate(code):
        if isinstance(item[0], str):
            labels[item[0]] = i
            item = item[1:]
        plain.append(item)

    def offset(i, target):
        return 0 if target is None else labels[target] - i - 1

    return [(op, offset(i, jt), offset(i, jf), k) for i, (op, jt, jf, k) in enumerate(plain)]


def _install(libc, program):
    filters = b"".join(struct.pack("HBBI", op, jt, jf, k) for op, jt, jf, k in program)
    buffer = ctypes.create_string_buffer(filters, len(filters))

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Prog(len(program), ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
