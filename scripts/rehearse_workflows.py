"""Rehearse the GitOps workflows locally: run each workflow's `run:` steps, in order.

    python scripts/rehearse_workflows.py [--state DIR] [--only train-staging]

Stand-ins for GitHub's secrets and context come from ``.github/rehearsal.yaml``; everything
runs against embedded stores in a throwaway state folder, so the kit's own ``state/`` is
never touched. Steps that need GitHub (``gh ...``) are skipped and reported. Exits 1 at the
first step that fails (unless the step has ``continue-on-error``).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
CONFIG = PROJECT_ROOT / ".github" / "rehearsal.yaml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
OUTCOME_IF = re.compile(r"steps\.(\w+)\.outcome\s*==\s*'(\w+)'")
GITHUB_ONLY = ("gh ",)


def load_workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text())
    if True in data:  # YAML 1.1 reads the key `on` as True
        data["on"] = data.pop(True)
    return data


def resolve(value: str, expressions: dict[str, str]) -> str:
    """Replace ``${{ expr }}`` with its stand-in; unknown expressions become empty."""
    return EXPRESSION.sub(lambda m: str(expressions.get(m.group(1), "")), str(value))


def job_env(block: dict, config: dict, placeholders: dict[str, str]) -> dict[str, str | None]:
    """Return a job's or step's env with stand-ins; ``None`` marks a variable to unset."""
    out: dict[str, str | None] = {}
    for name, value in (block or {}).items():
        if name in config["env"]:
            value = config["env"][name].format(**placeholders)
        else:
            value = resolve(value, config["expressions"])
        out[name] = value or None
    return out


def apply(env: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    merged = dict(env)
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def rehearse(name: str, config: dict, placeholders: dict[str, str]) -> bool:
    """Run one workflow's steps; return True when every required step passed."""
    workflow = load_workflow(name)
    extra = {k: v.format(**placeholders) for k, v in config["workflows"].get(name, {}).items()}
    ok = True
    for job_name, job in workflow["jobs"].items():
        env = apply(dict(os.environ), job_env(job.get("env"), config, placeholders))
        env = apply(env, extra)
        outcomes: dict[str, str] = {}
        for step in job.get("steps", []):
            if "run" not in step:
                continue
            label = f"{name}/{job_name}: {step.get('name', step['run'][:40])}"
            condition = OUTCOME_IF.search(str(step.get("if", "")))
            if condition and outcomes.get(condition.group(1)) != condition.group(2):
                print(f"  skip  {label} (condition not met)")
                continue
            command = step["run"].strip()
            if command.startswith(GITHUB_ONLY):
                print(f"  skip  {label} (needs GitHub)")
                continue
            step_env = apply(env, job_env(step.get("env"), config, placeholders))
            started = time.perf_counter()
            result = subprocess.run(["bash", "-c", command], cwd=PROJECT_ROOT, env=step_env)
            outcome = "success" if result.returncode == 0 else "failure"
            outcomes[step.get("id", "")] = outcome
            print(f"  {outcome:<7} {label} ({time.perf_counter() - started:.1f} s)")
            if outcome == "failure" and not step.get("continue-on-error"):
                ok = False
                break
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", type=Path, help="state folder to use (default: a temp dir)")
    parser.add_argument("--only", help="rehearse only this workflow (file stem)")
    args = parser.parse_args(argv)

    config = yaml.safe_load(CONFIG.read_text())
    state = (args.state or Path(tempfile.mkdtemp(prefix="kit-rehearsal-"))).resolve()
    placeholders = {"state": str(state), "random": secrets.token_hex(32)}
    os.environ["KIT_STATE_DIR"] = str(state)
    os.environ.pop("ZENML_STORE_URL", None)
    names = [args.only] if args.only else config["order"]
    for name in names:
        print(f"rehearsing {name}")
        if not rehearse(name, config, placeholders):
            print(f"REHEARSAL FAILED: {name}", file=sys.stderr)
            return 1
    print(f"rehearsal passed: {', '.join(names)} (state in {state})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
