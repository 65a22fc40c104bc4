"""The tier rules hold: one tier marker per test, and no subprocess in the unit tier.

Each case runs pytest in this process (pytester's in-process run) on a small test file, with the
same hooks and the same ``markers`` list as the kit.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = --strict-markers
markers =
    unit: tier: no subprocess
    pipeline: tier: pipelines
"""
CONFTEST = (
    "from tier_markers import _unit_tier_starts_no_subprocess, pytest_collection_modifyitems\n"
)


@pytest.fixture
def kit_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makeconftest(CONFTEST)
    return pytester


@pytest.mark.unit
def test_a_test_without_a_tier_stops_the_session_even_when_deselected(kit_pytester):
    kit_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unit
        def test_marked(): pass

        def test_forgotten(): pass
        """
    )
    result = kit_pytester.runpytest_inprocess("-m", "unit")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*1 test(s) need exactly one tier marker*", "*test_forgotten*"])


@pytest.mark.unit
def test_a_test_with_two_tiers_is_named(kit_pytester):
    kit_pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.unit

        @pytest.mark.pipeline
        def test_both(): pass
        """
    )
    result = kit_pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_both: pipeline, unit*"])


@pytest.mark.unit
def test_an_undeclared_marker_is_refused(kit_pytester):
    kit_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unit
        @pytest.mark.unti
        def test_typo(): pass
        """
    )
    result = kit_pytester.runpytest_inprocess()
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*'unti' not found in `markers`*"])


@pytest.mark.pipeline  # its pipeline-tier case starts a subprocess
def test_a_unit_test_that_starts_a_subprocess_fails_and_a_pipeline_test_may(kit_pytester):
    kit_pytester.makepyfile(
        """
        import subprocess, sys, pytest

        @pytest.mark.unit
        def test_unit_spawns():
            subprocess.run([sys.executable, "-c", "pass"], check=True)

        @pytest.mark.pipeline
        def test_pipeline_spawns():
            subprocess.run([sys.executable, "-c", "pass"], check=True)
        """
    )
    result = kit_pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*SubprocessInUnitTier*a unit test started a subprocess*"])
