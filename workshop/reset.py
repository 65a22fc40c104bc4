"""Return the kit to a clean state for the next cohort, touching nothing outside kit state.

Two resets. :func:`reset_cohort` (``reset_workshop.py --cohort``) empties the running kit
servers of the learners' models, runs and artifacts and leaves them up. The local reset below
removes folders of the state folder.

``plan_reset`` decides; ``apply_reset`` acts (or, in a dry run, only describes). What a reset
removes, by default:

- running **deployments** (ZenML's local deployer keeps a ``daemon.pid`` under the config
  folder, so under ``state/zenml/*/deployments/``) — stopped;
- the **ZenML state** (``state/zenml/``: configs, SQLite stores, local artifacts) and the
  **build output** (``state/build/``: executed notebooks, HTML, slides, screenshots) — removed.

With ``include_all`` it also stops every other kit process that left a pid file in the state
folder (the two local servers) and empties the whole state folder. Without it, a folder that
holds a live server's pid file is kept, so a shared server survives a learner's reset.

The guard, :func:`validate_state_dir`, refuses any state folder that is not the repository's
``state/`` or a folder carrying the :data:`STATE_MARKER` file (how tests and CI point the kit at
another disk), and anything that is, or contains, the repository, the home folder or ``/``.
Entries are never followed through symlinks: a link is removed, its target is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lib.config import PROJECT_ROOT, STATE_DIR

STATE_MARKER = ".kit-state"
"""A file that marks a folder outside the repository as kit state that reset may empty."""

REPO_STATE_DIR = PROJECT_ROOT / "state"
DEFAULT_TARGETS: tuple[str, ...] = ("zenml", "build")
"""Top-level entries of the state folder removed by a default (not ``--all``) reset."""

SERVERS_SCRIPT = PROJECT_ROOT / "scripts" / "servers.py"


class ResetRefused(RuntimeError):
    """The requested reset would touch something outside the kit's state folder."""


@dataclass(frozen=True)
class Action:
    """One step of a reset: ``stop`` a process, ``remove`` or ``keep`` a path, ``run`` a script."""

    kind: str
    target: str
    detail: str = ""
    pid: int | None = None

    def describe(self, dry_run: bool) -> str:
        verb = self.kind
        if dry_run and self.kind != "keep":
            verb = f"would {verb}"
        text = f"{verb} {self.target}"
        return f"{text} ({self.detail})" if self.detail else text


def validate_state_dir(state_dir: Path | str = STATE_DIR) -> Path:
    """Return the resolved state folder, or raise :class:`ResetRefused` saying why not."""
    configured = Path(state_dir).absolute()
    if configured.is_symlink():
        raise ResetRefused(f"{configured} is a symlink; point KIT_STATE_DIR at a real folder")
    resolved = configured.resolve()
    forbidden = {Path("/"), Path.home().resolve(), PROJECT_ROOT}
    if resolved in forbidden or PROJECT_ROOT.is_relative_to(resolved):
        raise ResetRefused(f"{resolved} is the repository, a folder above it, home or /")
    if resolved.is_relative_to(PROJECT_ROOT):
        if resolved != REPO_STATE_DIR:
            raise ResetRefused(f"{resolved} is inside the repository but is not its state/ folder")
        return resolved
    if not (resolved / STATE_MARKER).is_file():
        raise ResetRefused(
            f"{resolved} is outside the repository and has no {STATE_MARKER} marker file"
        )
    return resolved


def _inside(path: Path, root: Path) -> bool:
    """True when ``path`` (not followed if it is a link) lies strictly inside ``root``."""
    return path.parent.resolve().is_relative_to(root) and path.name not in ("", ".", "..")


@dataclass(frozen=True)
class PidFile:
    path: Path
    pid: int
    live: bool

    @property
    def is_deployment(self) -> bool:
        return "deployments" in self.path.parts


