"""Unit tests: a refusal shown on purpose catches only what it was told to expect."""

import pytest

from lib.display.refusal import NotRefusedError, Refusal, expect_refusal, root_cause

pytestmark = pytest.mark.unit


def _wrapped_refusal():
    try:
        raise ValueError("model tags: missing owner_team:")
    except ValueError as inner:
        raise RuntimeError("Failed to execute init hook") from inner


def test_expect_refusal_reports_the_innermost_cause():
    refusal = expect_refusal("train", ValueError, _wrapped_refusal)
    assert refusal == Refusal("train", "ValueError", "model tags: missing owner_team:")
    assert "owner_team" in refusal._repr_markdown_()


def test_expect_refusal_matches_an_outer_error_of_the_chain_too():
    assert expect_refusal("train", (KeyError, RuntimeError), _wrapped_refusal).error_type == (
        "ValueError"
    )


def test_an_unexpected_error_is_not_shown_as_a_refusal():
    def typo():
        return undefined_name  # noqa: F821 - a learner's slip

    with pytest.raises(NameError):
        expect_refusal("train", ValueError, typo)


def test_expect_refusal_fails_loudly_when_nothing_is_refused():
    with pytest.raises(NotRefusedError, match="expected a refusal"):
        expect_refusal("noop", ValueError, lambda: None)


def test_root_cause_of_a_plain_error_is_itself():
    error = KeyError("x")
    assert root_cause(error) is error
