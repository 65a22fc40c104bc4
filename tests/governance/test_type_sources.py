"""Recording a DataFrame's type costs no scan of the installed distributions.

ZenML 0.98 resolves the source of a stored object's type with
``importlib.metadata.packages_distributions()`` (a walk over every installed distribution). The
kit pins the sources of ``pd.DataFrame`` and ``pd.Series`` to what ZenML itself would record.
"""

from __future__ import annotations

import importlib.metadata

import pandas as pd
import pytest
from zenml.utils import source_utils

import governance.materializers.dataframe as dataframe

pytestmark = pytest.mark.unit


def _scan_refused(*args, **kwargs):
    raise AssertionError("packages_distributions() was called")


@pytest.mark.parametrize("cls", [pd.DataFrame, pd.Series], ids=lambda c: c.__name__)
def test_resolving_a_pinned_type_scans_no_distribution(cls, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "packages_distributions", _scan_refused)
    source = source_utils.resolve(cls)
    assert source.package_name == "pandas"
    assert source_utils.load(source) is cls


@pytest.mark.parametrize("cls", [pd.DataFrame, pd.Series], ids=lambda c: c.__name__)
def test_the_pinned_source_is_the_one_zenml_records_itself(cls, monkeypatch):
    pinned = source_utils.resolve(cls)
    monkeypatch.delattr(cls, source_utils.ZENML_SOURCE_ATTRIBUTE_NAME)
    assert source_utils.resolve(cls).model_dump() == pinned.model_dump()


def test_a_subclass_and_an_instance_do_not_inherit_the_pin():
    class Frame(pd.DataFrame):
        pass

    assert getattr(Frame, source_utils.ZENML_SOURCE_ATTRIBUTE_NAME, None) is None
    frame = pd.DataFrame({"a": [1]})
    assert getattr(frame, source_utils.ZENML_SOURCE_ATTRIBUTE_NAME, None) is None
    assert dataframe.pin_type_source(pd.DataFrame, "pandas").attribute == "DataFrame"
