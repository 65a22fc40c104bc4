"""Which tests share a pytest-xdist worker under ``--dist loadgroup`` (``make test``).

- Every test that uses the ``chain`` fixture is in the group ``chain``: the chapter chain runs
  once per session, so all its tests must run where it ran. They come first in the collection,
  in their order; when the group starts is pytest-xdist's choice (it sorts groups by their
  number of tests; see ``tests/README.md``).
- Every other test is grouped by its file, as ``--dist loadfile`` would: a file's module-scoped
  fixtures (a trained model, a started service) are then built once, not on both workers.

pytest-xdist 3.8 tells its scheduler a test's group by appending ``@<group>`` to the test's id,
which it sets as ``item._nodeid``; pytest 9.2 keeps the id in ``item._id``, so that assignment
is lost and every test is scheduled on its own (pytest-dev/pytest-xdist#1386). The hook below
appends the suffix itself, on whichever attribute this pytest uses; ``tests/test_xdist_groups.py``
checks the result with two real workers.
"""

from __future__ import annotations

import pytest

CHAIN_FIXTURE = CHAIN_GROUP = "chain"


def _group_of(item: pytest.Item) -> str:
    marks = [m.args[0] if m.args else m.kwargs.get("name", "default") for m in
             item.iter_markers("xdist_group")]  # fmt: skip
    if marks:
        return "_".join(sorted(map(str, marks)))
    if CHAIN_FIXTURE in getattr(item, "fixturenames", ()):
        return CHAIN_GROUP
    return item.nodeid.split("::", 1)[0]


def _set_group_suffix(item: pytest.Item, group: str) -> None:
    if "@" in item.nodeid.rsplit("]", 1)[-1]:
        return  # pytest-xdist set it already
    nodeid = f"{item.nodeid}@{group}"
    if hasattr(item, "_id"):  # pytest >= 9.2: a structured id
        item._id = type(item._id).parse(nodeid)
    else:
        item._nodeid = nodeid


def group_by_file_and_chain(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each item with its xdist group; move the chain's tests to the front.

    Under ``--dist loadgroup`` on a worker, also give each test id its ``@<group>`` suffix.
    """
    chained, others = [], []
    for item in items:
        group = _group_of(item)
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
        (chained if group == CHAIN_GROUP else others).append(item)
    items[:] = chained + others
    if config.getoption("loadgroup", default=False):  # set by pytest-xdist on its workers
        for item in items:
            _set_group_suffix(item, _group_of(item))
