"""Audit trail of the fast path: predictions buffered in memory, flushed to ZenML in batches.

The fast path answers without a pipeline run, so nothing would record what it said. Every answer
is appended to a :class:`PredictionBuffer`; a background thread writes the buffer to the ZenML
store as one ``realtime_predictions`` artifact version (parquet: request id, time, the 30
inputs, the probability, the class), linked to the model version that gave the answers (one
artifact version per model version when the deployment swapped models within a batch):

- every ``flush_every`` records, or ``flush_seconds`` after the oldest unflushed one, whichever
  comes first;
- on a clean shutdown (``SIGTERM``, ``zenml deployment deprovision``): everything left.

A failed write keeps its records and is retried at the next flush. If the store stays
unreachable and ``max_pending`` records pile up, new requests are refused (``AuditBackpressure``,
answered 503) rather than answered without a trace.

What a crash can lose: a killed process (``SIGKILL``, power loss) loses the records not yet
flushed — at most ``flush_every`` requests or ``flush_seconds`` of traffic, whichever is
smaller. Lower both to bound it further; every flush costs one artifact write (~0.1–0.5 s, off
the request path).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from zenml.logger import get_logger

logger = get_logger(__name__)

Sink = Callable[[list[dict]], str]
"""Writes one batch of records somewhere durable; returns an id of what it wrote."""


class AuditBackpressure(RuntimeError):
    """Too many records are waiting for a flush; the request is refused, not left untraced."""


class PredictionBuffer:
    """Thread-safe buffer of prediction records with size, age and shutdown flushes."""

    def __init__(
        self,
        sink: Sink,
        flush_every: int = 100,
        flush_seconds: float = 10.0,
        max_pending: int | None = None,
        group_by: str | None = None,
    ) -> None:
        if flush_every < 1 or flush_seconds <= 0:
            raise ValueError("flush_every must be >= 1 and flush_seconds > 0")
        self._sink = sink
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self.max_pending = max_pending or 100 * flush_every
        self.group_by = group_by
        self._records: list[dict] = []
        self._oldest: float | None = None
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._closed = False
        self.flushed_ids: list[str] = []
        self.flushed_records = 0
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name="prediction-flusher", daemon=True)
        self._thread.start()

    def add(self, record: dict) -> None:
        """Append one record; wakes the flusher when a batch is full."""
        with self._cond:
            if self._closed:
                raise AuditBackpressure("the prediction audit trail is closed")
            if len(self._records) >= self.max_pending:
                raise AuditBackpressure(
                    f"{len(self._records)} predictions wait for the audit store; try again later"
                )
            stamped = {"recorded_at": datetime.now(UTC).isoformat(), **record}
            self._records.append(stamped)
            if self._oldest is None:
                self._oldest = time.monotonic()
            if len(self._records) >= self.flush_every:
                self._cond.notify()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._records)

    def flush(self) -> int:
        """Write everything buffered now; return how many records were written.

        With ``group_by``, each run of records sharing that field's value is one write, in
        order; a failed write puts back its records and every later one.
        """
        with self._write_lock:
            with self._cond:
                batch, self._records, self._oldest = self._records, [], None
            written = 0
            for start, group in self._groups(batch):
                try:
                    written_id = self._sink(group)
                except Exception:
                    self.failures += 1
                    logger.exception("writing %d predictions to the audit store failed", len(group))
                    with self._cond:
                        self._records[:0] = batch[start:]
                        self._oldest = self._oldest or time.monotonic()
                    return written
                self.flushed_ids.append(written_id)
                self.flushed_records += len(group)
                written += len(group)
            return written

    def _groups(self, batch: list[dict]):
        """``(start index, records)`` of each run of records with the same ``group_by`` value."""
        start = 0
        for end in range(1, len(batch) + 1):
            if (
                end == len(batch)
                or self.group_by is not None
                and batch[end].get(self.group_by) != batch[start].get(self.group_by)
            ):
                yield start, batch[start:end]
                start = end

    def close(self) -> int:
        """Stop the flusher and write what is left; return the records written by this call."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=30)
        return self.flush()

    def _due(self) -> bool:
        if len(self._records) >= self.flush_every:
            return True
        return self._oldest is not None and time.monotonic() - self._oldest >= self.flush_seconds

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._due():
                    wait = self.flush_seconds
                    if self._oldest is not None:
                        wait = max(0.01, self.flush_seconds - (time.monotonic() - self._oldest))
                    self._cond.wait(timeout=wait)
                if self._closed:
                    return
            self.flush()


def zenml_sink(model_name: str, deployment: str = "") -> Sink:
    """A :data:`Sink` saving each batch as a ``realtime_predictions`` artifact version.

    Every record of a batch names the same ``model_version`` (the buffer groups them by it):
    the artifact version is linked to that model version and carries metadata (rows, first and
    last request id and time, the deployment) so it can be found without loading it.
    """

    def write(records: list[dict]) -> str:
        import pandas as pd
        from zenml import Model, link_artifact_to_model, save_artifact

        from governance.materializers import DataFrameParquetMaterializer

        model_version = str(records[0]["model_version"])
        if any(str(r["model_version"]) != model_version for r in records):
            raise ValueError("one batch must hold the answers of one model version")
        frame = pd.DataFrame.from_records(records)
        version = save_artifact(
            data=frame,
            name="realtime_predictions",
            materializer=DataFrameParquetMaterializer,
            include_visualizations=False,
            tags=["realtime", "fast_path"],
            user_metadata={
                "rows": len(frame),
                "first_request_id": str(records[0].get("request_id", "")),
                "last_request_id": str(records[-1].get("request_id", "")),
                "first_recorded_at": str(records[0]["recorded_at"]),
                "last_recorded_at": str(records[-1]["recorded_at"]),
                "deployment": deployment,
                "model_version": model_version,
            },
        )
        link_artifact_to_model(version, model=Model(name=model_name, version=model_version))
        return str(version.id)

    return write
