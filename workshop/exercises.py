"""Generate workshop exercise and solution notebooks from a chapter's ``solution`` cells.

How a chapter declares an exercise (three cells, in this order):

1. a markdown cell that states the task;
2. a code cell tagged ``solution`` that starts with comment lines ``# Exercise: <task>`` and
   ``# Hint: <hint>`` (either may continue on further ``#`` lines) and then assigns the answer to
   one or more names at top level;
3. its **check cell**, the next code cell: it calls :func:`workshop.checks.check` or
   :func:`~workshop.checks.check_answer` on those names.

``state/build/solutions/NN_name.ipynb`` is the chapter with a banner: a build output, not
committed (the chapter itself is the answer key). In the committed
``workshop/exercises/NN_name.ipynb`` each solution cell becomes a TODO cell: the comment block,
with ``Exercise:`` turned into ``TODO:``, and ``name = ...`` for every name the solution
assigned. The check cell of an unsolved exercise therefore sees ``...`` and reports a fail with
its hint, and "Run All" still completes. Chapters without a ``solution`` cell get no files.

Regenerating is deterministic: :func:`generate` with ``write=False`` lists the exercise files
that would change, which is how the drift test (and ``make exercises-check``) fails when a
chapter was edited without regenerating.
"""

from __future__ import annotations

import ast
import copy
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lib.config import BUILD_DIR, NOTEBOOKS_DIR, PROJECT_ROOT
from workshop.record import RECORD_TAG

WORKSHOP_DIR = PROJECT_ROOT / "workshop"
SOLUTIONS_DIR = BUILD_DIR / "solutions"
"""Where the solution notebooks are written (git-ignored, like all kit state)."""
SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
CHECK_FUNCTIONS = frozenset({"check", "check_answer"})
CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"


class ExerciseError(ValueError):
    """A chapter's exercise cells do not follow the convention (the message says how to fix it)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise found in a chapter."""

    chapter: str
    cell_index: int
    task: str
    hint: str
    names: tuple[str, ...]


