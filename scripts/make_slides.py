"""Build reveal.js slides for every chapter into state/build/slides/ (nbconvert --to slides).

    python scripts/make_slides.py              # from the chapters as committed (no outputs)
    python scripts/make_slides.py --executed   # from state/build/notebooks when make kit ran

Slide types come from each chapter's headings (see workshop/slides.py). Open a file in a
browser; arrow keys move, "s" opens the speaker view.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib.config import BUILD_DIR, PROJECT_ROOT
from workshop.slides import SLIDES_DIR, build_slides


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executed", action="store_true", help="use executed copies if present")
    parser.add_argument("--output-dir", type=Path, default=SLIDES_DIR)
    args = parser.parse_args(argv)
    executed = BUILD_DIR / "notebooks" if args.executed else None
    for path in build_slides(out_dir=args.output_dir, executed_dir=executed):
        shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
        print(f"slides: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
