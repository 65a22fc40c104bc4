"""Chapter 00 (the laptop check) in the session's chain: every check passes on a ready machine.

The chain runs it with ``STOP_ON_FAIL=False``, so this test names a failed check instead of
chapters 01-07 failing for it; ``tests/workshop/test_setup_check_notebook.py`` shows that the
default stops Run All.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


def test_setup_check_passes_on_a_ready_machine(chain):
    records = chain["00_setup_check"]
    assert records["setup_ok"] is True, records["checks"]
    assert records["checks"]["ZenML store reachable"] == "OK"
    assert records["checks"]["servers"] == "OK"  # none configured: embedded mode
