"""The ASGI app the kit's local servers run: ZenML's own server app, loaded after the kit's
garbage-collector settings (:mod:`lib.process`).

A server process imports FastAPI, SQLAlchemy and ZenML's models before its first request;
freezing that heap once it is loaded keeps every later collection from walking it again while
the server answers a room. The app itself is ``zenml.zen_server.zen_server_api:app``, unchanged.
"""

import gc

from lib.process import tune_garbage_collection

tune_garbage_collection()

from zenml.zen_server.zen_server_api import app  # noqa: E402

gc.freeze()  # what the import left alive lives as long as the server

__all__ = ["app"]
