"""The room benchmark's solo time: the median of its solo runs, chapter by chapter."""

from __future__ import annotations

import pytest
from benchmarks import room  # scripts/ is on pytest's path (pyproject.toml)

pytestmark = pytest.mark.unit


def _run(**seconds: float) -> list[dict]:
    return [{"chapter": c, "status": "ok", "seconds": s, "error": ""} for c, s in seconds.items()]


def test_each_solo_run_has_a_model_of_its_own():
    assert room._solo_names(1) == ["solo"]
    assert room._solo_names(3) == ["solo", "solo2", "solo3"]


def test_a_chapters_solo_time_is_the_median_of_its_seconds_in_every_run():
    runs = [
        _run(**{"01": 18.0, "02": 7.3, "03": 16.0, "04": 7.5}),
        _run(**{"01": 17.0, "02": 6.5, "03": 17.0, "04": 8.6}),
        _run(**{"01": 19.0, "02": 7.0, "03": 18.0, "04": 8.0}),
    ]
    times = room._solo_times(runs)
    assert times["02"]["runs"] == [7.3, 6.5, 7.0]
    assert {c: t["median"] for c, t in times.items()} == {
        "01": 18.0,
        "02": 7.0,
        "03": 17.0,
        "04": 8.0,
    }


def test_a_chapter_that_failed_or_never_ran_in_one_solo_run_has_no_solo_time():
    failed = _run(**{"01": 18.0, "02": 7.0})
    failed[1]["status"] = "failed"
    runs = [_run(**{"01": 17.0, "02": 6.5, "03": 17.0, "04": 8.6}), failed]
    assert set(room._solo_times(runs)) == {"01"}


def test_solo_runs_must_be_at_least_one():
    parser = room._parser()
    assert parser.parse_args([]).solo_runs == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["--solo-runs", "0"])
