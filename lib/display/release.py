"""Chapter 05: tables of a release across the boundary, and tampered copies to refuse.

The release itself is the platform's (:mod:`governance.release.promote`); this module only turns
its results into tables a notebook shows: the two bars, a bundle's files and where it came from,
production's versions and ledger, and the copies for the refusals the chapter shows:
:func:`tampered_copy` (at odds with its own manifest) and :func:`resigned_copy` (validly signed,
but older than production's version or signed by a key production does not trust).
Gate results use :func:`lib.display.common.gates_table`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from governance.policy import METRIC_NAMES
from lib.config import STATE_DIR

TAMPERINGS: tuple[str, ...] = ("byte", "rehash")

# Where the attack copies go by default: inside the kit's state folder, so a chapter run leaves
# nothing in the system's temporary folder and `make reset` removes them with the rest.
ATTACKS_DIR: Path = STATE_DIR / "attacks"


def _fresh_copy(bundle: str | Path, into: str | Path | None, name: str) -> Path:
    """Copy ``bundle`` to ``into/name`` (default parent :data:`ATTACKS_DIR`), replacing any."""
    target = Path(into or ATTACKS_DIR) / name
    if target.exists():
        shutil.rmtree(target)
    return Path(shutil.copytree(bundle, target))


def thresholds_table(candidate: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The staging and production minimums side by side (and the candidate's values)."""
    from governance.policy import load_policy

    policy = load_policy()
    staging, production = policy.thresholds_for("staging"), policy.thresholds_for("production")
    rows = []
    for metric in METRIC_NAMES:
        if metric not in staging and metric not in production:
            continue
        row = {
            "metric": metric,
            "staging ≥": staging.get(metric),
            "production ≥": production.get(metric),
        }
        if candidate is not None:
            value = candidate.get(metric)
            row["candidate"] = round(float(value), 4) if value is not None else None
        rows.append(row)
    return pd.DataFrame(rows).set_index("metric")


def bundle_table(bundle: str | Path) -> pd.DataFrame:
    """The files of a bundle with their size and the SHA-256 its manifest lists (shortened)."""
    from governance.bundle import MANIFEST, SIGNATURE

    bundle = Path(bundle)
    listed = json.loads((bundle / MANIFEST).read_text())["files"]
    rows = [
        {"file": name, "bytes": (bundle / name).stat().st_size, "sha256": digest[:16] + "…"}
        for name, digest in sorted(listed.items())
    ]
    roles = ((MANIFEST, "lists every hash"), (SIGNATURE, "Ed25519 signature of the manifest"))
    for name, role in roles:
        rows.append({"file": name, "bytes": (bundle / name).stat().st_size, "sha256": role})
    return pd.DataFrame(rows).set_index("file")


def source_links(bundle: str | Path) -> pd.Series:
    """What a bundle says about where it came from: server, version, run, commit, exporter."""
    from governance.bundle import read_json

    source = read_json(bundle, "source.json")
    keys = (
        "label",
        "location",
        "model_version",
        "stage_at_export",
        "training_run_name",
        "training_run_id",
        "git_commit",
        "data_sha256",
        "exported_by",
    )
    return pd.Series({k: source.get(k) for k in keys}, name="source")


