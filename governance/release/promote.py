"""Promote a model version across the staging → production boundary, and roll it back.

    from governance.release.promote import promote_across, rollback_production

One process per side (the ZenML ``Client`` is a process-wide singleton), no private ZenML APIs:

1. **export** on dev-staging — production gates, then a signed bundle;
2. **import** on production — the bundle's files are read once here and handed over as bytes;
   production verifies them with its trusted public keys, gates again, refuses anything not
   newer than what it imported, records the ledger entry, then archives the previous holder;
3. **back-link** on dev-staging — ledger entry "exported to production as …", and the source's
   own ``production`` stage mirrors which of its versions is live.

A side's refusal arrives as :class:`~governance.release.errors.SideError` (re-exported here, so a
caller catches what these functions raise): ``kind`` names the error raised on that side, e.g.
``StaleBundleError`` for a bundle that would move production backwards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from governance.bundle import read_bundle, signing_key, trusted_keys
from governance.promotion import resolve_actor
from governance.release.endpoints import Endpoint
from governance.release.errors import SideError  # noqa: F401 - what a refusing side raises
from governance.release.remote import run_on


def _actor(actor: str | None) -> str:
    return resolve_actor(actor)[0]


@dataclass
class PromotionResult:
    """What a cross-boundary promotion did."""

    model: str
    source: str
    dest: str
    source_version: int
    production_version: str
    status: str
    bundle: str
    bundle_sha256: str
    previous: str | None = None
    approved_by: str | None = None
    ledger_sequence: int | None = None
    gates: list[dict[str, Any]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line for scripts."""
        verb = "imported" if self.status == "imported" else "was already imported"
        replaced = f", archived {self.previous}" if self.previous else ""
        return (
            f"{self.model} v{self.source_version} ({self.source}) {verb} into {self.dest} as "
            f"{self.production_version}{replaced}; bundle sha256 {self.bundle_sha256[:16]}…"
        )

    def _repr_markdown_(self) -> str:
        passed = sum(g["passed"] for g in self.gates)
        return "\n".join(
            [
                f"**{self.model}** v{self.source_version} on *{self.source}* → "
                f"**{self.production_version}** on *{self.dest}* ({self.status})",
                "",
                f"- production gates at export: {passed}/{len(self.gates)} passed",
                f"- bundle `{Path(self.bundle).name}`",
                f"- manifest sha256 `{self.bundle_sha256[:16]}…`",
                f"- previous production version: {self.previous or 'none'} (archived, not deleted)",
                f"- approved by: {self.approved_by or '—'}",
            ]
        )


def export_bundle(
    model: str,
    source: Endpoint,
    state_dir: str | Path,
    version: str | None = None,
    stage: str | None = None,
    out_dir: str | Path | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Check production's gates on ``source`` and write a signed bundle; return its facts."""
    signing_key(state_dir)  # fail early, in one line, when no key is configured
    out = Path(out_dir or Path(state_dir) / "bundles")
    out.mkdir(parents=True, exist_ok=True)
    return run_on(
        source,
        "export",
        model=model,
        version=version,
        stage=stage,
        out_dir=str(out.resolve()),
        state_dir=str(state_dir),
        source_label=source.label,
        source_location=source.location,
        actor=_actor(actor),
    )


def import_bundle(
    bundle: str | Path,
    dest: Endpoint,
    state_dir: str | Path,
    actor: str | None = None,
    approved_by: str | None = None,
    release_tag: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Verify and import a bundle on ``dest`` (idempotent); return what happened.

    Every file of the bundle is read once, here, and verified — a tampered bundle is refused
    before production is even contacted. Production receives those bytes, not a path, and
    verifies them again with its own trusted keys: it trusts no caller.

    Raises:
        BundleError: a hash, the signature, the key or a model type is refused; nothing written.
    """
    verified = read_bundle(bundle, trusted_keys(state_dir))
    return run_on(
        dest,
        "import",
        extra_env=extra_env,
        files=verified.to_wire(),
        state_dir=str(state_dir),
        actor=_actor(actor),
        approved_by=approved_by,
        release_tag=release_tag,
    )


def record_backlink(
    model: str,
    source: Endpoint,
    dest: Endpoint,
    version: str,
    imported: dict[str, Any],
    actor: str | None = None,
    approved_by: str | None = None,
    release_tag: str | None = None,
) -> dict[str, Any]:
    """On ``source``: note where ``version`` went (``imported`` is what the import returned).

    Appends "exported to production as …" to the source ledger and moves the source version to
    its own ``production`` stage, which says which version is live; re-running changes nothing.
    """
    return run_on(
        source,
        "backlink",
        model=model,
        version=str(version),
        production_version=imported["version"],
        dest_label=dest.label,
        dest_location=dest.location,
        bundle_sha256=imported["bundle_sha256"],
        actor=_actor(actor),
        approved_by=approved_by,
        release_tag=release_tag,
    )


def promote_across(
    model: str,
    source: Endpoint,
    dest: Endpoint,
    state_dir: str | Path,
    version: str | None = None,
    stage: str | None = None,
    approved_by: str | None = None,
    release_tag: str | None = None,
    actor: str | None = None,
) -> PromotionResult:
    """Export from ``source``, import into ``dest``, back-link on ``source``.

    Exactly one of ``version`` and ``stage`` selects the source version.
    """
    if bool(version) == bool(stage):
        raise ValueError("give exactly one of version and stage")
    actor = _actor(actor)
    exported = export_bundle(model, source, state_dir, version, stage, actor=actor)
    imported = import_bundle(
        exported["bundle"], dest, state_dir, actor, approved_by=approved_by, release_tag=release_tag
    )
    record_backlink(
        model,
        source,
        dest,
        str(exported["version"]),
        imported,
        actor=actor,
        approved_by=approved_by,
        release_tag=release_tag,
    )
    return PromotionResult(
        model=model,
        source=source.label,
        dest=dest.label,
        source_version=int(exported["version"]),
        production_version=imported["version"],
        status=imported["status"],
        bundle=exported["bundle"],
        bundle_sha256=imported["bundle_sha256"],
        previous=imported.get("previous"),
        approved_by=approved_by,
        ledger_sequence=imported.get("ledger_sequence"),
        gates=exported["gates"],
        recovered=imported.get("recovered") or [],
    )


def rollback_production(
    model: str,
    dest: Endpoint,
    to: str | None = None,
    source: Endpoint | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Roll production back (to the previous holder, or ``to``); mirror it on ``source``."""
    actor = _actor(actor)
    result = run_on(dest, "rollback", model=model, to=to, actor=actor)
    if source is not None and result.get("source_version") is not None:
        run_on(
            source,
            "mirror_stage",
            model=model,
            version=str(result["source_version"]),
            actor=actor,
            reason=f"production rolled back from {result['from']} to {result['to']}",
            production_version=result["to"],
        )
        result["mirrored_on"] = source.label
    return result


def production_status(model: str, dest: Endpoint) -> dict[str, Any]:
    """Return production's live version and its versions (stage, source, import state)."""
    return run_on(dest, "production_status", model=model)


def ledger_of(model: str, side: Endpoint) -> dict[str, Any]:
    """Return a side's ledger of ``model``: entries, implied holders, chain problems."""
    return run_on(side, "ledger", model=model)
