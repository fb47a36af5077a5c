"""The benchmark's pure parts: percentiles, the table and JSON it writes, and reading
peak memory and CPU time from `/proc` texts."""

import json
from pathlib import Path

import pytest

from bench.memory import cpu_seconds, peak_mib, peaks_mib, vm_hwm_kib
from bench.report import as_markdown, latency_ms, per_second, percentile, write_results

STATUS = """Name:\ttemporal
State:\tS (sleeping)
VmPeak:\t 2048000 kB
VmHWM:\t  311296 kB
VmRSS:\t  280000 kB
"""


def test_percentiles_are_values_that_occurred_by_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]  # 1..100, shuffled below

    shuffled = values[::2] + values[1::2]

    assert percentile(shuffled, 50) == 51.0  # rank round(0.5 * 99) = 50, the 51st value
    assert percentile(shuffled, 95) == 95.0
    assert percentile(shuffled, 99) == 99.0
    assert percentile(shuffled, 100) == 100.0
    assert percentile(shuffled, 0) == 1.0
    assert percentile([0.25], 99) == 0.25
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_marks_are_in_milliseconds() -> None:
    seconds = [0.1, 0.2, 0.3, 0.4, 2.0]

    assert latency_ms(seconds, "acceptance") == {
        "acceptance_p50_ms": 300.0,
        "acceptance_p95_ms": 2000.0,
        "acceptance_p99_ms": 2000.0,
        "acceptance_max_ms": 2000.0,
    }
    assert latency_ms([], "acceptance") == {}


def test_rates_need_a_duration() -> None:
    assert per_second(500, 200.0) == 2.5
    assert per_second(3, None) is None
    assert per_second(3, 0.0) is None


def test_the_table_has_a_row_per_figure_and_a_mapping_in_one_cell(tmp_path: Path) -> None:
    figures = {"orders": 500, "peak_memory_mib": {"temporal": 304.2, "worker": None}}

    table = write_results("order_flow", figures, out=tmp_path / "results")

    assert table == as_markdown(figures)
    assert table.splitlines() == [
        "| figure | value |",
        "| --- | --- |",
        "| orders | 500 |",
        "| peak_memory_mib | temporal: 304.2<br>worker: None |",
    ]
    assert (tmp_path / "results" / "order_flow.md").read_text() == table
    assert json.loads((tmp_path / "results" / "order_flow.json").read_text()) == figures


def test_peak_memory_is_the_high_water_mark_in_mib(tmp_path: Path) -> None:
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "status").write_text(STATUS)

    assert vm_hwm_kib(STATUS) == 311296
    assert vm_hwm_kib("Name:\tkthreadd\nState:\tS (sleeping)\n") is None
    assert peak_mib(42, proc=tmp_path) == 304.0
    assert peaks_mib({"temporal": 42, "gone": 43}, proc=tmp_path) == {
        "temporal": 304.0,
        "gone": None,
    }


def test_cpu_time_is_user_plus_system_even_with_spaces_in_the_name() -> None:
    # Fields 14 (utime) and 15 (stime) of stat(5) are 250 and 50 ticks here.
    stat = "77 (python -m api) S 1 77 77 0 -1 4194304 10 0 0 0 250 50 0 0 20 0 9 0 100"

    assert cpu_seconds(stat, ticks_per_second=100) == 3.0
