"""Open the learner's JupyterLab: notebooks/ and workshop/exercises/ in one file browser.

    python scripts/lab.py                              # http://127.0.0.1:8888, opens a browser
    python scripts/lab.py --host 0.0.0.0 --port 9000 --token SECRET --no-browser

Each flag defaults to an environment variable (LAB_HOST, LAB_PORT, LAB_TOKEN, LAB_NO_BROWSER=1),
which ``make lab`` passes through. With no token Jupyter generates one and prints the URL.
JupyterLab's news pop-up and update check are off.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default=os.environ.get("LAB_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LAB_PORT") or 8888))
    parser.add_argument(
        "--token", default=os.environ.get("LAB_TOKEN", ""), help="empty: Jupyter makes one"
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        default=os.environ.get("LAB_NO_BROWSER", "") not in ("", "0"),
        help="open no browser (a shared or remote machine)",
    )
    args = parser.parse_args(argv)

    from workshop.lab import lab_command, lab_environment, write_settings

    write_settings()
    command = lab_command(
        host=args.host, port=args.port, token=args.token, open_browser=not args.no_browser
    )
    os.execve(command[0], command, lab_environment())
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
