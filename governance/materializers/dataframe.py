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

The profile costs little beside the write: each column is hashed and counted on its own thread
(``hashlib`` and numpy release the GIL), and ``save`` starts the profile before it writes, so
the two overlap.

Importing this module pins the ZenML sources of ``pd.DataFrame`` and ``pd.Series`` (see
:mod:`governance.materializers.type_sources`): recording their type then costs no scan of the
installed distributions.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import numpy as np
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
_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kit-profile")


def _index_digest(index: pd.Index) -> bytes:
    """Return a digest of the index (a range by its bounds, anything else by pandas' hashes)."""
    digest = hashlib.sha256(f"{index.names!r}|{index.dtype}|{len(index)}".encode())
    if isinstance(index, pd.RangeIndex):
        digest.update(f"range({index.start},{index.stop},{index.step})".encode())
    else:
        digest.update(pd.util.hash_pandas_object(index).to_numpy().tobytes())
    return digest.digest()


def _column_facts(column: pd.Series) -> tuple[bytes, int]:
    """Return one column's digest (name, dtype, values) and its count of missing values."""
    digest = hashlib.sha256(f"{column.name!r}|{column.dtype}|{len(column)}".encode())
    array = column.to_numpy() if isinstance(column.dtype, np.dtype) else None
    if array is None or array.dtype.kind not in "biufcmM":
        # objects, strings, categoricals, nullable dtypes: pandas' value hashes
        digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
        return digest.digest(), int(column.isna().sum())
    digest.update(np.ascontiguousarray(array).view(np.uint8))  # raw values, no copy
    kind = array.dtype.kind
    missing = np.isnat(array) if kind in "mM" else np.isnan(array) if kind in "fc" else None
    return digest.digest(), 0 if missing is None else int(missing.sum())


def _profile_facts(df: pd.DataFrame) -> tuple[str, int]:
    """Return the frame's content hash and its missing cells, a thread per column at a time."""
    columns = [df.iloc[:, i] for i in range(df.shape[1])]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        index = pool.submit(_index_digest, df.index)
        facts = list(pool.map(_column_facts, columns))
    digest = hashlib.sha256(index.result())
    for column_digest, _ in facts:
        digest.update(column_digest)
    return digest.hexdigest(), sum(missing for _, missing in facts)


def content_sha256(df: pd.DataFrame) -> str:
    """Return a SHA-256 of a DataFrame's values, index, column names and dtypes.

    Numeric columns are hashed as their raw bytes; other columns through pandas' value hashes.
    """
    return _profile_facts(df)[0]


def dataframe_profile(df: pd.DataFrame) -> dict[str, Any]:
    """Return the profile recorded as metadata: rows, columns, missing share and content hash."""
    sha256, missing = _profile_facts(df)
    cells = df.shape[0] * df.shape[1]
    return {
        "rows": int(df.shape[0]),
        "columns": int(df.shape[1]),
        "missing_share": round(missing / cells, 6) if cells else 0.0,
        "content_sha256": sha256,
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
        """Write ``data`` as parquet; column names must be strings (a parquet rule).

        The profile is computed on a thread beside the write (both only read ``data``).
        """
        bad = [c for c in data.columns if not isinstance(c, str)]
        if bad:
            raise TypeError(f"parquet needs string column names; rename these first: {bad[:5]}")
        profiling = _background.submit(dataframe_profile, data)
        self._profile = (id(data), profiling)
        path = os.path.join(self.uri, FILENAME)
        with fileio.open(path, "wb") as handle:
            data.to_parquet(handle, **parquet_options(data))
        _remember(self.uri, data)

    def _profile_of(self, data: pd.DataFrame) -> dict[str, Any]:
        started = getattr(self, "_profile", None)
        if started is not None and started[0] == id(data):
            return started[1].result()
        return dataframe_profile(data)

    def extract_metadata(self, data: pd.DataFrame) -> dict[str, Any]:
        """Record the data profile (see :func:`dataframe_profile`)."""
        return self._profile_of(data)

    def compute_content_hash(self, data: pd.DataFrame) -> str | None:
        """Let ZenML store the same content hash on the artifact version (hashed once)."""
        return self._profile_of(data)["content_sha256"]
