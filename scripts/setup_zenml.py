"""Initialise ZenML for the kit (repository at the project root, store in ``state/``)."""

import argparse
import sys

import lib  # noqa: F401  (points ZenML at the kit's state folder)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)

    from lib.setup import describe_state, ensure_zenml_ready  # imports ZenML

    url = ensure_zenml_ready()
    state = describe_state()
    print(f"ZenML ready: store {url}\n  config folder {state['config']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
