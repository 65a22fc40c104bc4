"""Property: whatever happens, replaying a store's ledger gives exactly ZenML's stages.

Random sequences of in-store promotions (staging, production, refused), releases into
production (real signed bundles, imported by the production importer), older bundles
(refused), and rollbacks run against one real store. After each sequence, for both models,
the stage the ledger replays for every version equals the stage ZenML reports, and every
version whose stage changed has an entry of its own. The importer and rollback run in this
process (they are the functions production's worker calls), so no extra servers are needed.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance import ledger
from governance.bundle import (
    MODEL_FILE,
    TRUSTED_KEYS_ENV_VAR,
    dump_model,
    public_key_text,
    read_bundle,
    seal,
    write_json,
)

pytestmark = pytest.mark.pipeline

TAGS = ["use_case:breast_cancer", "owner_team:ml-platform"]
GOOD = {"accuracy": 0.97, "precision": 0.96, "recall": 0.96, "f1": 0.96, "roc_auc": 0.99}
BAD = {**GOOD, "f1": 0.10}
KEY = Ed25519PrivateKey.generate()
COUNTER = itertools.count(1)


def _tiny_model():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return Pipeline([("scaler", StandardScaler()), ("classifier", LogisticRegression())]).fit(
        X[:100], y[:100]
    )


MODEL_BYTES = None


def _bundle(folder, model: str, number: int, store_id: str):
    global MODEL_BYTES
    MODEL_BYTES = MODEL_BYTES or dump_model(_tiny_model())
    folder.mkdir(parents=True)
    (folder / MODEL_FILE).write_bytes(MODEL_BYTES)
    now = datetime.now(UTC).isoformat()
    write_json(folder, "model_card.json", {"name": model, "tags": TAGS})
    metadata = {**GOOD, "git_commit": "abc123", "data_quality": {"passed": True}}
    write_json(folder, "version.json", {"number": number, "name": str(number), "tags": TAGS,
                                        "description": "", "metadata": metadata})  # fmt: skip
    write_json(folder, "metrics.json", GOOD)
    write_json(folder, "reference_profile.json", {"features": {}})
    write_json(folder, "gates.json", {})
    write_json(folder, "ledger.json", [])
    write_json(folder, "source.json", {
        "label": "dev-staging", "location": "sqlite://source", "store_id": store_id,
        "model": model, "model_version": number, "model_version_id": str(uuid.uuid4()),
        "stage_at_export": "staging", "training_run_id": str(uuid.uuid4()),
        "git_commit": "abc123", "data_sha256": "", "exported_at": now,
    })  # fmt: skip
    seal(folder, KEY, {"model": model, "version": number, "exported_at": now})
    return read_bundle(folder, KEY.public_key()).to_wire()


def _new_version(model: str, metrics: dict) -> str:
    from zenml import log_metadata
    from zenml.client import Client

    client = Client()
    try:
        client.get_model(model)
    except KeyError:
        client.create_model(name=model)
    mv = client.create_model_version(model_name_or_id=model, tags=TAGS)
    log_metadata(
        metadata={**metrics, "git_commit": "abc123", "data_quality": {"passed": True}},
        model_version_id=mv.id,
    )
    return mv.name


def _zenml_stages(model: str) -> dict[str, str]:
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    try:
        Client().get_model(model)
    except KeyError:
        return {}
    return {
        mv.name: ledger.stage_name(mv) for mv in depaginate(Client().list_model_versions,
                                                           model=model)
    }  # fmt: skip


def _check(model: str) -> None:
    history = ledger.read_ledger(model)
    replayed = history.stages()
    zenml = _zenml_stages(model)
    assert {v: replayed.get(v, "none") for v in zenml} == zenml
    last_own = {}
    for entry in history:
        if ledger.changes_stage(entry.decision):
            last_own[entry.version] = entry.to_stage
    assert {v: s for v, s in zenml.items() if s != "none"} == last_own
    assert history.verify() == []


OPERATIONS = st.lists(
    st.sampled_from(["staging", "production", "refused", "release", "older", "rollback"]),
    min_size=3,
    max_size=6,
)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(operations=OPERATIONS)
def test_replaying_each_ledger_gives_zenmls_stages(zenml_store, tmp_path_factory, operations):
    import os

    from governance.promotion import PromotionRefused, promote
    from governance.release.errors import ReleaseError, StaleBundleError
    from governance.release.importer import import_bundle
    from governance.release.rollback import rollback

    run = next(COUNTER)
    in_store, released = f"breast_cancer_classifier_ip{run}", f"breast_cancer_classifier_rp{run}"
    folder = tmp_path_factory.mktemp(f"prop{run}")
    store_id = str(uuid.uuid4())
    os.environ[TRUSTED_KEYS_ENV_VAR] = public_key_text(KEY)
    number = 0
    try:
        for index, operation in enumerate(operations):
            if operation in ("staging", "production"):
                promote(in_store, _new_version(in_store, GOOD), operation, reason="property")
            elif operation == "refused":
                with pytest.raises(PromotionRefused):
                    promote(in_store, _new_version(in_store, BAD), "staging", reason="property")
            elif operation == "release":
                number += 2  # leaves an older number that was never imported
                wire = _bundle(folder / f"b{index}", released, number, store_id)
                assert import_bundle(wire, actor="property")["status"] == "imported"
            elif operation == "older":
                if number:  # signed, never imported, older than the live version
                    wire = _bundle(folder / f"b{index}", released, number - 1, store_id)
                    with pytest.raises(StaleBundleError, match="scripts/rollback.py"):
                        import_bundle(wire, actor="property")
            elif operation == "rollback":
                try:
                    rollback(released, actor="property")
                except ReleaseError:
                    pass  # nothing to roll back to: a refusal, nothing changes
            _check(in_store)
            _check(released)
    finally:
        os.environ.pop(TRUSTED_KEYS_ENV_VAR, None)


def test_listings_page_past_the_first_page(zenml_store):
    """More versions than any single page: production's listing and its recovery see them all."""
    import socket

    from zenml.client import Client

    from governance.release.importer import OWNER_MARK, _unfinished, production_status

    model = f"breast_cancer_classifier_pages{next(COUNTER)}"
    client = Client()
    client.create_model(name=model)
    for index in range(105):  # past ZenML's default page (20) and the old explicit size (100)
        client.create_model_version(model_name_or_id=model, name=f"v{index:03d}")
    assert len(production_status(model)["versions"]) == 105
    dead = f"{socket.gethostname()}:999999999/0"
    for index in range(25):
        client.create_model_version(
            model_name_or_id=model, name=f"orphan{index:02d}", description=f"{OWNER_MARK}{dead}."
        )
    assert len(_unfinished(model)) == 25
