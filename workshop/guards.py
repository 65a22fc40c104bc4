"""Guard cells: stop a chapter early, naming the chapter to run first, when the store lacks it."""

from __future__ import annotations

from typing import Any


class ChapterPrerequisiteError(RuntimeError):
    """Raised by a guard cell when an earlier chapter has not been run."""


def require_model_version(model: str, chapter: str = "01 · Train a model") -> Any:
    """Return the newest version of ``model``, or stop with a message naming ``chapter``."""
    from zenml.client import Client

    client = Client()
    try:
        versions = client.list_model_versions(model=model, size=1, sort_by="desc:number")
    except KeyError:
        versions = None
    if not versions or not versions.items:
        raise ChapterPrerequisiteError(
            f"No version of model {model!r} in this ZenML store ({client.zen_store.url}) yet: "
            f"run {chapter} first."
        )
    return versions.items[0]


def require_stage(model: str, stage: str, chapter: str) -> Any:
    """Return the version of ``model`` holding ``stage`` in this process's store, or stop.

    Raises:
        ChapterPrerequisiteError: naming ``chapter`` when the model or the stage holder is missing.
    """
    from zenml.client import Client

    require_model_version(model)
    try:
        return Client().get_model_version(model, stage)
    except KeyError:
        raise ChapterPrerequisiteError(
            f"No version of model {model!r} holds {stage} yet: run {chapter} first."
        ) from None
