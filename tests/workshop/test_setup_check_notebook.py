"""notebooks/00_setup_check.ipynb under papermill: a dead server stops Run All.

That all checks pass on a ready machine is asserted on the session's chapter chain
(``tests/notebooks/test_00_setup_check.py``).
"""

from __future__ import annotations

import socket

import papermill as pm
import pytest

from lib.config import NOTEBOOKS_DIR
from workshop.record import read_records

pytestmark = pytest.mark.notebook

NOTEBOOK = NOTEBOOKS_DIR / "00_setup_check.ipynb"


def _run(output):
    pm.execute_notebook(
        str(NOTEBOOK),
        str(output),
        kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
    )
    return read_records(output)


def test_setup_check_stops_run_all_when_a_server_is_down(zenml_store, tmp_path, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("KIT_PRODUCTION_STORE", dead)  # the kernel inherits this environment
    output = tmp_path / "00-down.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as failure:
        _run(output)
    assert "KIT_PRODUCTION_STORE" in failure.value.evalue
    assert read_records(output)["checks"]["server KIT_PRODUCTION_STORE"] == "FAIL"
