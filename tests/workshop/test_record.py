"""Unit tests: the values a chapter records travel in the executed notebook."""

import json

import nbformat
import pytest

from workshop.record import RECORD_MIME, read_records

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
