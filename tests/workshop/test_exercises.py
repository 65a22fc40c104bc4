"""Exercise generation: the convention, the drift check and the checks' pass/fail behaviour."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from lib.config import NOTEBOOKS_DIR, PROJECT_ROOT, STATE_DIR
from workshop.checks import check, check_answer
from workshop.exercises import (
    SOLUTIONS_DIR,
    ExerciseError,
    assigned_names,
    build_notebooks,
    chapters,
    find_exercises,
    generate,
    todo_source,
)
from workshop.record import RECORD_MIME

pytestmark = pytest.mark.unit

SOLUTION = (
    "# Exercise: name the variant that triggers SMOTE.\n"
    "# Hint: look at the minority share.\n"
    'answer = "imbalanced"'
)
CHECK = 'check_answer("smote_variant", answer, "imbalanced", hint="under 30 %")'


def _chapter(tmp_path: Path, cells: list, name: str = "07_try.ipynb") -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    path = folder / name
    nbformat.write(nb, path)
    return path


def _solution_cell(source: str = SOLUTION):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["solution"]
    return cell


def _valid_cells() -> list:
    header = nbformat.v4.new_markdown_cell("# 07 · Try")
    params = nbformat.v4.new_code_cell('VARIANT = "original"')
    params.metadata["tags"] = ["parameters"]
    return [header, params, _solution_cell(), nbformat.v4.new_code_cell(CHECK)]


def test_committed_exercises_are_up_to_date():
    changed = generate(write=False)
    assert not changed, f"run `make exercises` and commit: {[str(p) for p in changed]}"


def test_a_chapter_edit_without_regenerating_is_detected(tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks, ignore=shutil.ignore_patterns("params"))
    workshop = tmp_path / "workshop"
    shutil.copytree(PROJECT_ROOT / "workshop" / "exercises", workshop / "exercises")
    assert generate(notebooks, workshop, write=False) == []
    chapter = notebooks / "01_train_a_model.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    solution = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []))
    solution.source += "\nextra = 1"
    nbformat.write(nb, chapter)
    drift = generate(notebooks, workshop, write=False)
    assert drift == [workshop / "exercises" / chapter.name]  # solutions are build output


def test_chapter_01_has_exercises_and_every_exercise_has_a_check():
    found = find_exercises(NOTEBOOKS_DIR / "01_train_a_model.ipynb")
    assert len(found) >= 2
    for chapter in chapters():
        find_exercises(chapter)  # raises ExerciseError on a broken convention


def test_solution_cell_becomes_a_todo_with_hint_and_placeholders():
    source = "# Exercise: do it.\n# Hint: like this.\nimport math\na, b = 1, 2\nc: int = a + b\n"
    assert assigned_names(source) == ("a", "b", "c")
    todo = todo_source(source)
    assert todo.splitlines() == [
        "# TODO: do it.",
        "# Hint: like this.",
        "a = ...  # your answer",
        "b = ...  # your answer",
        "c = ...  # your answer",
    ]


def test_generated_pair_keeps_tags_and_blanks_only_solutions(tmp_path):
    chapter = _chapter(tmp_path, _valid_cells())
    built = build_notebooks(chapter)
    exercise, solution = built["exercises"], built["solutions"]
    assert exercise.cells[0].source == "# 07 · Try"  # the header stays first
    assert "Workshop exercises" in exercise.cells[1].source
    assert exercise.cells[2].metadata["tags"] == ["parameters"]
    todo = exercise.cells[3]
    assert todo.metadata["tags"] == ["exercise"]
    assert todo.source.startswith("# TODO: name the variant")
    assert 'answer = "imbalanced"' not in todo.source
    assert exercise.cells[4].source == CHECK
    assert solution.cells[3].source == SOLUTION


def test_the_record_cell_is_left_out_of_the_exercises(tmp_path):
    recorded = nbformat.v4.new_code_cell('record("07", answer=answer)')
    recorded.metadata["tags"] = ["record"]
    built = build_notebooks(_chapter(tmp_path, [*_valid_cells(), recorded]))
    assert not any("record(" in c.source for c in built["exercises"].cells)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([_solution_cell("answer = 1"), nbformat.v4.new_code_cell(CHECK)], "# Exercise"),
        ([_solution_cell(), nbformat.v4.new_code_cell("print(answer)")], "check()"),
        ([_solution_cell(), nbformat.v4.new_code_cell("check('x', y, bool, hint='')")], "reads"),
        ([_solution_cell("# Exercise: a\n# Hint: b\nprint(1)")], "assign"),
    ],
)
def test_broken_exercise_cells_are_rejected_with_the_fix(tmp_path, cells, message):
    chapter = _chapter(tmp_path, [nbformat.v4.new_markdown_cell("# 07"), *cells])
    with pytest.raises(ExerciseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find_exercises(chapter)


def test_solutions_go_to_the_build_folder_and_stale_files_are_removed(tmp_path):
    chapter = _chapter(tmp_path, _valid_cells())
    workshop, solutions = tmp_path / "workshop", tmp_path / "state" / "build" / "solutions"
    assert generate(chapter.parent, workshop, solutions_dir=solutions) == [
        workshop / "exercises" / chapter.name,
        solutions / chapter.name,
    ]
    assert not (workshop / "solutions").exists()
    stale = [workshop / "exercises" / "09_gone.ipynb", solutions / "09_gone.ipynb"]
    for path in stale:
        path.write_text("{}")
    assert generate(chapter.parent, workshop, solutions_dir=solutions) == stale
    assert not any(path.exists() for path in stale)
    assert generate(chapter.parent, workshop, solutions_dir=solutions) == []


def test_solutions_are_not_committed():
    assert not (PROJECT_ROOT / "workshop" / "solutions").exists()
    assert SOLUTIONS_DIR.is_relative_to(STATE_DIR)


def test_unanswered_wrong_and_broken_answers_fail_with_the_hint():
    unanswered = check_answer("x", ..., 3, hint="count again")
    assert not unanswered.passed and "not answered" in unanswered.message
    assert "count again" in str(unanswered)
    assert not check_answer("x", 4, 3, hint="h").passed
    broken = check("y", 5, lambda a: a.message == "m", hint="a Refusal")
    assert not broken.passed and "could not use" in broken.message
    assert check_answer("x", 3, 3, hint="h").passed


def test_a_check_records_its_result_for_tests():
    bundle = check_answer("predict", 1, 2, hint="h")._repr_mimebundle_()
    assert bundle[RECORD_MIME] == {"check_predict": False}
    assert "Not yet" in bundle["text/html"] and "h" in bundle["text/html"]
