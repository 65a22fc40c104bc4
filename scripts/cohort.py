"""The cohort board: one row per learner on the room's server, read only from its store.

    python scripts/cohort.py                    # once, from the dev-staging server
    python scripts/cohort.py --watch            # redraw every 15 s (Ctrl-C stops)
    python scripts/cohort.py --json             # the rows as JSON

Each row: the chapters completed (01, 03, 04: judged from what they leave in the store; 02
only reads), the learner's model versions and stages, their last failed run with its first
error line, and the time since their last activity. The server is the kit's dev-staging
server (``make servers-up``) unless ``--url`` names another.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the room's server (default: the kit's dev-staging one)")
    parser.add_argument("--watch", action="store_true", help="redraw until Ctrl-C")
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between redraws")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)

    from governance.health import is_healthy
    from governance.release.endpoints import CLIENT_VARIABLES, bind_process, endpoint
    from lib.config import STATE_DIR

    url = args.url or os.environ.get("KIT_DEV_STAGING_STORE", "")
    if not url.startswith(("http://", "https://")):
        from governance.servers import local_server

        url = local_server("dev-staging", STATE_DIR).url
    if not is_healthy(url):
        print(f"error: no server answers at {url}: run `make servers-up`", file=sys.stderr)
        return 1
    for name in CLIENT_VARIABLES:
        os.environ.pop(name, None)
    bind_process(endpoint(url, "dev-staging", STATE_DIR))

    from workshop.cohort import board_table, room_progress

    while True:
        rows = room_progress()
        if args.json:
            print(json.dumps([row.as_dict() for row in rows], indent=2, default=str))
        else:
            if args.watch:
                print("\033[2J\033[H", end="")
            print(f"cohort board: {url}  ({len(rows)} learners, {time.strftime('%H:%M:%S')})")
            print(board_table(rows))
        if not args.watch:
            return 0
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
