"""The promotion ledger: ordered, chained, append-only entries in the ZenML store."""

from __future__ import annotations

import uuid

import pytest

from governance.ledger import (
    DISPLACED,
    PROMOTED,
    REFUSED,
    ROLLBACK,
    ROLLED_BACK,
    SERVED,
    Ledger,
    LedgerEntry,
    append_change,
    append_entry,
    changes_stage,
    ledger_name,
    read_ledger,
    replay,
    replay_stages,
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


@pytest.mark.unit
def test_replay_gives_every_versions_stage_and_a_rollback_moves_back():
    entries = [
        _entry(1, "a", "production"),
        _entry(2, "b", "production", previous_holder="a", previous_holder_action="archive"),
        _entry(3, "a", "archived", decision=DISPLACED),
        _entry(4, "a", "production", decision=ROLLBACK, previous_holder="b"),
        _entry(5, "b", "archived", decision=ROLLED_BACK),
    ]
    assert replay_stages(entries) == {"a": "production", "b": "archived"}


@pytest.mark.unit
def test_kinds_that_change_no_stage_are_ignored_by_replay():
    """A serving swap (or any kind a later tool adds) is recorded and changes nothing."""
    entries = [
        _entry(1, "a", "production"),
        _entry(2, "b", "production", decision=SERVED),
        _entry(3, "c", "production", decision="something-new"),
    ]
    assert not changes_stage(SERVED) and not changes_stage("something-new")
    assert replay_stages(entries) == {"a": "production"}


@pytest.mark.unit
def test_a_late_displacement_entry_cannot_contradict_a_later_move():
    """Consequence entries are records: replay derives stages from the moves alone."""
    entries = [
        _entry(1, "a", "production"),
        _entry(2, "b", "production"),
        _entry(3, "a", "production"),  # a racing writer put a back
        _entry(4, "a", "archived", decision=DISPLACED),  # b's consequence entry, written late
    ]
    assert replay(entries) == {"production": "a"}


@pytest.mark.pipeline
def test_append_change_gives_the_displaced_version_its_own_entry(zenml_store):
    model = f"ledger_change_{uuid.uuid4().hex[:8]}"
    append_change(model, version="1", decision=PROMOTED, to_stage="production", actor="t")
    written = append_change(
        model, version="2", decision=PROMOTED, to_stage="production", actor="t",
        previous_holder="1", previous_holder_action="archive",
    )  # fmt: skip
    assert [(e.version, e.decision, e.from_stage, e.to_stage) for e in written] == [
        ("2", PROMOTED, "none", "production"),
        ("1", DISPLACED, "production", "archived"),
    ]
    assert written[1].model_extra["caused_by"] == written[0].sequence
    assert read_ledger(model).stages() == {"1": "archived", "2": "production"}
