"""Who may import whom, read from the source with ``ast`` (nothing is imported or run).

The rule (the README's architecture section draws it):

- no import cycles among the modules of ``lib/``, ``governance/``, ``workshop/`` and ``scripts/``;
- ``governance`` imports none of ``lib``, ``workshop``, ``scripts``, ``tests``;
- ``lib`` imports none of ``workshop``, ``scripts``, ``tests``;
- every third-party package those folders import is declared, pinned, in ``pyproject.toml``.

Modules are discovered by walking the folders, so a module that moves is checked where it lands.
Every import counts, including those inside functions (they still make the design circular).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

from lib.config import PROJECT_ROOT

pytestmark = pytest.mark.unit

ROOMS = ("lib", "governance", "workshop", "scripts")
"""The folders whose modules are checked (``tests/`` may import anything)."""

LOCAL_TOPS = (*ROOMS, "tests", "notebooks")

FORBIDDEN = {
    "governance": {"lib", "workshop", "scripts", "tests"},
    "lib": {"workshop", "scripts", "tests"},
}


@dataclass(frozen=True)
class Import:
    """One imported name as written in a file, and the kit module it resolves to (if any)."""

    source: str  # importing module, e.g. "governance.servers"
    path: Path
    line: int
    name: str  # absolute dotted name, e.g. "governance.release.endpoints"
    room: str  # top-level folder it belongs to ("lib", "tests", ...), or "" if third-party
    target: str | None  # the kit module it resolves to, None if outside the kit


def _is_package(folder: Path, root: Path) -> bool:
    """True if ``folder`` and every folder between it and ``root`` hold an ``__init__.py``."""
    while folder != root and root in folder.parents:
        if not (folder / "__init__.py").exists():
            return False
        folder = folder.parent
    return True


def discover(root: Path) -> dict[str, Path]:
    """Every module under the checked folders, by dotted name (``scripts.benchmarks.realtime``)."""
    modules = {}
    for room in ROOMS:
        for path in sorted((root / room).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _script_names(root: Path) -> dict[str, str]:
    """Bare module names that only exist because a script or test folder is on ``sys.path``.

    ``scripts/`` and ``tests/`` are plain folders: ``python scripts/x.py`` and pytest put them on
    ``sys.path``, so ``import release_helpers`` finds ``tests/release/release_helpers.py``.
    """
    names = {}
    for top in ("scripts", "tests"):
        for path in (root / top).rglob("*.py"):
            if not _is_package(path.parent, root):
                names.setdefault(path.stem, top)
    return names


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The deepest kit module that ``name`` (or a prefix of it) names."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def read_imports(root: Path) -> list[Import]:
    """Every import statement in the checked folders, resolved against the kit's own modules."""
    modules = discover(root)
    script_names = _script_names(root)
    third_party = set(importlib.metadata.packages_distributions())
    found = []
    for source, path in modules.items():
        is_init = path.name == "__init__.py"
        package = source if is_init else source.rpartition(".")[0]
        in_script_folder = not _is_package(path.parent, root)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [(a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.module == "__future__":
                    continue
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from pkg import sub`` imports the submodule ``pkg.sub`` when there is one.
                names = [(base, a.name) for a in node.names]
            else:
                continue
            for name, member in names:
                top = name.split(".")[0]
                if in_script_folder and (path.parent / f"{top}.py").exists():
                    # A sibling in a script's own folder: ``python scripts/x.py`` finds it first.
                    folder = ".".join(path.parent.relative_to(root).parts)
                    name = f"{folder}.{name}"
                    top = name.split(".")[0]
                full = f"{name}.{member}" if member and member != "*" else name
                target = _resolve(full, modules)
                if top in LOCAL_TOPS:
                    room = top
                elif (
                    top in script_names
                    and top not in sys.stdlib_module_names
                    and top not in third_party
                ):
                    room = script_names[top]
                else:
                    room = ""
                found.append(Import(source, path, node.lineno, full, room, target))
    return found


def layering_violations(imports: list[Import], root: Path) -> list[str]:
    """Imports that cross the rule: governance → lib/workshop/scripts/tests, lib → ..."""
    out = []
    for imp in imports:
        room = imp.source.split(".")[0]
        if imp.room in FORBIDDEN.get(room, ()):
            out.append(f"{imp.path.relative_to(root)}:{imp.line}: {room} imports {imp.name}")
    return sorted(out)


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """Every cycle among kit modules, as ``[a, b, ..., a]`` (a self-import is not one)."""
    graph = nx.DiGraph()
    graph.add_edges_from(
        (imp.source, imp.target) for imp in imports if imp.target and imp.target != imp.source
    )
    cycles = []
    for cycle in nx.simple_cycles(graph):
        start = cycle.index(min(cycle))  # begin each cycle at the same module, for stable output
        cycle = cycle[start:] + cycle[:start]
        cycles.append([*cycle, cycle[0]])
    return sorted(cycles)


def _where(imports: list[Import], cycle: list[str], root: Path) -> str:
    """The file and line of each import along ``cycle``."""
    steps = []
    for a, b in zip(cycle, cycle[1:], strict=False):
        lines = sorted(
            {
                f"{i.path.relative_to(root)}:{i.line}"
                for i in imports
                if i.source == a and i.target == b
            }
        )
        steps.append(f"    {a} → {b}  ({', '.join(lines)})")
    return "\n".join(steps)


@functools.cache
def _kit_imports() -> list[Import]:
    return read_imports(PROJECT_ROOT)


def test_no_import_cycles():
    imports = _kit_imports()
    cycles = import_cycles(imports)
    report = "\n".join(f"  {' → '.join(c)}\n{_where(imports, c, PROJECT_ROOT)}" for c in cycles)
    assert not cycles, f"import cycles:\n{report}"


def test_governance_and_lib_import_only_what_the_rule_allows():
    violations = layering_violations(_kit_imports(), PROJECT_ROOT)
    assert not violations, "layering rule broken:\n  " + "\n  ".join(violations)


def test_every_room_is_discovered():
    modules = discover(PROJECT_ROOT)
    rooms = {name.split(".")[0] for name in modules}
    assert {"lib", "governance", "scripts"} <= rooms, rooms
    assert len(modules) > 50, f"only {len(modules)} modules found: is discovery broken?"


# The checker itself, on a small tree made for the purpose: it must see what it claims to see.
def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_checker_finds_cycles_through_relative_and_from_imports(tmp_path):
    root = _tree(
        tmp_path,
        {
            "governance/__init__.py": "",
            "governance/a.py": "def f():\n    from governance.pkg import b\n",
            "governance/pkg/__init__.py": "from . import b\n",
            "governance/pkg/b.py": "from ..a import f\n",
            "lib/__init__.py": "import governance.a\n",
            "scripts/tool.py": "import helper\n",
            "scripts/helper.py": "import tool\n",
        },
    )
    cycles = import_cycles(read_imports(root))
    assert sorted(sorted(set(c)) for c in cycles) == [
        ["governance.a", "governance.pkg.b"],
        ["scripts.helper", "scripts.tool"],
    ]


def test_the_checker_finds_imports_that_cross_the_rule(tmp_path):
    root = _tree(
        tmp_path,
        {
            "governance/__init__.py": "",
            "governance/a.py": "from lib import config\n",
            "lib/__init__.py": "",
            "lib/config.py": "import governance.a\n",
            "lib/b.py": "def f():\n    import release_helpers\n    from workshop.x import y\n",
            "tests/release/release_helpers.py": "",
            "scripts/run.py": "import lib.config\n",
        },
    )
    assert layering_violations(read_imports(root), root) == [
        "governance/a.py:1: governance imports lib.config",
        "lib/b.py:2: lib imports release_helpers",
        "lib/b.py:3: lib imports workshop.x.y",
    ]


# Packaging: what the code imports is what pyproject declares.
def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = {}
    for requirement in project["dependencies"]:
        name = re.split(r"[\[=<>~! ;]", requirement, maxsplit=1)[0]
        declared[_canonical(name)] = requirement
    return declared


def test_every_third_party_import_is_declared_and_pinned():
    distributions = importlib.metadata.packages_distributions()
    declared = _declared()
    missing, unpinned = set(), set()
    for imp in _kit_imports():
        top = imp.name.split(".")[0]
        if imp.room or top in sys.stdlib_module_names:
            continue
        names = {_canonical(d) for d in distributions.get(top, [top])}
        hits = names & set(declared)
        if not hits:
            missing.add(
                f"{top} ({', '.join(sorted(names))}) in {imp.path.relative_to(PROJECT_ROOT)}"
            )
        unpinned |= {declared[n] for n in hits if "==" not in declared[n]}
    assert not missing, "imported but not declared in pyproject's dependencies:\n  " + "\n  ".join(
        sorted(missing)
    )
    assert not unpinned, f"pin these like the rest (==): {sorted(unpinned)}"
