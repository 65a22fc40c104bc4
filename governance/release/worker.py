"""Run one release operation in a process bound to one side's ZenML store.

    python -m governance.release.worker OPERATION < arguments.json

The ZenML ``Client`` is a process-wide singleton bound to one store, so every operation on a
side runs in its own process, started by :func:`governance.release.remote.run_on` with that
side's client variables. The result is printed as one JSON line after ``RESULT_MARK``; a
failure as one JSON line (error type and message) after ``ERROR_MARK``, with exit code 1.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

RESULT_MARK = "KIT-RELEASE-RESULT "
ERROR_MARK = "KIT-RELEASE-ERROR "


OPERATIONS: dict[str, str] = {
    "describe_store": "setup:describe_store",
    "bootstrap_side": "setup:bootstrap_side",
    "export": "export:export_version",
    "backlink": "export:record_backlink",
    "mirror_stage": "export:mirror_stage",
    "describe_training_run": "export:describe_training_run",
    "import": "importer:import_bundle",
    "production_status": "importer:production_status",
    "score": "importer:score_version",
    "rollback": "rollback:rollback",
    "ledger": "rollback:ledger_entries",
}
"""Operation name → ``module:function`` in :mod:`governance.release` (imported on demand)."""


def _load(operation: str) -> Callable[..., Any]:
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; known: {', '.join(OPERATIONS)}")
    module, function = OPERATIONS[operation].split(":")
    return getattr(importlib.import_module(f"governance.release.{module}"), function)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    operation = argv[0] if argv else ""
    try:
        function = _load(operation)
        arguments = json.loads(sys.stdin.read() or "{}")
        result = function(**arguments)
    except Exception as error:  # noqa: BLE001 - reported to the parent as one JSON line
        traceback.print_exc(file=sys.stderr)
        message = str(error).strip() or type(error).__name__
        sys.stdout.write(
            "\n" + ERROR_MARK + json.dumps({"type": type(error).__name__, "message": message})
        )
        sys.stdout.write("\n")
        sys.stdout.flush()
        return 1
    sys.stdout.write("\n" + RESULT_MARK + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
