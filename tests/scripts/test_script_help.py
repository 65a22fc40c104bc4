"""Every script answers ``--help`` and a bad flag before it imports ZenML.

ZenML takes seconds and hundreds of MB to import; a script that parses its arguments first
answers ``--help``, and refuses an unknown flag, at once. Each script runs in a fresh
interpreter (so one script's imports cannot hide another's) that reports which heavy modules
got imported. No timing is asserted: the machine's load would make that flaky, and the
modules loaded are what decides the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline  # starts interpreters (the unit tier starts no subprocess)

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    # entry points only: scripts/server_processes.py is a module the scripts import
    (
        p
        for p in [*ROOT.glob("scripts/*.py"), *ROOT.glob("scripts/benchmarks/*.py")]
        if '__name__ == "__main__"' in p.read_text()
    ),
    key=lambda p: p.relative_to(ROOT).as_posix(),
)
HEAVY = ("zenml", "sklearn", "pandas", "papermill")

PROBE = r"""
import contextlib, io, json, runpy, sys
path, args, heavy = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
sys.argv = [path, *args]
out, err = io.StringIO(), io.StringIO()
code = "returned"
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as stop:
        code = stop.code
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                  "heavy": [m for m in heavy if m in sys.modules]}))
"""


def probe(script: Path, *args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(script), json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout.splitlines()[-1])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_help_and_a_bad_flag_answer_before_zenml_is_imported(script):
    helped = probe(script, "--help")
    assert helped["code"] in (0, None), helped["err"][-1000:]
    assert "usage:" in helped["out"]
    assert helped["heavy"] == [], f"--help imported {helped['heavy']}"

    refused = probe(script, "--no-such-flag")
    assert refused["code"] == 2, (refused["code"], refused["err"][-1000:])
    assert "error:" in refused["err"]  # unrecognized, or a required argument missing first
    assert refused["heavy"] == [], f"a bad flag imported {refused['heavy']}"
