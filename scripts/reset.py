"""Empty the kit's state folder (ZenML config and stores, build output) and nothing else.

The folder is ``state/`` in the repository, or ``KIT_STATE_DIR`` when that folder carries the
kit's marker file; anything else (a folder outside the repository without the marker, the
repository itself, home, /) is refused with exit code 2, exactly as scripts/reset_workshop.py.
"""

import argparse
import shutil
import sys

from workshop.reset import (
    STATE_MARKER,
    ResetRefused,
    state_dir_from_environment,
    validate_state_dir,
)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    try:
        state_dir = validate_state_dir(state_dir_from_environment())
    except ResetRefused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 2
    if state_dir.is_dir():
        for child in state_dir.iterdir():
            if child.name == STATE_MARKER:
                continue
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    print(f"emptied {state_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
