"""Check this machine is ready for the kit: an OK/FAIL table; exit 1 on any FAIL, with the fix.

    python scripts/check_env.py

The same check runs as ``notebooks/00_setup_check.ipynb``. It checks packages, the Jupyter
kernel, free disk, the kit's ports (taken only when something listens on them) and any ZenML
server named in the environment. It never prints a secret.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args(argv)

    import lib  # noqa: F401  (points ZenML at the kit's state folder)
    from workshop.environment import run_checks

    report = run_checks()
    print(report.table())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
