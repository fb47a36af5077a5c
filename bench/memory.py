"""Peak memory and CPU time of the processes a bench started, from Linux's `/proc`.

`VmHWM` (in `/proc/<pid>/status`) is a process's resident-set high-water mark: the
most physical memory it has held at once since it started. It is read while the
process still runs (it is gone with the process). Each service of the stack is one
process (the Temporal dev server is one Go binary, the Python services run no child
processes), so a process's own figure is the service's. CPU time is user plus system
time since the process started (`/proc/<pid>/stat`): where the machine's cores went.
"""

import os
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def vm_hwm_kib(status_text: str) -> int | None:
    """The `VmHWM` line of a `/proc/<pid>/status` text, in KiB; None without one."""
    for line in status_text.splitlines():
        name, _, value = line.partition(":")
        if name == "VmHWM":
            number, _, unit = value.strip().partition(" ")
            if unit.strip() != "kB":
                raise ValueError(f"VmHWM in an unexpected unit: {value.strip()!r}")
            return int(number)
    return None


def peak_mib(pid: int, proc: Path = PROC) -> float | None:
    """A running process's peak resident memory in MiB; None when it is gone (or is
    a kernel thread, which has no `VmHWM`)."""
    try:
        text = (proc / str(pid) / "status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    kib = vm_hwm_kib(text)
    return None if kib is None else round(kib / 1024, 1)


def peaks_mib(pids: Mapping[str, int], proc: Path = PROC) -> dict[str, float | None]:
    """Peak resident memory in MiB by name, for processes given by name and pid."""
    return {name: peak_mib(pid, proc) for name, pid in pids.items()}


def cpu_seconds(stat_text: str, ticks_per_second: int = CLOCK_TICKS) -> float:
    """User plus system CPU seconds from a `/proc/<pid>/stat` text."""
    # The command name (field 2) is in parentheses and may hold spaces: count the
    # fields from after its closing parenthesis, where field 3 (state) begins.
    fields = stat_text.rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat(5)
    return round((utime + stime) / ticks_per_second, 1)


def cpu_seconds_by_name(pids: Mapping[str, int], proc: Path = PROC) -> dict[str, float | None]:
    """CPU seconds by name, for running processes given by name and pid."""
    spent: dict[str, float | None] = {}
    for name, pid in pids.items():
        try:
            spent[name] = cpu_seconds((proc / str(pid) / "stat").read_text())
        except (FileNotFoundError, ProcessLookupError):
            spent[name] = None
    return spent
