"""Test-wide setup: every pytest process gets a fresh, temporary ZenML store.

The ZenML ``Client`` is a process-wide singleton that reads ``ZENML_CONFIG_PATH`` once, so the
variable is set here, before anything imports zenml. Kernels started by notebook tests inherit
it, so they use the same temporary store and never the kit's own state folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

# pytest puts test folders on sys.path, and tests/lib and tests/governance would then shadow
# the real packages as empty namespace packages (``import lib`` would skip its bootstrap).
# The project root goes first so ``lib`` and ``governance`` are always the kit's own.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
_STORE_ROOT = Path(tempfile.mkdtemp(prefix=f"kit-tests-{_worker}-"))
os.environ["ZENML_CONFIG_PATH"] = str(_STORE_ROOT / "zenml")
# A repository root of its own: ZenML writes the active stack and project of the store it is
# bound to into the repository's .zen/config.yaml, so sharing the project's would make test
# processes (and the kit, afterwards) overwrite each other's choice.
os.environ["ZENML_REPOSITORY_PATH"] = str(_STORE_ROOT / "repo")
# The repository must exist before test modules are collected: importing a step resolves its
# source against the repository root (without one, pytest-xdist workers have no source root).
(_STORE_ROOT / "repo" / ".zen").mkdir(parents=True)
os.environ.pop("ZENML_STORE_URL", None)
os.environ["KIT_STATE_DIR"] = str(_STORE_ROOT / "state")
os.environ["ZENML_ANALYTICS_OPT_IN"] = "false"
os.environ["ZENML_ENABLE_RICH_TRACEBACK"] = "false"
os.environ["ZENML_LOGGING_COLORS_DISABLED"] = "true"
# joblib (SMOTE, forests) otherwise runs `cat /proc/cpuinfo` to count physical cores.
os.environ.setdefault("LOKY_MAX_CPU_COUNT", str(os.cpu_count() or 1))
os.environ.pop("KIT_ENVIRONMENT", None)
# Tests must not post to a webhook or gateway configured in the developer's shell.
for _name in ("KIT_ALERT_WEBHOOK_URL", "KIT_PUSHGATEWAY_URL", "KIT_POLICY_PATH"):
    os.environ.pop(_name, None)

import pytest  # noqa: E402
from tier_markers import (  # noqa: E402,F401  (hooks: one tier per test, no subprocess in unit)
    _unit_tier_starts_no_subprocess,
)
from tier_markers import pytest_collection_modifyitems as check_tiers  # noqa: E402
from xdist_groups import group_by_file_and_chain  # noqa: E402

import lib  # noqa: E402,F401  (bootstraps the remaining ZenML variables)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    check_tiers(config, items)
    group_by_file_and_chain(config, items)


@pytest.fixture(scope="session")
def zenml_store() -> Path:
    """Initialise this process's ZenML repository and temporary store."""
    from lib.setup import ensure_zenml_ready

    ensure_zenml_ready()
    return _STORE_ROOT


@pytest.fixture
def edit_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Return ``edit(changes) -> Path``: write a changed copy of the policy and select it.

    ``changes`` maps dotted keys to values, e.g. ``{"performance.staging.f1": 0.99}``. The copy
    is selected through ``KIT_POLICY_PATH``, as a user trying a policy change would do.
    """
    import yaml

    from governance.policy import PACKAGED_POLICY

    def edit(changes: dict | None = None) -> Path:
        data = yaml.safe_load(PACKAGED_POLICY.read_text())
        for dotted, value in (changes or {}).items():
            node = data
            *parents, leaf = dotted.split(".")
            for key in parents:
                node = node[key]
            node[leaf] = value
        path = tmp_path / "policy.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        monkeypatch.setenv("KIT_POLICY_PATH", str(path))
        return path

    return edit


@pytest.fixture(scope="session")
def store_root() -> Path:
    """The temporary folder holding this process's ZenML store and kit state."""
    return _STORE_ROOT


def _stop_leftover_deployments() -> None:
    """Delete pipeline deployments a failed test left running in this process's store."""
    if "zenml.client" not in sys.modules:
        return
    from zenml.client import Client

    try:
        for deployment in Client().list_deployments(size=100).items:
            Client().delete_deployment(deployment.id, force=True)
    except Exception as error:  # noqa: BLE001 - best effort; report, never fail the session
        print(f"could not stop leftover deployments: {error}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove this process's temporary store (``KIT_KEEP_TEST_STATE=1`` keeps it), and with
    ``KIT_NO_SKIPS=1`` (set by ``.ci/run``) make any skipped test fail the run.

    On a laptop a test that needs a missing system tool (Pushgateway, Chromium, Node) skips
    with a reason; in CI, which installs them all, a skip would hide lost coverage.
    """
    _stop_leftover_deployments()
    if os.environ.get("KIT_KEEP_TEST_STATE") != "1":
        shutil.rmtree(_STORE_ROOT, ignore_errors=True)
    if os.environ.get("KIT_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"KIT_NO_SKIPS=1: {len(skipped)} test(s) skipped; failing the run.")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
