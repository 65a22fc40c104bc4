"""A process bound to one side's ZenML store that runs release operations until told to stop.

    python -m governance.release.worker      # started by governance.release.remote.run_on

The ZenML ``Client`` is a process-wide singleton bound to one store, so each side gets its own
process, started by :func:`governance.release.remote.run_on` with that side's client variables
and kept for the whole chapter or script call: ZenML is imported and the client set up once,
not once per operation.

Protocol: JSON lines. Each request on stdin is
``{"operation": NAME, "call": "module:function", "arguments": {...}}``; each answer on the
protocol channel (the process's original stdout) is ``{"ok": true, "result": ...}`` or
``{"ok": false, "type": ERROR_TYPE, "message": ..., "refusal": BOOL}``; ``refusal`` is true when
the error is one of the kit's own refusals (:func:`is_refusal`), which the parent answers by
keeping the worker. Everything else the process prints,
ZenML's logging included, goes to stderr. The process exits when stdin closes.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import IO, Any

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
"""Operation name → ``module:function``; a module without a dot is in :mod:`governance.release`."""


def resolve(call: str) -> Callable[..., Any]:
    """Return the function ``module:function`` names (``module`` relative to this package)."""
    module, _, function = call.partition(":")
    if not module or not function:
        raise ValueError(f"an operation is 'module:function'; got {call!r}")
    if "." not in module:
        module = f"governance.release.{module}"
    return getattr(importlib.import_module(module), function)


def call_of(operation: str) -> str:
    """Return the ``module:function`` of ``operation``, or raise naming the known ones."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; known: {', '.join(OPERATIONS)}")
    return OPERATIONS[operation]


def is_refusal(error: BaseException) -> bool:
    """True for the kit's own refusals: a rule said no, on purpose, with a one-line reason.

    A refused bundle, gate, import or rollback leaves the worker's process as it was (the
    ledger is written before a stage changes, so a refusal has nothing half-done), so the
    worker is kept for the next call. Any other error may have left the process in a state
    nobody checked, and the worker is replaced.
    """
    from governance.bundle import BundleError
    from governance.checks import GateError
    from governance.release.errors import ReleaseError, SideError

    return isinstance(error, (BundleError, GateError, ReleaseError)) and not isinstance(
        error, SideError
    )


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """Run one request and return its answer; an exception becomes ``ok: false``."""
    try:
        function = resolve(request.get("call") or call_of(request.get("operation", "")))
        result = function(**(request.get("arguments") or {}))
        return {"ok": True, "result": result}
    except Exception as error:  # noqa: BLE001 - reported to the parent as one JSON line
        traceback.print_exc(file=sys.stderr)
        message = str(error).strip() or type(error).__name__
        return {
            "ok": False,
            "type": type(error).__name__,
            "message": message,
            "refusal": is_refusal(error),
        }


def _protocol_channel() -> IO[str]:
    """Keep the original stdout for answers and send everything else printed to stderr."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return channel


def serve(requests: IO[str], channel: IO[str]) -> None:
    """Answer one request per line of ``requests`` until it closes."""
    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            reply = {"ok": False, "type": "ProtocolError", "message": f"bad request: {error}"}
        else:
            reply = answer(request)
        try:
            text = json.dumps(reply, default=str)
        except (TypeError, ValueError) as error:
            text = json.dumps({"ok": False, "type": type(error).__name__, "message": str(error)})
        channel.write(text + "\n")
        channel.flush()


def warm_up() -> None:
    """Import ZenML and connect the client before the first request is read.

    A worker started ahead of its first operation (:func:`governance.release.remote.start`)
    pays these seconds while its parent does other work. A failure here is left for the first
    operation to meet and report.
    """
    try:
        from zenml.client import Client

        Client().zen_store  # noqa: B018 - connecting (and migrating a new store) is the point
    except Exception:  # noqa: BLE001 - the first operation reports it
        traceback.print_exc(file=sys.stderr)


def main() -> int:
    channel = _protocol_channel()
    warm_up()
    serve(sys.stdin, channel)
    return 0


def end(code: int) -> None:
    """Flush what was written, then end the process without tearing the interpreter down.

    Once stdin closes, every answer has been sent and every store write committed. Freeing the
    module graph ZenML loaded takes the interpreter about a second, which the parent waits for
    when it stops its workers at exit; ``os._exit`` skips it. ``logging.shutdown`` is the one
    exit handler here that writes anything.
    """
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    end(main())
