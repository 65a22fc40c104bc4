"""The promotion ledger: every promotion decision of a model, in order, kept in the ZenML store.

ZenML OSS keeps no history of stage changes (a model version only has an ``updated`` time), so
the kit keeps its own. Each decision is **one version of the artifact**
``promotion_ledger_<model>``, and the artifact version number *is* the entry's sequence number:

- **Ordered and race-safe.** An entry claims sequence ``n`` by saving artifact version ``n``
  explicitly. The store refuses a second version ``n`` (a unique constraint on artifact and
  version), so of two writers racing for ``n`` exactly one wins; the other re-reads the ledger
  and claims ``n + 1``. Nothing is lost and no two entries share a number.
- **Append-only.** ZenML has no API that rewrites an artifact version's data, and this module
  only ever saves new versions. Deleting a version is possible with enough rights; ``verify``
  detects it (a gap in the sequence), and each entry carries the SHA-256 of the one before it,
  so an edited entry breaks the chain after it.
- **Shared.** Entries live where the model lives: anyone connected to the same ZenML server
  (and its artifact store) reads the same ledger, from a fresh clone or from CI.

The entry schema is open: extra fields (for example ``bundle_sha256`` or ``target_server`` from
a cross-server promotion) are kept as given. A stage only changes through entries whose
``decision`` is ``"promoted"``; :func:`replay` turns the ledger into the stage holders it implies.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

LEDGER_PREFIX = "promotion_ledger_"
SCHEMA_VERSION = 1
PROMOTED, REFUSED = "promoted", "refused"
SERVED = "served"  # a deployment began serving the stage's new holder; changes no stage
MAX_APPEND_ATTEMPTS = 30


class LedgerEntry(BaseModel):
    """One promotion decision. Unknown fields are kept, so later tools can add their own."""

    model_config = ConfigDict(extra="allow", frozen=True)

    schema_version: int = SCHEMA_VERSION
    sequence: int = Field(ge=1)
    timestamp: str = Field(description="When the entry was written, ISO-8601 UTC.")
    model: str
    version: str
    version_id: str = ""
    decision: str = Field(description="'promoted' or 'refused' (others do not change stages).")
    from_stage: str = "none"
    to_stage: str
    actor: str
    source: str = "api"
    reason: str = ""
    gates: list[dict[str, Any]] = Field(default_factory=list)
    git_commit: str = "unknown"
    data_sha256: str = ""
    policy_sha256: str = ""
    previous_holder: str | None = None
    previous_holder_action: str | None = Field(
        default=None, description="'archive' or 'demote': what happened to previous_holder."
    )
    approved_by: str | None = None
    release_tag: str | None = None
    zenml_user: str | None = None
    previous_sha256: str | None = None

    @property
    def changes_stage(self) -> bool:
        """Whether this entry moved ``version`` into ``to_stage``."""
        return self.decision == PROMOTED

    @property
    def failed_gates(self) -> list[str]:
        """Names of the gates that failed."""
        return [g["name"] for g in self.gates if not g.get("passed")]

    def sha256(self) -> str:
        """Return the SHA-256 of the entry's canonical JSON (sorted keys, no spaces)."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def stage_name(model_version: Any) -> str:
    """Return a model version's stage as the ledger writes it (``"none"`` when it has none)."""
    return str(getattr(model_version.stage, "value", model_version.stage) or "none")


def ledger_name(model: str) -> str:
    """Return the artifact name holding ``model``'s ledger."""
    return f"{LEDGER_PREFIX}{model}"


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _versions(model: str, newest_first: bool = False, size: int = 100) -> Iterator[Any]:
    """Yield the ledger's artifact versions, ordered by version number."""
    from zenml.client import Client

    client = Client()
    order = "desc" if newest_first else "asc"
    page = 1
    while True:
        result = client.list_artifact_versions(
            artifact=ledger_name(model), sort_by=f"{order}:version_number", page=page, size=size
        )
        yield from sorted(result.items, key=lambda v: int(v.version), reverse=newest_first)
        if page >= result.total_pages:
            return
        page += 1


def _last(model: str) -> tuple[int, str | None]:
    """Return the last sequence number (0 when empty) and the SHA-256 of that entry."""
    last = next(_versions(model, newest_first=True, size=1), None)
    if last is None:
        return 0, None
    return int(last.version), LedgerEntry(**last.load()).sha256()


