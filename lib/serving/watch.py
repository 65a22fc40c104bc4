"""Delete a deployment once a given process has ended (see ``deploy.delete_at_exit``).

    python -m lib.serving.watch --pid 1234 --name breast-cancer-realtime

Runs detached from the process it watches, with that process's environment (so the same ZenML
store). Polls once a second; imports ZenML only when there is something to delete.
"""

from __future__ import annotations

import argparse
import time

import psutil


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", type=int, required=True, help="the process to outlive")
    parser.add_argument("--name", required=True, help="the deployment to delete")
    args = parser.parse_args(argv)
    while _alive(args.pid):
        time.sleep(1)
    import lib  # noqa: F401  (kit defaults; the binding came with the environment)
    from lib.serving.deploy import delete

    delete(args.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
