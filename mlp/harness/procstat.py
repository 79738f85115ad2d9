"""CPU time and memory of a server's processes, read from /proc (Linux): for the serving tests and
bench/workshop.py. A server here is a process and everything it started (mlp.classroom.serving's workers and nginx).
"""
from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()      # after "(comm)", which may hold spaces


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass                                  # ended while we looked
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (those still running)."""
    total = 0
    for pid in pids:
        try:
            f = _stat_fields(pid)
            total += int(f[11]) + int(f[12])          # utime, stime
        except OSError:
            pass
    return total / _TICKS


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes together, in MB."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            pass
    return total * _PAGE / 1e6


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def server_pids(servers: list[int]) -> list[int]:
    """Every process of the servers started as `servers` (their pids), with all they started."""
    return [p for s in servers for p in descendants(s)]
