"""Recording a DataFrame's type costs no scan of the installed distributions.

ZenML 0.98 resolves the source of a stored object's type with
``importlib.metadata.packages_distributions()`` (a walk over every installed distribution). The
kit pins the sources of ``pd.DataFrame``, ``pd.Series`` and scikit-learn's ``Pipeline`` to what
ZenML itself would record.
"""

from __future__ import annotations

import importlib.metadata

import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from zenml.utils import source_utils

from governance.materializers import type_sources

pytestmark = pytest.mark.unit


def _scan_refused(*args, **kwargs):
    raise AssertionError("packages_distributions() was called")


PINNED = [(pd.DataFrame, "pandas"), (pd.Series, "pandas"), (Pipeline, "scikit-learn")]


@pytest.mark.parametrize(("cls", "distribution"), PINNED, ids=lambda c: getattr(c, "__name__", c))
def test_resolving_a_pinned_type_scans_no_distribution(cls, distribution, monkeypatch):
    monkeypatch.setattr(importlib.metadata, "packages_distributions", _scan_refused)
    source = source_utils.resolve(cls)
    assert source.package_name == distribution
    assert source_utils.load(source) is cls


@pytest.mark.parametrize(("cls", "distribution"), PINNED, ids=lambda c: getattr(c, "__name__", c))
def test_the_pinned_source_is_the_one_zenml_records_itself(cls, distribution, monkeypatch):
    pinned = source_utils.resolve(cls)
    monkeypatch.delattr(cls, source_utils.ZENML_SOURCE_ATTRIBUTE_NAME)
    assert source_utils.resolve(cls).model_dump() == pinned.model_dump()


def test_a_subclass_and_an_instance_do_not_inherit_the_pin():
    class Frame(pd.DataFrame):
        pass

    assert getattr(Frame, source_utils.ZENML_SOURCE_ATTRIBUTE_NAME, None) is None
    frame = pd.DataFrame({"a": [1]})
    assert getattr(frame, source_utils.ZENML_SOURCE_ATTRIBUTE_NAME, None) is None
    assert type_sources.pin_type_source(pd.DataFrame, "pandas").attribute == "DataFrame"
