"""Start, stop and inspect the kit's two local ZenML servers, dev-staging and production.

    python scripts/servers.py up                 # start both (idempotent) on SQLite
    python scripts/servers.py up --db mariadb    # the same on the kit's own MariaDB
    python scripts/servers.py status             # URLs, pids, health, database; 1 if one is down
    python scripts/servers.py down               # stop both (idempotent); stores are kept in state/
    python scripts/servers.py run -- python scripts/run_notebooks.py   # a command on the servers

``run`` starts the command with its ZenML client bound to the dev-staging server and
``KIT_MODE=servers``, so the chapters run against the two servers. Secrets (production's admin
password, the promoter's API key, JWT secrets, MariaDB passwords) are generated once into
state/secrets/ (mode 0600) unless given in the environment, and are never printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from governance.servers import DATABASES, SIDES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("up", help="start the servers (idempotent) and set each side up")
    up.add_argument(
        "--db",
        choices=DATABASES,
        default=None,
        help="default: a running server's, else KIT_SERVERS_DB, else sqlite",
    )
    for name, text in (("down", "stop the servers and the kit's MariaDB"), ("status", "show")):
        commands.add_parser(name, help=text)
    for sub in commands.choices.values():
        sub.add_argument("--side", choices=SIDES, help="only this server (default: both)")
    run = commands.add_parser(
        "run",
        help="run a command with its ZenML client bound to the dev-staging server",
        description="Run COMMAND with ZENML_STORE_URL set to the dev-staging server and "
        "KIT_MODE=servers, e.g. `servers.py run -- python scripts/run_notebooks.py`.",
    )
    run.add_argument("argv", nargs=argparse.REMAINDER, help="the command, after --")
    return parser


def _print_rows(rows: list[dict]) -> None:
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items() if v not in ("", None)))


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)

    import server_processes as processes

    from governance.health import is_healthy
    from governance.release.endpoints import CLIENT_VARIABLES, side_endpoint
    from lib.config import STATE_DIR

    sides = (args.side,) if getattr(args, "side", None) else SIDES
    try:
        if args.command == "up":
            for row in processes.up(STATE_DIR, sides, db=args.db):
                verb = "started" if row["started"] else "already running"
                print(
                    f"{row['side']}: {verb} at {row['url']} on {row['db']} (stack {row['stack']})"
                )
            return 0
        if args.command == "down":
            for row in processes.down(STATE_DIR, sides):
                print(f"{row['side']}: {'stopped' if row['stopped'] else 'not running'}")
            return 0
        if args.command == "status":
            rows = processes.status(STATE_DIR, sides)
            _print_rows(rows)
            return 0 if all(r["healthy"] for r in rows) else 1
    except processes.ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    command = [a for a in args.argv if a != "--"]
    if not command:
        parser.error("run needs a command, e.g. run -- python scripts/run_notebooks.py")
    target = side_endpoint("dev-staging", "servers", STATE_DIR)
    if not is_healthy(target.location):
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
