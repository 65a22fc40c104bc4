"""Empty the kit's state folder (ZenML config and stores, build output) and nothing else."""

import argparse
import shutil
import sys

from lib.config import STATE_DIR


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    if STATE_DIR.is_dir():
        for child in STATE_DIR.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    print(f"emptied {STATE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
