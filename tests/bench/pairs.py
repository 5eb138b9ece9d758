"""Interleaved pairs: a command and its baseline run in turn (A B A B ...), each as a whole
process, so both see the same machine; each figure is quoted as a median and as the median of
the per-pair ratios A/B (the figure least moved by other load). CPU is the child's own user +
system time. Prints; asserts nothing."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass
class Pair:
    name: str
    wall: list[float]
    cpu: list[float]
    base_wall: list[float]
    base_cpu: list[float]

    def ratio(self, which: str = "wall") -> float:
        a, b = (self.wall, self.base_wall) if which == "wall" else (self.cpu, self.base_cpu)
        return statistics.median(x / y for x, y in zip(a, b, strict=True))

    def line(self, goal: float | None = None) -> str:
        wanted = f"  (goal <= {goal:.1f}x)" if goal is not None else ""
        return (
            f"  {self.name:<46} {statistics.median(self.wall) * 1000:7.0f} ms  "
            f"baseline {statistics.median(self.base_wall) * 1000:6.0f} ms  "
            f"ratio wall {self.ratio('wall'):4.2f}x  cpu {self.ratio('cpu'):4.2f}x{wanted}"
        )


def timed(cmd: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        list(cmd),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pair(
    name: str,
    cmd: Sequence[str],
    baseline: Sequence[str],
    runs: int,
    env: Mapping[str, str] | None = None,
) -> Pair:
    timed(cmd, env)  # warm-up (caches, the node's first answers)
    timed(baseline)
    result = Pair(name, [], [], [], [])
    for _ in range(runs):
        wall, cpu = timed(cmd, env)
        result.wall.append(wall)
        result.cpu.append(cpu)
        wall, cpu = timed(baseline)
        result.base_wall.append(wall)
        result.base_cpu.append(cpu)
    return result


def header(runs: int) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{runs} interleaved pairs, medians; {os.cpu_count()} cores, load average {load}"
