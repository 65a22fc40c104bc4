"""Initialise ZenML for the kit (repository at the project root, store in ``state/``)."""

import sys

import lib  # noqa: F401  (points ZenML at the kit's state folder)
from lib.setup import describe_state, ensure_zenml_ready


def main() -> int:
    url = ensure_zenml_ready()
    state = describe_state()
    print(f"ZenML ready: store {url}\n  config folder {state['config']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
