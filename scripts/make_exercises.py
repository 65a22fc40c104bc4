"""Generate workshop/exercises/ and the solutions from the chapters' solution cells.

    python scripts/make_exercises.py          # write the exercises and state/build/solutions/
    python scripts/make_exercises.py --check  # exit 1 if the exercises are out of date (CI)

The exercises are committed (learners open them); the solutions, each its chapter with a banner,
are build output in the state folder.

The convention a chapter follows is in ``workshop/exercises.py`` and workshop/README.md.
"""

from __future__ import annotations

import argparse
import sys

from lib.config import PROJECT_ROOT
from workshop.exercises import ExerciseError, chapters, find_exercises, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on drift")
    args = parser.parse_args(argv)
    try:
        changed = generate(write=not args.check)
        counts = {c.stem: len(find_exercises(c)) for c in chapters()}
    except ExerciseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for stem, count in counts.items():
        print(f"{stem:<36} {count} exercise(s)" if count else f"{stem:<36} no exercise yet")
    for path in changed:
        verb = "out of date" if args.check else "written"
        shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
        print(f"{verb}: {shown}")
    if args.check and changed:
        print("run `make exercises` and commit the result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