def chapters(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Return the chapter notebooks (``01_…`` and up; ``00_setup_check`` is not a chapter)."""
    return [p for p in sorted(notebooks_dir.glob(CHAPTER_GLOB)) if not p.name.startswith("00_")]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _header(source: str) -> tuple[list[str], str, str]:
    """Split a solution cell's leading comment block; return (lines, task, hint)."""
    lines = []
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    task = hint = ""
    current = None
    for line in lines:
        text = line.lstrip("#").strip()
        if text.lower().startswith("exercise:"):
            current, task = "task", text.split(":", 1)[1].strip()
        elif text.lower().startswith("hint:"):
            current, hint = "hint", text.split(":", 1)[1].strip()
        elif current == "task":
            task += " " + text
        elif current == "hint":
            hint += " " + text
    return lines, task.strip(), hint.strip()


def assigned_names(source: str) -> tuple[str, ...]:
    """Return the names a cell assigns at top level, in order, without repeats."""
    names: list[str] = []

    def add(target: ast.expr) -> None:
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                add(element)

    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add(target)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            add(node.target)
    return tuple(names)


def calls_a_check(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in CHECK_FUNCTIONS:
                return True
    return False


def find_exercises(chapter: Path) -> list[Exercise]:
    """Return a chapter's exercises, or raise :class:`ExerciseError` naming the broken cell."""
    nb = nbformat.read(chapter, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        if SOLUTION_TAG not in _tags(cell):
            continue
        where = f"{chapter.name}, cell {index}"
        if cell.cell_type != "code":
            raise ExerciseError(f"{where}: a solution cell must be a code cell")
        _, task, hint = _header(cell.source)
        if not task or not hint:
            raise ExerciseError(f"{where}: start the cell with '# Exercise: …' and '# Hint: …'")
        names = assigned_names(cell.source)
        if not names:
            raise ExerciseError(f"{where}: assign the answer to a name the check cell reads")
        following = [c for c in nb.cells[index + 1 :] if c.cell_type == "code"]
        if not following or not calls_a_check(following[0].source):
            raise ExerciseError(f"{where}: the next code cell must call check() or check_answer()")
        if not any(name in following[0].source for name in names):
            raise ExerciseError(f"{where}: the check cell reads none of {', '.join(names)}")
        found.append(Exercise(chapter.stem, index, task, hint, names))
    return found


def todo_source(source: str) -> str:
    """Return the TODO cell that replaces a solution cell."""
    lines, _, _ = _header(source)
    header = [
        line.replace("Exercise:", "TODO:", 1) if "Exercise:" in line else line for line in lines
    ]
    stubs = [f"{name} = ...  # your answer" for name in assigned_names(source)]
    return "\n".join(header + stubs)


def _banner(chapter: Path, kind: str, count: int) -> nbformat.NotebookNode:
    name = chapter.name
    if kind == "exercises":  # committed in workshop/exercises/; the solutions are build output
        lead = (
            f"**Workshop exercises — {count} in this chapter.** This is chapter "
            f"[`{name}`](../../notebooks/{name}) with each exercise's answer blanked. Fill in "
            "every `# TODO` cell, run it, then run the check cell under it: it says **Pass** "
            "or **Not yet**, with a hint."
        )
        other = (
            f"The solutions: [`state/build/solutions/{name}`](../../state/build/solutions/{name}),"
            " written by `make exercises`"
        )
    else:  # written to SOLUTIONS_DIR, wherever the state folder is
        chapter_link = os.path.relpath(NOTEBOOKS_DIR / name, SOLUTIONS_DIR)
        lead = (
            f"**Workshop solutions — {count} in this chapter.** This is chapter "
            f"[`{name}`]({chapter_link}) with every exercise solved; each check cell passes."
        )
        exercises_link = os.path.relpath(WORKSHOP_DIR / "exercises" / name, SOLUTIONS_DIR)
        other = f"The exercises: [`workshop/exercises/{name}`]({exercises_link})"
    text = (
        f"> {lead} {other}.\n>\n"
        "> Generated by `make exercises` from the chapter: edit the chapter, not this file."
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell["id"] = f"workshop-{kind}-banner"
    return cell


def _clean(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def build_notebooks(chapter: Path) -> dict[str, nbformat.NotebookNode]:
    """Return ``{"exercises": nb, "solutions": nb}`` for a chapter, or ``{}`` without exercises."""
    exercises = find_exercises(chapter)
    if not exercises:
        return {}
    nb = nbformat.read(chapter, as_version=4)
    solved = copy.deepcopy(nb)
    solved.cells = [_clean(c) for c in nb.cells]
    solved.cells.insert(1, _banner(chapter, "solutions", len(exercises)))
    unsolved = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        cell = _clean(cell)
        tags = _tags(cell)
        if RECORD_TAG in tags:
            continue  # what the chapter records for its tests is not the learner's business
        if SOLUTION_TAG in tags:
            cell.source = todo_source(cell.source)
            cell.metadata["tags"] = [EXERCISE_TAG if t == SOLUTION_TAG else t for t in tags]
        cells.append(cell)
    cells.insert(1, _banner(chapter, "exercises", len(exercises)))
    unsolved.cells = cells
    return {"exercises": unsolved, "solutions": solved}


def generate(
    notebooks_dir: Path = NOTEBOOKS_DIR,
    workshop_dir: Path = WORKSHOP_DIR,
    write: bool = True,
    solutions_dir: Path = SOLUTIONS_DIR,
) -> list[Path]:
    """Write every chapter's exercise and solution files (``write=False``: compare exercises).

    Returns the paths that changed (or would change), including stale generated files left by a
    chapter that was renamed or lost its exercises (removed when writing). Solutions are build
    output, so only a write touches them, and the comparison looks at the exercises alone.
    """
    folders = {"exercises": workshop_dir / "exercises", "solutions": solutions_dir}
    kinds = ("exercises", "solutions") if write else ("exercises",)
    wanted: dict[Path, str] = {}
    for chapter in chapters(notebooks_dir):
        for kind, nb in build_notebooks(chapter).items():
            if kind not in kinds:
                continue
            text = nbformat.writes(nb)
            wanted[folders[kind] / chapter.name] = text if text.endswith("\n") else text + "\n"
    changed = []
    for path, text in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for kind in kinds:
        for path in sorted(folders[kind].glob(CHAPTER_GLOB)):
            if path not in wanted:
                changed.append(path)
                if write:
                    path.unlink()
    return changed