def tampered_copy(bundle: str | Path, how: str = "byte", into: str | Path | None = None) -> Path:
    """Copy a bundle and tamper with the copy; the original is untouched.

    Args:
        bundle: The bundle folder.
        how: ``byte`` flips one byte of the model file; ``rehash`` claims a perfect F1 in
            ``metrics.json`` and writes the new file's hash into the manifest, without a new
            signature (what someone without the key could do).
        into: Parent folder of the copy (default: :data:`ATTACKS_DIR`). A copy of the same
            name left there by an earlier run is replaced.
    """
    from governance.bundle import MANIFEST, MODEL_FILE, file_sha256

    if how not in TAMPERINGS:
        raise ValueError(f"how must be one of {', '.join(TAMPERINGS)}; got {how!r}")
    copy = _fresh_copy(bundle, into, f"{Path(bundle).name}-{how}")
    if how == "byte":
        model_file = copy / MODEL_FILE
        data = bytearray(model_file.read_bytes())
        data[len(data) // 2] ^= 0xFF
        model_file.write_bytes(bytes(data))
        return copy
    metrics_file = copy / "metrics.json"
    metrics_file.write_text(json.dumps({**json.loads(metrics_file.read_text()), "f1": 1.0}))
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["files"]["metrics.json"] = file_sha256(metrics_file)
    (copy / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return copy


def resigned_copy(
    bundle: str | Path, key: Any, version: int | None = None, into: str | Path | None = None
) -> Path:
    """Copy a bundle, give the copy another source version, and sign it again with ``key``.

    This is what a holder of ``key`` can do: the copy is a validly signed bundle, exported now.
    With the exporter's key and a lower ``version`` it is an older release production must
    refuse as stale; with a key production does not trust it is a stranger's bundle.

    Args:
        bundle: The bundle folder (left untouched).
        key: The Ed25519 private key that signs the copy.
        version: The source version the copy claims (default: the bundle's own). It also gets
            its own ``model_version_id``, so production sees a distinct source version.
        into: Parent folder of the copy (default: :data:`ATTACKS_DIR`). A copy of the same
            name left there by an earlier run is replaced.
    """
    from governance.bundle import MANIFEST, SIGNATURE, read_json, seal, write_json

    manifest = read_json(bundle, MANIFEST)
    source = read_json(bundle, "source.json")
    number = int(source["model_version"] if version is None else version)
    copy = _fresh_copy(bundle, into, f"{Path(bundle).name}-v{number}")
    for name in (MANIFEST, SIGNATURE):
        (copy / name).unlink()
    exported_at = datetime.now(UTC).isoformat()
    if version is not None:
        source["model_version"] = number
        source["model_version_id"] = f"{str(source['model_version_id'])[:-6]}{number:06d}"
    source["exported_at"] = exported_at
    write_json(copy, "source.json", source)
    info = {"model": manifest["model"], "version": source["model_version"],
            "source": manifest["source"], "exported_at": exported_at}  # fmt: skip
    seal(copy, key, info)
    return copy


@dataclass
class ProductionView:
    """Production's versions and ledger, as :func:`production_status` returned them."""

    status: dict[str, Any]

    @property
    def live(self) -> str | None:
        return self.status["production"]

    def versions(self) -> pd.DataFrame:
        """One row per production version: stage, source version, import state, bundle hash."""
        rows = [
            {
                "version": v["version"],
                "stage": v["stage"],
                "source version": v["source_version"],
                "import": v["import_state"],
                "bundle sha256": (v["bundle_sha256"] or "")[:16] + "…",
            }
            for v in self.status["versions"]
        ]
        return pd.DataFrame(rows, columns=["version", "stage", "source version", "import",
                                           "bundle sha256"]).set_index("version")  # fmt: skip

    def ledger(self) -> pd.DataFrame:
        """Production's ledger, oldest first."""
        from governance.ledger import Ledger, LedgerEntry

        entries = [LedgerEntry(**e) for e in self.status["ledger"]]
        frame = Ledger(self.status["model"], entries).to_frame()
        approved = {e.sequence: e.approved_by or "" for e in entries}
        frame["approved by"] = [approved[s] for s in frame.index]
        return frame.drop(columns=["timestamp"])

    def __repr__(self) -> str:
        return (
            f"ProductionView({self.status['model']}: live {self.live}, "
            f"{len(self.status['versions'])} versions, {len(self.status['ledger'])} ledger entries)"
        )

    def _repr_html_(self) -> str:
        problems = self.status["ledger_problems"]
        chain = "intact" if not problems else "; ".join(problems)
        return (
            f"<p><b>{self.status['model']}</b> on production: live version "
            f"<b>{self.live or 'none'}</b>; ledger chain {chain}</p>"
            + self.versions().to_html()
            + f"<p>Production ledger ({len(self.status['ledger'])} entries)</p>"
            + self.ledger().to_html()
        )
