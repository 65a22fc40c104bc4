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

    The ledger decides, not the store's stage: the current version is the ledger's production
    holder, and without ``to`` the target is the version the current one replaced (its entry's
    ``previous_holder``). With ``to``, the version must have been in production before, per the
    ledger. Unfinished imports left by a crash are settled first. The ``rollback`` entry (and
    the current version's ``rolled_back`` entry) are appended before any stage changes.

    Returns:
        ``model``, ``from`` (archived), ``to`` (now live), ``source_version`` of the target and
        its ``source`` location (to mirror the stage on dev-staging), ``ledger_sequence``,
        ``recovered``.
    """
    from governance.policy import load_policy
    from governance.promotion import sync_stages
    from governance.release.importer import recover

    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        raise UnknownModelError(f"unknown model {model!r} on production") from None
    lease = load_policy().production_promotion.import_lease_seconds
    recovered = recover(model, actor, lease)
    history = ledger.read_ledger(model)
    current_name = history.holders().get("production")
    if current_name is None:
        raise RollbackError(f"{model} has no version in production to roll back")
    current = client.get_model_version(model, current_name)
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
    why = reason or f"rollback from {current.name} to {target.name}"
    entries = ledger.append_change(
        model,
        version=target.name,
        version_id=str(target.id),
        decision=ledger.ROLLBACK,
        from_stage=ledger.stage_name(target),
        to_stage="production",
        actor=actor,
        source="rollback",
        reason=why,
        git_commit=str((target.run_metadata or {}).get("git_commit", "unknown")),
        previous_holder=current.name,
        previous_holder_action="archive",
    )
    sync_stages(model)
    source = (target.run_metadata or {}).get("kit_source") or {}
    return {
        "model": model,
        "from": current.name,
        "to": target.name,
        "source_version": source.get("model_version"),
        "source": source.get("location"),
        "ledger_sequence": entries[0].sequence,
        "recovered": recovered,
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
