"""Roll production back to an earlier version, taken from the ledger; read the ledger.

Runs inside a worker bound to the production store.
"""

from __future__ import annotations

from typing import Any

from zenml.client import Client

from governance import ledger
from governance.release.errors import RollbackError, UnknownModelError


def rollback(model: str, actor: str, to: str | None = None, reason: str = "") -> dict[str, Any]:
    """Make an earlier production version live again and archive the current one.

    Without ``to``, the target is the version the current one replaced, as its promotion entry
    in the ledger records (``previous_holder``). With ``to``, the version must have been in
    production before (the ledger says so). Both changes are appended to the ledger: the
    current version leaving production, then the target's return.

    Returns:
        ``model``, ``from`` (archived), ``to`` (now live), ``source_version`` of the target and
        its ``source`` location (to mirror the stage on dev-staging), ``ledger_sequence``.
    """
    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        raise UnknownModelError(f"unknown model {model!r} on production") from None
    history = ledger.read_ledger(model)
    try:
        current = client.get_model_version(model, "production")
    except KeyError:
        raise RollbackError(f"{model} has no version in production to roll back") from None
    if to is None:
        entry = history.last_promotion(current.name, "production")
        to = entry.previous_holder if entry else None
        if not to:
            raise RollbackError(
                f"the ledger names no production version before {model} {current.name}"
            )
    try:
        target = client.get_model_version(model, to)
    except KeyError:
        raise UnknownModelError(f"model {model!r} has no version {to!r} on production") from None
    if target.id == current.id:
        raise RollbackError(f"{model} {target.name} is already live in production")
    if history.last_promotion(target.name, "production") is None:
        raise RollbackError(
            f"{model} {target.name} was never in production (per the ledger); promote it instead"
        )
    from_stage = ledger.stage_name(target)
    target.set_stage("production", force=True)
    why = reason or f"rollback from {current.name} to {target.name}"
    ledger.append_entry(
        model,
        version=current.name,
        version_id=str(current.id),
        decision="rolled_back",
        from_stage="production",
        to_stage="archived",
        actor=actor,
        source="rollback",
        reason=why,
    )
    entry = ledger.append_entry(
        model,
        version=target.name,
        version_id=str(target.id),
        decision=ledger.PROMOTED,
        from_stage=from_stage,
        to_stage="production",
        actor=actor,
        source="rollback",
        reason=why,
        git_commit=str((target.run_metadata or {}).get("git_commit", "unknown")),
        previous_holder=current.name,
        previous_holder_action="archive",
    )
    source = (target.run_metadata or {}).get("kit_source") or {}
    return {
        "model": model,
        "from": current.name,
        "to": target.name,
        "source_version": source.get("model_version"),
        "source": source.get("location"),
        "ledger_sequence": entry.sequence,
    }


def ledger_entries(model: str) -> dict[str, Any]:
    """Return the ledger's entries (as dicts), the holders it implies and any chain problems."""
    history = ledger.read_ledger(model)
    return {
        "model": model,
        "entries": [e.model_dump(mode="json") for e in history],
        "holders": history.holders(),
        "problems": history.verify(),
    }
