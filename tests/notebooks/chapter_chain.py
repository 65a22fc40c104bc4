"""The chapter chain: chapters 00-07 run once per test session, in order; tests read its records.

A test-only driver for ``tests/notebooks/conftest.py`` (fixture ``chain``). See tests/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from lib.config import NOTEBOOKS_DIR
from workshop.record import read_records

CHAIN_LEARNER = "chain"
# A cell running longer than this fails its chapter (and the chain) instead of hanging the session.
CELL_TIMEOUT_S = 900


def execute(stem: str, output: Path, parameters: dict, notebooks: Path = NOTEBOOKS_DIR) -> dict:
    """Run ``notebooks/<stem>.ipynb`` with papermill into ``output``; return its records."""
    import papermill as pm

    pm.execute_notebook(
        str(notebooks / f"{stem}.ipynb"),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(notebooks),
        progress_bar=False,
        execution_timeout=CELL_TIMEOUT_S,
    )
    return read_records(output)


class Step(NamedTuple):
    label: str  # the key of its records: the chapter's stem, or "<stem> again" for a re-run
    stem: str
    parameters: dict


# The chain a learner runs, with every chapter's defaults but LEARNER and MODE. Chapter 00 does
# not stop Run All on a failed check (the test of its records names the check), so a port held
# by another process on a shared machine does not fail chapters 01-07. Chapters 03 and 04 run a
# second time before 05, as a learner re-running them would: the re-run must change nothing.
CHAIN: tuple[Step, ...] = (
    Step("00_setup_check", "00_setup_check", {"STOP_ON_FAIL": False}),
    Step("01_train_a_model", "01_train_a_model", {}),
    Step("02_explore_model_control_plane", "02_explore_model_control_plane", {}),
    Step("03_promote_to_staging", "03_promote_to_staging", {"ACTOR": "ada"}),
    Step("04_champion_vs_challenger", "04_champion_vs_challenger", {}),
    Step("03_promote_to_staging again", "03_promote_to_staging", {"ACTOR": "ada"}),
    Step("04_champion_vs_challenger again", "04_champion_vs_challenger", {}),
    Step("05_promote_to_production", "05_promote_to_production", {"MODE": "embedded"}),
    Step("06_batch_inference", "06_batch_inference", {"MODE": "embedded"}),
    Step("07_realtime_inference", "07_realtime_inference", {"MODE": "embedded"}),
)


class Chain:
    """The chapter chain, run in order on first use and once per session; ``chain[label]``.

    Asking for a chapter runs every chapter before it that has not run yet, so a test sees the
    store as the chain left it after that chapter (tests of the chain run in chapter order). A
    chapter that fails fails its own tests with papermill's message (chapter, cell, error), and
    every later chapter's tests at once with the same message: nothing after it runs.
    """

    def __init__(
        self, folder: Path, learner: str, steps: tuple[Step, ...] = CHAIN,
        notebooks: Path = NOTEBOOKS_DIR,
    ) -> None:  # fmt: skip
        self.folder, self.learner, self.steps, self.notebooks = folder, learner, steps, notebooks
        self.records: dict[str, dict] = {}
        self.failure: str | None = None

    def output(self, label: str) -> Path:
        return self.folder / f"{label.replace(' ', '-')}.ipynb"

    def __getitem__(self, label: str) -> dict:
        labels = [step.label for step in self.steps]
        if label not in labels:
            raise KeyError(f"{label!r} is not in the chain: {labels}")
        for step in self.steps[: labels.index(label) + 1]:
            if step.label in self.records:
                continue
            if self.failure is not None:
                pytest.fail(f"not run: {self.failure}", pytrace=False)
            try:
                parameters = {"LEARNER": self.learner, **step.parameters}
                output = self.output(step.label)
                self.records[step.label] = execute(step.stem, output, parameters, self.notebooks)
            except Exception as error:  # noqa: BLE001 - reported to this and every later test
                self.failure = f"chapter {step.label} failed in the chain ({output}): {error}"
                pytest.fail(self.failure, pytrace=False)
        return self.records[label]
