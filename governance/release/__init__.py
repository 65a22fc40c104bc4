"""Release across the staging → production boundary: two servers (or stores), one signed bundle.

- :mod:`~governance.release.endpoints` — where each side lives (server URL or store folder).
- :mod:`~governance.release.promote` — the functions scripts and notebooks call: export on
  dev-staging, import on production, back-link on dev-staging, rollback; one process per side.
- :mod:`~governance.release.export`, :mod:`~governance.release.importer`,
  :mod:`~governance.release.rollback` — what runs inside each side's process.

Nothing here imports ZenML at package import time: a process must choose its store first.
"""
