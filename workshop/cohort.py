"""The cohort board: who is where in a room, read only from the shared server's store.

One row per learner (each learner's model is ``breast_cancer_classifier_<LEARNER>``). What a
chapter leaves in the store says whether it was completed:

- **01** a ``training_pipeline`` run on the learner's model completed;
- **03** a version holds ``staging``, and the model's promotion ledger records the promotion;
- **04** a ``champion_challenger_pipeline`` run on the learner's model completed.

Chapter 02 only reads the store, so it leaves nothing to judge and the board does not count it.
``scripts/cohort.py`` prints the board; ``workshop/cohort_board.ipynb`` draws it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from lib.config import MODEL_NAME

JUDGED_CHAPTERS: tuple[str, ...] = ("01", "03", "04")
TRAINING_PIPELINE = "training_pipeline"
COMPARISON_PIPELINE = "champion_challenger_pipeline"


@dataclass
class LearnerRow:
    """One learner's progress as the store shows it."""

    learner: str
    model: str
    chapters: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)  # number -> stage ("none" if none)
    runs: int = 0
    last_failed_run: str = ""
    last_error: str = ""
    last_activity: datetime | None = None
    ledger_entries: int = 0
    ledger_problems: list[str] = field(default_factory=list)

    def idle_seconds(self, now: datetime | None = None) -> float | None:
        if self.last_activity is None:
            return None
        return ((now or datetime.now(UTC)) - self.last_activity).total_seconds()

    def as_dict(self, now: datetime | None = None) -> dict[str, Any]:
        row = asdict(self)
        row["last_activity"] = self.last_activity.isoformat() if self.last_activity else ""
        row["idle_seconds"] = self.idle_seconds(now)
        return row


def learner_of(model_name: str) -> str | None:
    """The learner id in a kit model name (``""`` for the unsuffixed one), else None."""
    if model_name == MODEL_NAME:
        return ""
    prefix = f"{MODEL_NAME}_"
    return model_name[len(prefix) :] if model_name.startswith(prefix) else None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_model(run: Any) -> str | None:
    """The model a run worked on: its linked version, its configured model, or its parameter."""
    if run.model_version is not None:
        return run.model_version.model.name
    config = run.config
    if config.model is not None and config.model.name:
        return config.model.name
    return (config.parameters or {}).get("model_name")


def first_error_line(run: Any) -> str:
    """The first line of a failed run's error (the run's, else its first failed step's)."""
    info = run.exception_info
    if info is None:
        for step in run.steps.values():
            if str(getattr(step.status, "value", step.status)) == "failed" and step.exception_info:
                info = step.exception_info
                break
    if info is None:
        reason = str(getattr(run, "status_reason", "") or "").strip()
        return reason.splitlines()[0][:200] if reason else ""
    text = (info.message or "").strip() or info.traceback.strip().splitlines()[-1]
    return text.splitlines()[0][:200] if text else ""


def room_progress() -> list[LearnerRow]:
    """Read the active store (the room's server) and return one row per learner, by id."""
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    from governance.ledger import read_ledger

    client = Client()
    rows: dict[str, LearnerRow] = {}
    for model in depaginate(client.list_models):
        learner = learner_of(model.name)
        if learner is None:
            continue
        row = rows[model.name] = LearnerRow(learner=learner, model=model.name)
        for version in depaginate(client.list_model_versions, model=model.id):
            stage = str(getattr(version.stage, "value", version.stage) or "none")
            row.versions[str(version.number)] = stage
            row.last_activity = max(
                filter(None, [row.last_activity, _aware(version.updated)]), default=None
            )
        ledger = read_ledger(model.name)
        row.ledger_entries = len(ledger)
        row.ledger_problems = ledger.verify()
        promoted = any(e.decision == "promoted" and e.to_stage == "staging" for e in ledger)
        if "staging" in row.versions.values() and promoted:
            row.chapters.append("03")

    runs = sorted(depaginate(client.list_pipeline_runs), key=lambda r: r.created)
    for run in runs:
        row = rows.get(_run_model(run) or "")
        if row is None:
            continue
        row.runs += 1
        moment = _aware(run.end_time or run.start_time or run.created)
        row.last_activity = max(filter(None, [row.last_activity, moment]), default=None)
        status = str(getattr(run.status, "value", run.status))
        if status == "failed":
            row.last_failed_run = run.name
            row.last_error = first_error_line(run)
        elif status == "completed" and run.pipeline is not None:
            chapter = {TRAINING_PIPELINE: "01", COMPARISON_PIPELINE: "04"}.get(run.pipeline.name)
            if chapter and chapter not in row.chapters:
                row.chapters.append(chapter)
    for row in rows.values():
        row.chapters.sort()
    return sorted(rows.values(), key=lambda r: r.learner)


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def board_table(rows: list[LearnerRow], now: datetime | None = None) -> str:
    """A plain-text table of the board, one line per learner."""
    header = ("learner", "chapters", "versions:stages", "last failed run", "first error", "idle")
    lines = [header]
    for row in rows:
        stages = " ".join(f"v{n}:{s}" for n, s in sorted(row.versions.items(), key=_number))
        lines.append(
            (
                row.learner or "(none)",
                ",".join(row.chapters) or "-",
                stages or "-",
                row.last_failed_run or "-",
                row.last_error or "-",
                _ago(row.idle_seconds(now)),
            )
        )
    widths = [min(max(len(line[i]) for line in lines), 60) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell[:60].ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    ).rstrip()


def _number(item: tuple[str, str]) -> int:
    return int(item[0]) if item[0].isdigit() else 0


def board_frame(rows: list[LearnerRow], now: datetime | None = None):
    """The board as a DataFrame, one row per learner (for the instructor's notebook)."""
    import pandas as pd

    records = []
    for row in rows:
        record = {"learner": row.learner or "(none)"}
        for chapter in JUDGED_CHAPTERS:
            record[f"ch{chapter}"] = chapter in row.chapters
        record["versions"] = len(row.versions)
        record["stages"] = ", ".join(
            f"v{n}:{s}" for n, s in sorted(row.versions.items(), key=_number) if s != "none"
        )
        record["last failed run"] = row.last_failed_run
        record["first error"] = row.last_error
        record["idle"] = _ago(row.idle_seconds(now))
        records.append(record)
    return pd.DataFrame.from_records(records)


def plot_progress(rows: list[LearnerRow]):
    """A horizontal bar per learner: how many judged chapters are completed."""
    import matplotlib.pyplot as plt

    names = [row.learner or "(none)" for row in rows]
    done = [len(row.chapters) for row in rows]
    failed = ["tab:red" if row.last_failed_run else "tab:green" for row in rows]
    fig, ax = plt.subplots(figsize=(6, 0.4 * max(len(rows), 2) + 1))
    ax.barh(names, done, color=failed)
    ax.set_xlim(0, len(JUDGED_CHAPTERS))
    ax.set_xticks(range(len(JUDGED_CHAPTERS) + 1))
    ax.set_xlabel(f"chapters completed of {', '.join(JUDGED_CHAPTERS)} (red: has a failed run)")
    ax.invert_yaxis()
    fig.tight_layout()
    return fig