def find_pid_files(state_dir: Path) -> list[PidFile]:
    """Return every ``*.pid`` file under the state folder with whether its process still runs.

    A process counts as live only when it started before its pid file was written, so a pid the
    OS has since given to an unrelated program is never stopped.
    """
    import psutil

    found = []
    for path in sorted(state_dir.rglob("*.pid")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            pid = int(path.read_text().strip().split()[0])
        except (ValueError, IndexError, OSError):
            continue
        live = False
        try:
            proc = psutil.Process(pid)
            live = proc.is_running() and proc.create_time() <= path.stat().st_mtime + 2
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            live = False
        found.append(PidFile(path, pid, live))
    return found


def plan_reset(state_dir: Path | str = STATE_DIR, include_all: bool = False) -> list[Action]:
    """Return what a reset would do; raises :class:`ResetRefused` for a folder it must not touch."""
    root = validate_state_dir(state_dir)
    actions: list[Action] = []
    if not root.is_dir():
        return actions
    pid_files = find_pid_files(root)
    protected: list[Path] = []
    if include_all and SERVERS_SCRIPT.is_file():
        actions.append(Action("run", f"{SERVERS_SCRIPT.relative_to(PROJECT_ROOT)} down"))
    for pf in pid_files:
        if not pf.live:
            continue
        kind = "deployment" if pf.is_deployment else "kit process"
        if pf.is_deployment or include_all:
            actions.append(Action("stop", f"{kind} pid {pf.pid}", _rel(pf.path, root), pf.pid))
        else:
            protected.append(pf.path.parent)
    for entry in sorted(root.iterdir()):
        if entry.name == STATE_MARKER or not _inside(entry, root):
            continue
        if not include_all and entry.name not in DEFAULT_TARGETS:
            actions.append(Action("keep", _rel(entry, root), "use --all to remove it"))
            continue
        actions += _removals(entry, root, protected)
    return actions


def _removals(entry: Path, root: Path, protected: list[Path]) -> list[Action]:
    """Remove ``entry``, descending only where a running server's folder must be kept."""
    holding = [p for p in protected if p == entry or p.is_relative_to(entry)]
    if not holding or entry.is_symlink() or not entry.is_dir():
        return [Action("remove", _rel(entry, root), "symlink only" if entry.is_symlink() else "")]
    if entry in holding:
        return [Action("keep", _rel(entry, root), "a running server uses it; use --all")]
    actions = []
    for child in sorted(entry.iterdir()):
        actions += _removals(child, root, protected)
    return actions


def _rel(path: Path, root: Path) -> str:
    where = root.parent if root == REPO_STATE_DIR else root
    return str(path.relative_to(where)) if path.is_relative_to(where) else str(path)


def _stop(pid: int, timeout: float = 10.0) -> None:
    import psutil

    try:
        proc = psutil.Process(pid)
        children = proc.children(recursive=True)
        for p in [proc, *children]:
            p.terminate()
        _, alive = psutil.wait_procs([proc, *children], timeout=timeout)
        for p in alive:
            p.kill()
    except psutil.NoSuchProcess:
        pass


def apply_reset(
    state_dir: Path | str = STATE_DIR, include_all: bool = False, dry_run: bool = False
) -> list[str]:
    """Carry out (or, with ``dry_run``, only describe) a reset; return one line per action."""
    root = validate_state_dir(state_dir)
    actions = plan_reset(root, include_all)
    lines = []
    for action in actions:
        lines.append(action.describe(dry_run))
        if dry_run or action.kind == "keep":
            continue
        if action.kind == "run":
            subprocess.run(
                [sys.executable, str(SERVERS_SCRIPT), "down"],
                cwd=PROJECT_ROOT,
                timeout=120,
                check=False,
            )
        elif action.kind == "stop" and action.pid:
            _stop(action.pid)
        elif action.kind == "remove":
            _remove(root, action.target)
    if not actions:
        lines.append(f"nothing to do: {root} holds no kit state")
    return lines


def _remove(root: Path, target: str) -> None:
    base = root.parent if root == REPO_STATE_DIR else root
    path = base / target
    if not _inside(path, root):  # belt and braces: plan_reset only lists entries inside root
        raise ResetRefused(f"{path} is outside {root}")
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        for attempt in range(3):  # a process that just stopped may still be closing files
            try:
                shutil.rmtree(path)
                break
            except OSError:
                if attempt == 2:
                    raise
                time.sleep(0.5)


def state_dir_from_environment() -> Path:
    """The state folder the kit uses now (``KIT_STATE_DIR`` or the repository's ``state/``)."""
    return Path(os.environ.get("KIT_STATE_DIR", REPO_STATE_DIR))


# -- the next cohort: empty the running servers, leave them up ----------------------------------


def clean_active_store(dry_run: bool = False) -> dict[str, int]:
    """Delete the kit's models, every pipeline run and the artifacts left without a run.

    Runs in a process bound to one server (see :func:`reset_cohort`). Stacks, users and service
    accounts stay, so the servers keep working for the next cohort. Returns what was (or, in a
    dry run, would be) deleted.
    """
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    from lib.config import MODEL_NAME

    client = Client()
    models = [m for m in depaginate(client.list_models) if m.name.startswith(MODEL_NAME)]
    runs = depaginate(client.list_pipeline_runs)
    pipelines = depaginate(client.list_pipelines)
    counts = {
        "models": len(models),
        "runs": len(runs),
        "pipelines": len(pipelines),
        "artifacts": depaginate(client.list_artifacts).__len__(),
    }
    if dry_run:
        return counts
    for model in models:
        client.delete_model(model.id)
    for run in runs:
        client.delete_pipeline_run(run.id)
    for pipeline in pipelines:
        client.delete_pipeline(pipeline.id)
    # Client.prune_artifacts fails against a 0.98 server (its prune endpoint drops the
    # project), so the unused versions are deleted one by one, then the empty artifacts.
    for version in depaginate(client.list_artifact_versions, only_unused=True):
        try:
            client.delete_artifact_version(version.id, delete_from_artifact_store=True)
        except FileNotFoundError:  # its file is already gone: drop the record all the same
            client.delete_artifact_version(version.id, delete_from_artifact_store=False)
    for artifact in depaginate(client.list_artifacts):
        if not client.list_artifact_versions(artifact=artifact.id, size=1).items:
            client.delete_artifact(artifact.id)
    counts["artifacts"] -= len(depaginate(client.list_artifacts))
    return counts


def reset_cohort(state_dir: Path | str = STATE_DIR, dry_run: bool = False) -> list[str]:
    """Delete the learners' models, runs and artifacts on each running kit server; keep them up.

    Each server is emptied from its own process, bound to it as the side's admin (the ZenML
    ``Client`` is bound to one store per process). Only servers started from ``state_dir`` are
    touched, at the port their ``server.json`` records (never whatever answers on the side's
    configured port); one that is down is reported and skipped.
    """
    from governance.servers import SIDES, admin_environment, is_healthy, local_server, read_info

    root = validate_state_dir(state_dir)
    lines = []
    for side in SIDES:
        info = read_info(local_server(side, root))
        if info is None:  # a server on that port was not started from this state folder
            lines.append(f"{side}: never started from {root}, nothing to reset")
            continue
        server = local_server(side, root, info.port)
        if not is_healthy(server.url):
            lines.append(f"{side}: down at {server.url}, nothing to reset")
            continue
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ZENML_STORE_") and k != "ZENML_CONFIG_PATH"
        }
        env.update(admin_environment(server))
        code = (
            "import json, sys; from workshop.reset import clean_active_store; "
            f"print(json.dumps(clean_active_store(dry_run={dry_run!r})))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise ResetRefused(f"{side}: could not reset {server.url}: {last}")
        counts = json.loads(result.stdout.strip().splitlines()[-1])
        verb = "would delete" if dry_run else "deleted"
        what = ", ".join(f"{n} {k}" for k, n in counts.items())
        lines.append(f"{side}: {verb} {what} at {server.url}; the server stays up")
    return lines
