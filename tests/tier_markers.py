"""The test tiers, enforced: every test carries exactly one tier marker, and unit tests start no
subprocess.

The tiers are the markers declared in ``pyproject.toml`` (``[tool.pytest.ini_options] markers``)
whose description starts with ``tier:``; helper markers (none today) would not count. A test with
no tier, or with two, stops the session at collection, before anything runs, naming each one —
also under ``-m unit``, which would otherwise deselect an unmarked test without a word.

A ``unit`` test that starts a subprocess fails with the command it tried to start: the unit tier
is the one-minute feedback loop, and a subprocess (a Python interpreter importing ZenML, git,
node) is what makes a test slow.
"""

from __future__ import annotations

import subprocess

import pytest

UNIT = "unit"


def tier_names(config: pytest.Config) -> set[str]:
    """Markers declared in the ini ``markers`` list with a description starting ``tier:``."""
    names = set()
    for line in config.getini("markers"):
        name, _, description = line.partition(":")
        if description.strip().startswith("tier"):
            names.add(name.split("(")[0].strip())
    return names


def tier_problems(items: list[pytest.Item], tiers: set[str]) -> list[str]:
    """One line per test whose tier markers are not exactly one."""
    problems = []
    for item in items:
        found = sorted({mark.name for mark in item.iter_markers() if mark.name in tiers})
        if len(found) != 1:
            problems.append(f"  {item.nodeid}: {', '.join(found) or 'no tier marker'}")
    return problems


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tiers = tier_names(config)
    problems = tier_problems(items, tiers)
    if problems:
        raise pytest.UsageError(
            f"{len(problems)} test(s) need exactly one tier marker ({', '.join(sorted(tiers))}):\n"
            + "\n".join(problems)
        )


class SubprocessInUnitTier(RuntimeError):
    """A unit-tier test tried to start a subprocess."""


@pytest.fixture(autouse=True)
def _unit_tier_starts_no_subprocess(request: pytest.FixtureRequest, monkeypatch) -> None:
    if request.node.get_closest_marker(UNIT) is None:
        return

    def refuse(self, args, *rest, **kwargs):  # noqa: ANN001 - Popen's own signature
        raise SubprocessInUnitTier(
            f"a unit test started a subprocess ({args!r}); give it another tier marker"
        )

    # The child is started here, after Popen has set itself up (so it cleans up as usual).
    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)
