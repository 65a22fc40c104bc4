"""Pinned ZenML sources for the library types the kit stores most: no distribution scan each time.

ZenML 0.98 records the type of every stored object. For a type from an installed package it
finds the package with ``importlib.metadata.packages_distributions()``, a walk over every
installed distribution (0.7 s on a quiet 2-core machine, 3-4 s on a busy one), on every call: a
training run stores seven DataFrames, Series and scikit-learn pipelines, and pays it each time.

:func:`pin_type_source` gives a class the source ZenML would compute, once, through the
attribute ZenML's ``source_utils.resolve`` reads first (``__zenml_source__``, the one ZenML sets
itself on objects defined in notebooks). The recorded source is identical, so artifacts load as
before. Importing this module pins ``pd.DataFrame``, ``pd.Series`` and scikit-learn's
``Pipeline``; subclasses and other types are resolved by ZenML as usual.
"""

from __future__ import annotations

import importlib.metadata

import pandas as pd
from sklearn.pipeline import Pipeline
from zenml.config.source import DistributionPackageSource, SourceType
from zenml.utils.source_utils import ZENML_SOURCE_ATTRIBUTE_NAME


class _SourceOfThisClassOnly:
    """A class attribute that holds a ZenML source for one class; subclasses don't inherit it."""

    def __init__(self, owner: type, source: DistributionPackageSource) -> None:
        self.owner, self.source = owner, source

    def __get__(self, instance: object, owner: type) -> DistributionPackageSource:
        if instance is None and owner is self.owner:
            return self.source
        raise AttributeError(ZENML_SOURCE_ATTRIBUTE_NAME)


def pin_type_source(cls: type, distribution: str) -> DistributionPackageSource:
    """Give ``cls`` (from the installed ``distribution``) the source ZenML would resolve for it.

    ZenML's own resolution finds the distribution by scanning all installed ones on every call;
    naming it here skips the scan. Subclasses are resolved by ZenML as usual.
    """
    source = DistributionPackageSource(
        module=cls.__module__,
        attribute=cls.__qualname__,
        package_name=distribution,
        version=importlib.metadata.version(distribution),
        type=SourceType.DISTRIBUTION_PACKAGE,
    )
    setattr(cls, ZENML_SOURCE_ATTRIBUTE_NAME, _SourceOfThisClassOnly(cls, source))
    return source


for _cls in (pd.DataFrame, pd.Series):
    pin_type_source(_cls, "pandas")
pin_type_source(Pipeline, "scikit-learn")
