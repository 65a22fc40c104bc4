"""Helpers for chapter notebooks: recording results for tests, guard cells, shown refusals.

A chapter calls :func:`record` with its key results. The values travel in the executed notebook
as a cell output of their own MIME type, so tests read them back with :func:`read_records`
instead of scraping printed text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORD_MIME = "application/vnd.zenml-kit.record+json"


class ChapterPrerequisiteError(RuntimeError):
    """Raised by a guard cell when an earlier chapter has not been run."""


def record(**values: Any) -> None:
    """Record JSON-serialisable results in the notebook's output for tests to read back."""
    from IPython.display import display

    payload = json.loads(json.dumps(values, default=str))
    display(
        {RECORD_MIME: payload, "text/plain": f"recorded: {', '.join(sorted(payload))}"},
        raw=True,
    )


def read_records(notebook: str | Path) -> dict[str, Any]:
    """Return every value recorded in an executed notebook (later records win)."""
    nb = json.loads(Path(notebook).read_text())
    values: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                values.update(data[RECORD_MIME])
    return values


def require_model_version(model: str, chapter: str) -> Any:
    """Return the latest version of ``model``, or stop with a message naming the chapter to run."""
    from zenml.client import Client

    versions = Client().list_model_versions(model=model, size=1, sort_by="desc:number")
    if not versions.items:
        raise ChapterPrerequisiteError(
            f"No version of model {model!r} in this ZenML store yet: run {chapter} first."
        )
    return versions.items[0]


@dataclass
class Refusal:
    """A refusal shown on purpose: what was tried and the error that stopped it."""

    action: str
    error_type: str
    message: str

    def _repr_markdown_(self) -> str:
        return f"**Refused** — {self.action}\n\n`{self.error_type}`:\n\n```\n{self.message}\n```"


def expect_refusal(action: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Refusal:
    """Call ``fn`` expecting it to fail; return the refusal, or raise if it succeeded.

    ZenML wraps errors (an init hook's exception arrives inside a ``HookExecutionException``),
    so the refusal reports the innermost cause: the error that says *why*.
    """
    try:
        fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any refusal is what we want to show
        root = root_cause(error)
        return Refusal(action=action, error_type=type(root).__name__, message=str(root))
    raise AssertionError(f"expected a refusal but it succeeded: {action}")


def root_cause(error: BaseException) -> BaseException:
    """Follow ``__cause__``/``__context__`` to the innermost exception."""
    seen: set[int] = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = error.__cause__ or error.__context__
        if inner is None:
            break
        error = inner
    return error


def require_stage(model: str, stage: str, chapter: str) -> Any:
    """Return the version of ``model`` holding ``stage``, or stop naming the chapter to run."""
    from zenml.client import Client

    require_model_version(model, "01 · Train a model")
    try:
        return Client().get_model_version(model, stage)
    except KeyError:
        raise ChapterPrerequisiteError(
            f"No version of model {model!r} holds {stage} yet: run {chapter} first."
        ) from None
