"""Chapter 05 in the session's chain: a signed release into production, refusals, rollback.

The chain ran chapters 01-04 before it (the staging candidate, and the storyline's baseline in
production); the chapter runs in embedded mode against this process's store (dev-staging) and a
production store under the test's state folder.
"""

import pytest
from zenml.client import Client

pytestmark = pytest.mark.notebook

CHAPTER = "05_promote_to_production"


@pytest.fixture(scope="module")
def chapter(chain):
    # production only moves forward: the version released first, as the storyline's baseline,
    # is older than chapter 03's candidate, so it is chapter 01's dev run
    staged = {
        "candidate": chain["03_promote_to_staging"]["candidate"],
        "baseline": chain["01_train_a_model"]["model_version"],
    }
    return staged, chain[CHAPTER]


def test_release_is_verified_ledgered_refused_when_tampered_and_rolls_back(chapter):
    staged, records = chapter
    production_version = f"dev-staging-v{staged['candidate']}"
    baseline_version = f"dev-staging-v{staged['baseline']}"

    assert records["source_version"] == int(staged["candidate"])
    assert records["production_version"] == production_version
    assert records["import_status"] == "imported"
    assert records["gates_passed"] is True and records["verified_files"] >= 8
    assert records["history"] == "released-baseline"
    assert "hash mismatch" in records["byte_refusal"] and "model.skops" in records["byte_refusal"]
    assert "manifest was changed" in records["rehash_refusal"]
    # a correctly signed older bundle: refused by production, which names the way back
    assert "not newer than" in records["older_refusal"]
    assert "scripts/rollback.py" in records["older_refusal"]
    # a bundle signed by a key production does not trust: refused, naming only the key id
    assert "untrusted key" in records["stranger_refusal"]
    assert records["check_forge_a_bundle"] is True  # the exercise's solution passes its check
    assert records["rollback"] == [production_version, baseline_version]
    assert records["forward"] == [baseline_version, production_version]

    production = records["production"]
    assert production["production"] == production_version
    stages = {v["version"]: v["stage"] for v in production["versions"]}  # refusals wrote none
    assert stages == {production_version: "production", baseline_version: "archived"}
    live = next(v for v in production["versions"] if v["version"] == production_version)
    assert live["bundle_sha256"] == records["bundle_sha256"]
    assert live["import_state"] == "complete"
    assert production["ledger_problems"] == []
    moves = [e for e in production["ledger"] if e["decision"] != "displaced"]
    decisions = [(e["decision"], e["version"]) for e in moves]
    assert decisions == [
        ("promoted", baseline_version),
        ("promoted", production_version),
        ("rollback", baseline_version),
        ("rolled_back", production_version),
        ("rollback", production_version),
        ("rolled_back", baseline_version),
    ]
    # the version the release replaced gets an entry of its own
    displaced = [e["version"] for e in production["ledger"] if e["decision"] == "displaced"]
    assert displaced == [baseline_version]
    release = moves[1]
    assert (release["approved_by"], release["release_tag"]) == ("release-manager", "v1.0.0")
    assert release["bundle_sha256"] == records["bundle_sha256"]

    # dev-staging mirrors what is live: the candidate holds its own production stage again
    source = Client().get_model_version(records["model_name"], "production")
    assert source.name == staged["candidate"]
    assert source.run_metadata["kit_production"]["version"] == production_version
