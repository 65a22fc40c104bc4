"""Test-only drivers of the release boundary: re-signed bundles, a paused or killed import."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from governance.bundle import MANIFEST, SIGNATURE, read_json, seal, write_json
from governance.release.importer import PAUSE_AT_ENV_VAR, PAUSE_FILE_ENV_VAR

FEATURE_ROWS = 5


def resign(
    bundle: str | Path,
    into: str | Path,
    key: Any,
    version: int | None = None,
    model: str | None = None,
    exported_at: datetime | None = None,
) -> Path:
    """Copy a bundle, change its source version, model name or export time, and sign it again.

    This is what an exporter holding ``key`` can do: the copy is a validly signed bundle.
    """
    into = Path(shutil.copytree(bundle, into))
    for name in (MANIFEST, SIGNATURE):
        (into / name).unlink()
    source = read_json(into, "source.json")
    manifest = read_json(bundle, MANIFEST)
    when = exported_at or datetime.now(UTC)
    if version is not None:
        source["model_version"] = version
        source["model_version_id"] = f"{source['model_version_id'][:-6]}{version:06d}"
    source["exported_at"] = when.isoformat()
    write_json(into, "source.json", source)
    if model is not None:
        card = read_json(into, "model_card.json")
        write_json(into, "model_card.json", {**card, "name": model})
    seal(
        into,
        key,
        {
            "model": model or manifest["model"],
            "version": source["model_version"],
            "source": manifest["source"],
            "exported_at": when.isoformat(),
        },
    )
    return into


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


class PausedImport:
    """An import running in a thread, paused at one of the importer's phases."""

    def __init__(self, call, pause_file: Path, phase: str) -> None:
        self.pause_file = pause_file
        self.outcome: dict[str, Any] = {}
        env = {PAUSE_AT_ENV_VAR: phase, PAUSE_FILE_ENV_VAR: str(pause_file)}

        def run() -> None:
            try:
                self.outcome["result"] = call(env)
            except Exception as error:  # noqa: BLE001 - the test inspects it
                self.outcome["error"] = error

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait_paused(self, timeout: float = 300) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pause_file.exists() and self.pause_file.read_text().strip():
                return int(self.pause_file.read_text())
            if not self.thread.is_alive():
                raise AssertionError(f"the import ended before pausing: {self.outcome}")
            time.sleep(0.1)
        raise AssertionError("the import never reached its pause point")

    def release(self, timeout: float = 300) -> dict[str, Any]:
        self.pause_file.unlink()
        self.thread.join(timeout)
        return self.outcome

    def kill(self, timeout: float = 120) -> dict[str, Any]:
        os.kill(self.wait_paused(), signal.SIGKILL)
        self.thread.join(timeout)
        if self.pause_file.exists():
            self.pause_file.unlink()
        return self.outcome


def ledger_stages_match(status: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Return (stages ZenML reports, stages the ledger replays) for every production version."""
    from governance.ledger import LedgerEntry, replay_stages

    replayed = replay_stages(LedgerEntry(**e) for e in status["ledger"])
    zenml = {v["version"]: v["stage"] for v in status["versions"]}
    return zenml, {name: replayed.get(name, "none") for name in zenml}


def as_json(value: Any) -> str:
    return json.dumps(value, default=str)
