"""Under ``--dist loadgroup`` (``make test``), the chain's tests share one worker and run first,
and every other file keeps to one worker, so its module-scoped fixtures are built once.

Runs pytest with two real pytest-xdist workers on small test files, with the kit's grouping hook.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.pipeline  # starts two worker processes

TESTS_DIR = Path(__file__).resolve().parent

CONFTEST = f"""
import os, sys
from pathlib import Path
import pytest
sys.path.insert(0, {str(TESTS_DIR)!r})
from xdist_groups import group_by_file_and_chain

LOG = Path(__file__).parent / "log.txt"

def note(what):
    with LOG.open("a") as log:
        log.write(f"{{what}} {{os.environ.get('PYTEST_XDIST_WORKER', 'main')}}\\n")

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    group_by_file_and_chain(config, items)

@pytest.fixture(scope="session")
def chain():
    note("chain-built")
    return "chain"

@pytest.fixture
def noted(request):
    note(request.node.name)
"""


def _file(prefix: str, n: int, *, chained: bool, module_fixture: bool = False) -> str:
    lines = ["import time, pytest", "from conftest import note"]
    if module_fixture:
        lines += ["@pytest.fixture(scope='module')", f"def built(): note('{prefix}-built')"]
    for i in range(n):
        args = ["noted"] + (["chain"] if chained else []) + (["built"] if module_fixture else [])
        lines += [f"def test_{prefix}_{i}({', '.join(args)}): time.sleep(0.2)"]
    return "\n".join(lines) + "\n"


def test_chain_tests_share_a_worker_and_go_first_and_files_stay_whole(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    # Only pytest-xdist is loaded: the other installed plugins (nbmake, hypothesis, ...) would
    # add about 3 s of imports to each of the three pytest processes and play no part here.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_a_plain=_file("plain", 6, chained=False, module_fixture=True),
        test_b_chain=_file("chaina", 3, chained=True),
        test_c_other=_file("other", 6, chained=False, module_fixture=True),
        test_d_chain=_file("chainb", 3, chained=True),
    )
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=18)
    log = [line.split() for line in (pytester.path / "log.txt").read_text().splitlines()]
    built = [what for what, _ in log if what.endswith("-built")]
    assert sorted(built) == ["chain-built", "other-built", "plain-built"]  # each once
    chain_workers = {worker for what, worker in log if what.startswith(("test_chain", "chain-"))}
    assert len(chain_workers) == 1
    for prefix in ("plain", "other"):
        assert len({worker for what, worker in log if what.startswith(f"test_{prefix}")}) == 1
    (worker,) = chain_workers
    on_chain_worker = [what for what, w in log if w == worker and what.startswith("test_")]
    assert on_chain_worker[:6] == [f"test_chaina_{i}" for i in range(3)] + [
        f"test_chainb_{i}" for i in range(3)
    ]
