"""Short run logs: what a pipeline run prints in a chapter, and the switch for ZenML's full log.

A run in a notebook prints its name, how each step ended, the kit's own lines (SMOTE skipped,
gate passed) and how the run ended. ZenML's set-up chatter is filtered out of the console: the
user and stack of every run, "Step X has started", the dashboard hint, and the repository's
"active stack/project" notices. Filters sit on ZenML's module loggers, so they hold however
often ZenML re-creates its handlers; nothing here imports ZenML.

Set ``KIT_ZENML_FULL_LOG=true`` before ``import lib`` to see ZenML's log unfiltered.
"""

from __future__ import annotations

import logging
import os

FULL_LOG_ENV = "KIT_ZENML_FULL_LOG"

QUIET: dict[str, tuple[str, ...]] = {
    "zenml.pipelines.pipeline_definition": (
        "Registered new pipeline",
        "Caching is disabled",
        "Using user:",
        "Using stack:",
        "  ",
        "You can visualize your pipeline runs",
        "Using a build",
        "Reusing existing build",
    ),
    "zenml.orchestrators.step_launcher": ("Step `",),
    "zenml.zen_stores.base_zen_store": ("The current ", "Setting the "),
}
"""Per ZenML module logger: the beginnings of the messages kept out of a chapter's output."""

KEEP = ("has finished in", "failed", "Failed")
"""Messages kept even when they start like a quiet one (a step's end, a failure)."""


class _QuietFilter(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(keep in message for keep in KEEP) or record.levelno >= logging.ERROR:
            return True
        return not message.startswith(self.prefixes)


def shorten_run_logs() -> bool:
    """Filter ZenML's set-up chatter out of the console; return False when the full log is on."""
    if os.environ.get(FULL_LOG_ENV, "").strip().lower() in {"1", "true", "yes"}:
        return False
    for name, prefixes in QUIET.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuietFilter) for f in logger.filters):
            logger.addFilter(_QuietFilter(prefixes))
    return True
