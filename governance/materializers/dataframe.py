"""A pandas DataFrame materializer that stores parquet and records a data profile as metadata.

It is not registered as the default for ``pd.DataFrame`` (ZenML keeps its own for other steps);
steps opt in explicitly::

    from governance.materializers import DataFrameParquetMaterializer

    @step(output_materializers=DataFrameParquetMaterializer)
    def load_data() -> Annotated[pd.DataFrame, "dataset"]: ...

Every stored DataFrame then carries ``rows``, ``columns``, ``missing_share`` and
``content_sha256`` as artifact metadata, which the audit trail and the lineage views read back.

Big frames are cheap to pass between steps that run in one process (the local orchestrator):
the frame a step just stored is kept (at most :data:`RECENT_FRAMES` of them) and handed to the
next step that loads the same artifact, instead of reading the parquet file back. pandas'
copy-on-write makes the shared frame safe: a step that changes its input gets its own copy.
Another process (another orchestrator, ``artifact.load()`` elsewhere) reads the file.

Importing this module pins the ZenML sources of ``pd.DataFrame`` and ``pd.Series`` (see
:mod:`governance.materializers.type_sources`): recording their type then costs no scan of the
installed distributions.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any, ClassVar

import pandas as pd
from zenml.enums import ArtifactType
from zenml.io import fileio
from zenml.materializers.base_materializer import BaseMaterializer

import governance.materializers.type_sources  # noqa: F401  (pins pandas and sklearn types)

FILENAME = "data.parquet"

RECENT_FRAMES = 2
"""How many just-stored frames this process keeps for the steps that load them next."""

_recent: OrderedDict[str, pd.DataFrame] = OrderedDict()
_recent_lock = threading.Lock()  # steps submitted in parallel store from several threads


def content_sha256(df: pd.DataFrame) -> str:
    """Return a hash of a DataFrame's values, index, column names and dtypes."""
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def dataframe_profile(df: pd.DataFrame) -> dict[str, Any]:
    """Return the profile recorded as metadata: rows, columns, missing share and content hash."""
    cells = df.shape[0] * df.shape[1]
    missing = float(df.isna().to_numpy().sum() / cells) if cells else 0.0
    return {
        "rows": int(df.shape[0]),
        "columns": int(df.shape[1]),
        "missing_share": round(missing, 6),
        "content_sha256": content_sha256(df),
    }


def _remember(uri: str, data: pd.DataFrame) -> None:
    frame = data.copy(deep=False)  # copy-on-write: later changes to data do not leak into it
    with _recent_lock:
        _recent[uri] = frame
        _recent.move_to_end(uri)
        while len(_recent) > RECENT_FRAMES:
            _recent.popitem(last=False)


def parquet_options(data: pd.DataFrame) -> dict[str, Any]:
    """Writer options: dictionary encoding only where it pays (labels, not numbers).

    A column of measurements or row ids has about as many distinct values as rows; trying to
    dictionary-encode it first roughly doubles the write time for nothing.
    """
    dictionary = [c for c, t in data.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
    return {"index": True, "use_dictionary": dictionary}


class DataFrameParquetMaterializer(BaseMaterializer):
    """Stores a DataFrame as one parquet file (dtypes survive) and profiles it."""

    ASSOCIATED_TYPES: ClassVar[tuple[type[Any], ...]] = (pd.DataFrame,)
    ASSOCIATED_ARTIFACT_TYPE: ClassVar[ArtifactType] = ArtifactType.DATA
    SKIP_REGISTRATION: ClassVar[bool] = True

    def load(self, data_type: type[Any]) -> pd.DataFrame:
        """Read the parquet file back (or take the frame this process just stored there)."""
        with _recent_lock:
            recent = _recent.get(self.uri)
        if recent is not None:
            return recent.copy(deep=False)
        path = os.path.join(self.uri, FILENAME)
        with fileio.open(path, "rb") as handle:
            return pd.read_parquet(handle)

    def save(self, data: pd.DataFrame) -> None:
        """Write ``data`` as parquet; column names must be strings (a parquet rule)."""
        bad = [c for c in data.columns if not isinstance(c, str)]
        if bad:
            raise TypeError(f"parquet needs string column names; rename these first: {bad[:5]}")
        path = os.path.join(self.uri, FILENAME)
        with fileio.open(path, "wb") as handle:
            data.to_parquet(handle, **parquet_options(data))
        _remember(self.uri, data)

    def extract_metadata(self, data: pd.DataFrame) -> dict[str, Any]:
        """Record the data profile (see :func:`dataframe_profile`)."""
        profile = dataframe_profile(data)
        self._hashed = (id(data), profile["content_sha256"])
        return profile

    def compute_content_hash(self, data: pd.DataFrame) -> str | None:
        """Let ZenML store the same content hash on the artifact version (hashed once)."""
        hashed = getattr(self, "_hashed", None)
        if hashed is not None and hashed[0] == id(data):
            return hashed[1]
        return content_sha256(data)
