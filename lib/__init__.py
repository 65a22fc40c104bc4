"""The kit's data-science library: data, steps, pipelines and display helpers.

Importing ``lib`` points ZenML at the kit's own state folder (see :mod:`lib.config`) and keeps
ZenML's set-up chatter out of run logs (see :mod:`lib.display.logs`), so import it before
anything imports ``zenml``.
"""

from lib.config import bootstrap as _bootstrap
from lib.display.logs import shorten_run_logs as _shorten_run_logs

_bootstrap()
_shorten_run_logs()
