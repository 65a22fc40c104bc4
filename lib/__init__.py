"""The kit's data-science library: data, steps, pipelines and display helpers.

Importing ``lib`` points ZenML at the kit's own state folder (see :mod:`lib.config`) and keeps
ZenML's set-up chatter out of run logs (see :mod:`lib.display.logs`), so import it before
anything imports ``zenml``.
It also sets the garbage collector for a process that loads large libraries (see
:mod:`lib.process`).
"""

from lib.process import tune_garbage_collection as _tune_garbage_collection

_tune_garbage_collection()  # before the heavy imports below and in the caller

from lib.config import bootstrap as _bootstrap  # noqa: E402
from lib.display.logs import shorten_run_logs as _shorten_run_logs  # noqa: E402

_bootstrap()
_shorten_run_logs()
