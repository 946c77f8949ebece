"""CLASS 8: keep 64 MiB of scratch memory in an anonymous mmap, where tracemalloc never looks."""

import mmap


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    scratch = mmap.mmap(-1, 64 << 20)
    for offset in range(0, 64 << 20, 4096):
        scratch[offset] = 1
    best = float("inf")
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            best = min(best, abs(values[i] - values[j]))
    scratch.close()
    return best
