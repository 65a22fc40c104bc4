"""Start, stop and inspect the kit's two local ZenML servers, dev-staging and production.

    python scripts/servers.py up         # start both (idempotent), set up stacks and the promoter
    python scripts/servers.py status     # URLs, pids, health; exit 1 if one is down
    python scripts/servers.py down       # stop both (idempotent); stores are kept in state/
    python scripts/servers.py run -- python scripts/run_notebooks.py   # a command on the servers

``run`` starts the command with its ZenML client bound to the dev-staging server and
``KIT_MODE=servers``, so every chapter runs against the two servers. Secrets (production's admin
password, the promoter's API key, JWT secrets) are generated once into state/secrets/ unless
given in the environment, and are never printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from governance import servers
from governance.release.endpoints import CLIENT_VARIABLES, side_endpoint
from lib.config import STATE_DIR


def _print_rows(rows: list[dict]) -> None:
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items() if v not in ("", None)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status", "run"])
    parser.add_argument("--side", choices=servers.SIDES, help="only this server (default: both)")
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="for run: the command to run")
    args = parser.parse_args(argv)
    sides = (args.side,) if args.side else servers.SIDES

    try:
        if args.command == "up":
            for row in servers.up(STATE_DIR, sides):
                verb = "started" if row["started"] else "already running"
                print(f"{row['side']}: {verb} at {row['url']} (stack {row['stack']})")
            return 0
        if args.command == "down":
            for row in servers.down(STATE_DIR, sides):
                print(f"{row['side']}: {'stopped' if row['stopped'] else 'not running'}")
            return 0
        if args.command == "status":
            rows = servers.status(STATE_DIR, sides)
            _print_rows(rows)
            return 0 if all(r["healthy"] for r in rows) else 1
    except servers.ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    command = [a for a in args.argv if a != "--"]
    if not command:
        parser.error("run needs a command, e.g. run -- python scripts/run_notebooks.py")
    target = side_endpoint("dev-staging", "servers", STATE_DIR)
    if not servers.is_healthy(target.location):
        print(
            f"error: dev-staging server {target.location} is down: run `make servers-up`",
            file=sys.stderr,
        )
        return 1
    env = {k: v for k, v in os.environ.items() if k not in CLIENT_VARIABLES}
    env.update(target.environment())
    env["KIT_MODE"] = "servers"
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
