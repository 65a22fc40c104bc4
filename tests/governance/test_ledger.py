"""The promotion ledger: ordered, chained, append-only entries in the ZenML store."""

from __future__ import annotations

import uuid

import pytest

from governance.ledger import (
    PROMOTED,
    REFUSED,
    Ledger,
    LedgerEntry,
    append_entry,
    ledger_name,
    read_ledger,
    replay,
)


def _entry(sequence: int, version: str, to_stage: str, decision: str = PROMOTED, **extra):
    return LedgerEntry(
        sequence=sequence,
        timestamp=f"2026-01-01T00:00:{sequence:02d}+00:00",
        model="m",
        version=version,
        decision=decision,
        to_stage=to_stage,
        actor="tester",
        **extra,
    )


@pytest.mark.unit
def test_replay_follows_promotions_in_sequence_order_and_ignores_refusals():
    entries = [
        _entry(3, "2", "staging"),
        _entry(1, "1", "staging"),
        _entry(2, "3", "production"),
        _entry(4, "1", "staging", decision=REFUSED),
    ]
    assert replay(entries) == {"staging": "2", "production": "3"}


@pytest.mark.unit
def test_a_version_promoted_to_production_leaves_staging():
    entries = [_entry(1, "1", "staging"), _entry(2, "1", "production")]
    assert replay(entries) == {"production": "1"}


@pytest.mark.unit
def test_demote_moves_the_old_champion_to_staging_and_archives_the_candidate():
    entries = [
        _entry(1, "1", "production"),
        _entry(2, "2", "staging"),
        _entry(3, "2", "production", previous_holder="1", previous_holder_action="demote"),
    ]
    assert replay(entries) == {"production": "2", "staging": "1"}
    archive = [*entries[:2], _entry(3, "2", "production", previous_holder_action="archive")]
    assert replay(archive) == {"production": "2"}


@pytest.mark.unit
def test_verify_finds_gaps_and_broken_chains():
    first = _entry(1, "1", "staging")
    second = _entry(2, "2", "staging", previous_sha256=first.sha256())
    assert Ledger("m", [first, second]).verify() == []
    tampered = first.model_copy(update={"reason": "rewritten"})
    assert Ledger("m", [tampered, second]).verify() == ["entry 2 does not chain to entry 1"]
    third = _entry(3, "3", "staging", previous_sha256=second.sha256())
    assert "sequence 2 is missing" in Ledger("m", [first, third]).verify()[0]


@pytest.mark.unit
def test_entry_schema_keeps_fields_added_by_later_tools():
    entry = _entry(1, "1", "production", release_tag="v1.2.0", bundle_sha256="ab" * 32)
    again = LedgerEntry(**entry.model_dump(mode="json"))
    assert again.bundle_sha256 == "ab" * 32 and again.release_tag == "v1.2.0"
    assert again.sha256() == entry.sha256()


@pytest.mark.pipeline
def test_entries_are_stored_in_order_with_content_and_a_hash_chain(zenml_store):
    model = f"ledger_order_{uuid.uuid4().hex[:8]}"
    assert len(read_ledger(model)) == 0
    written = [
        append_entry(
            model,
            version=str(i),
            decision=REFUSED if i == 2 else PROMOTED,
            to_stage="staging",
            actor=f"user{i}",
            reason=f"reason {i}",
            gates=[
                {
                    "name": "f1 minimum",
                    "passed": i != 2,
                    "observed": 0.5 + i / 10,
                    "expected": ">= 0.7",
                }
            ],
        )  # fmt: skip
        for i in range(1, 5)
    ]
    ledger = read_ledger(model)
    assert [e.sequence for e in ledger] == [1, 2, 3, 4]
    assert [e.actor for e in ledger] == ["user1", "user2", "user3", "user4"]
    assert ledger.entries == written
    assert ledger.entries[1].failed_gates == ["f1 minimum"]
    assert ledger.entries[1].gates[0]["observed"] == pytest.approx(0.7)
    assert ledger.entries[0].timestamp <= ledger.entries[3].timestamp
    assert ledger.verify() == []
    assert ledger.holders() == {"staging": "4"}
    assert ledger.to_frame().loc[2, "decision"] == "refused"


@pytest.mark.pipeline
def test_a_taken_sequence_number_cannot_be_written_again(zenml_store):
    from zenml import save_artifact
    from zenml.exceptions import EntityExistsError

    model = f"ledger_unique_{uuid.uuid4().hex[:8]}"
    append_entry(model, version="1", decision=PROMOTED, to_stage="staging", actor="a")
    with pytest.raises(EntityExistsError):
        save_artifact({"forged": True}, name=ledger_name(model), version="1")
    assert read_ledger(model).entries[0].actor == "a"