def append_entry(model: str, **fields: Any) -> LedgerEntry:
    """Append one decision to ``model``'s ledger and return it with its sequence number.

    Args:
        model: The model name.
        **fields: The entry's fields except ``sequence``, ``timestamp``, ``model`` and
            ``previous_sha256``, which are set here.

    Raises:
        RuntimeError: if no sequence number could be claimed after many attempts.
    """
    from zenml import save_artifact
    from zenml.client import Client
    from zenml.exceptions import EntityExistsError

    name = ledger_name(model)
    store = Client().active_stack.artifact_store
    for attempt in range(MAX_APPEND_ATTEMPTS):
        sequence, previous_sha = _last(model)
        entry = LedgerEntry(
            **fields,
            model=model,
            sequence=sequence + 1,
            timestamp=_utc_now(),
            previous_sha256=previous_sha,
        )
        uri = os.path.join(store.path, "custom_artifacts", name, str(uuid.uuid4()))
        try:
            save_artifact(
                entry.model_dump(mode="json"),
                name=name,
                version=str(entry.sequence),
                uri=uri,
                tags=["promotion_ledger"],
                extract_metadata=False,
                include_visualizations=False,
            )
        except EntityExistsError:
            # Another writer claimed this sequence number first: drop our copy and retry.
            if store.exists(uri):
                store.rmtree(uri)
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
            continue
        return entry
    raise RuntimeError(f"could not append to {name} after {MAX_APPEND_ATTEMPTS} attempts")


def replay(entries: Iterable[LedgerEntry]) -> dict[str, str]:
    """Return ``{stage: version}`` as the ledger implies, applying entries in sequence order.

    A promotion moves its version into ``to_stage`` (out of any stage it held). The version it
    replaces is archived, or with ``previous_holder_action == "demote"`` moves from production to
    staging (and whatever held staging is archived). Refusals change nothing.
    """
    holders: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: e.sequence):
        if not entry.changes_stage:
            continue
        replaced = holders.get(entry.to_stage)
        holders = {stage: v for stage, v in holders.items() if v != entry.version}
        if replaced and replaced != entry.version:
            if entry.previous_holder_action == "demote" and entry.to_stage == "production":
                holders["staging"] = replaced
        holders[entry.to_stage] = entry.version
    return holders


class Ledger:
    """A model's ledger as read from the store: entries in sequence order."""

    def __init__(self, model: str, entries: list[LedgerEntry]) -> None:
        self.model = model
        self.entries = sorted(entries, key=lambda e: e.sequence)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(self.entries)

    def for_version(self, version: str) -> list[LedgerEntry]:
        """Return the entries about one version."""
        return [e for e in self.entries if e.version == str(version)]

    def holders(self) -> dict[str, str]:
        """Return the stage holders the ledger implies (see :func:`replay`)."""
        return replay(self.entries)

    def last_promotion(self, version: str, stage: str) -> LedgerEntry | None:
        """Return the latest entry that promoted ``version`` into ``stage``."""
        matches = [e for e in self.for_version(version) if e.changes_stage and e.to_stage == stage]
        return matches[-1] if matches else None

    def verify(self) -> list[str]:
        """Return the problems found: gaps in the sequence and breaks in the hash chain."""
        problems = []
        previous: LedgerEntry | None = None
        for expected, entry in enumerate(self.entries, start=1):
            if entry.sequence != expected:
                problems.append(f"sequence {expected} is missing (next entry is {entry.sequence})")
                break
            wanted = previous.sha256() if previous else None
            if entry.previous_sha256 != wanted:
                problems.append(f"entry {entry.sequence} does not chain to entry {expected - 1}")
            previous = entry
        return problems

    def to_frame(self) -> pd.DataFrame:
        """One row per entry: sequence, time, version, decision, stages, who, why, failed gates."""
        rows = [
            {
                "sequence": e.sequence,
                "timestamp": e.timestamp[:19].replace("T", " "),
                "version": e.version,
                "decision": e.decision,
                "from → to": f"{e.from_stage} → {e.to_stage}",
                "actor": e.actor,
                "source": e.source,
                "failed gates": ", ".join(e.failed_gates),
                "replaced": e.previous_holder or "",
                "reason": e.reason,
            }
            for e in self.entries
        ]
        columns = ["sequence", "timestamp", "version", "decision", "from → to", "actor"]
        columns += ["source", "failed gates", "replaced", "reason"]
        return pd.DataFrame(rows, columns=columns).set_index("sequence")

    def _repr_html_(self) -> str:
        if not self.entries:
            return f"<p>The ledger of <b>{self.model}</b> is empty: no promotion decided yet.</p>"
        title = f"<p><b>Promotion ledger of {self.model}</b>: {len(self)} entries, oldest first</p>"
        return title + self.to_frame().to_html()


def read_ledger(model: str) -> Ledger:
    """Read ``model``'s whole ledger from the store, in sequence order (empty if none yet)."""
    entries = [LedgerEntry(**version.load()) for version in _versions(model)]
    return Ledger(model, entries)
