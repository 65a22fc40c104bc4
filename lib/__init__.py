"""The kit's data-science library: data, steps, pipelines and display helpers.

Importing ``lib`` points ZenML at the kit's own state folder (see :mod:`lib.config`), so import
it before anything calls ``zenml.client.Client()``.
"""

from lib.config import bootstrap as _bootstrap

_bootstrap()
