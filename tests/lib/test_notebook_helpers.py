"""Unit tests: recording results in a notebook and showing refusals."""

import json

import nbformat
import pytest

from lib.notebook import RECORD_MIME, Refusal, expect_refusal, read_records, root_cause

pytestmark = pytest.mark.unit


def test_read_records_merges_every_record_and_later_values_win(tmp_path):
    nb = nbformat.v4.new_notebook()
    for payload in ({"a": 1, "b": 2}, {"b": 3}):
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={RECORD_MIME: payload, "text/plain": ""})
        ]
        nb.cells.append(cell)
    path = tmp_path / "executed.ipynb"
    path.write_text(json.dumps(nb))
    assert read_records(path) == {"a": 1, "b": 3}


def test_expect_refusal_reports_the_innermost_cause():
    def refuse():
        try:
            raise ValueError("model tags: missing owner_team:")
        except ValueError as inner:
            raise RuntimeError("Failed to execute init hook") from inner

    refusal = expect_refusal("train", refuse)
    assert refusal == Refusal("train", "ValueError", "model tags: missing owner_team:")
    assert "owner_team" in refusal._repr_markdown_()


def test_expect_refusal_fails_loudly_when_nothing_is_refused():
    with pytest.raises(AssertionError, match="expected a refusal"):
        expect_refusal("noop", lambda: None)


def test_root_cause_of_a_plain_error_is_itself():
    error = KeyError("x")
    assert root_cause(error) is error
