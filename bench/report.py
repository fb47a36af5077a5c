"""The benches' figures: percentiles, the machine, and the Markdown table and JSON
file they write to `bench/results/`."""

import json
import os
from pathlib import Path
from typing import Any

RESULTS = Path("bench/results")


def percentile(values: list[float], q: float) -> float:
    """The `q`th percentile by nearest rank on the sorted values (no interpolation:
    the figure is a latency one request really had)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_ms(seconds: list[float], name: str) -> dict[str, float]:
    """p50, p95, p99 and max of `seconds`, in milliseconds, named `<name>_p50_ms`..."""
    if not seconds:
        return {}
    marks: dict[str, float] = {f"{name}_p{q}_ms": percentile(seconds, q) for q in (50, 95, 99)}
    marks[f"{name}_max_ms"] = max(seconds)
    return {key: round(value * 1000, 1) for key, value in marks.items()}


def per_second(count: int, seconds: float | None) -> float | None:
    return round(count / seconds, 2) if seconds else None


def machine(meminfo: Path = Path("/proc/meminfo")) -> str:
    """Cores and memory of this machine, and its load when the bench began (others'
    work on a shared machine shows in the figures)."""
    total_kib = 0
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            total_kib = int(line.split()[1])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {total_kib / 1024**2:.0f} GiB; load average {load}"


def as_markdown(figures: dict[str, Any]) -> str:
    """A two-column table, a mapping's items on separate lines of one cell."""

    def shown(value: Any) -> str:
        if isinstance(value, dict):
            return "<br>".join(f"{k}: {v}" for k, v in value.items())
        return str(value)

    rows = "\n".join(f"| {name} | {shown(value)} |" for name, value in figures.items())
    return f"| figure | value |\n| --- | --- |\n{rows}\n"


def write_results(name: str, figures: dict[str, Any], out: Path = RESULTS) -> str:
    """Write `<out>/<name>.md` and `<out>/<name>.json`; the Markdown table."""
    table = as_markdown(figures)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(table)
    (out / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return table
