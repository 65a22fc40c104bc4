"""Slides: one command builds a reveal.js deck per chapter, with a slide per section heading."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import nbformat
import pytest

from lib.config import PROJECT_ROOT
from workshop.exercises import chapters
from workshop.slides import MAX_LINES, assign_slide_types


def _types(nb) -> list[str]:
    return [c.metadata["slideshow"]["slide_type"] for c in assign_slide_types(nb).cells]


@pytest.mark.unit
def test_headings_open_slides_and_answers_are_skipped():
    solution = nbformat.v4.new_code_cell("# Exercise: x\n# Hint: y\nanswer = 1")
    solution.metadata["tags"] = ["solution"]
    recorded = nbformat.v4.new_code_cell('record("07", x=1)')
    recorded.metadata["tags"] = ["record"]
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# 07 · Title"),
            nbformat.v4.new_markdown_cell("text"),
            nbformat.v4.new_markdown_cell("## Step 1 — Do"),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell("### Exercise 1 — Think"),
            solution,
            nbformat.v4.new_code_cell('check_answer("x", answer, 1, hint="h")'),
            recorded,
            nbformat.v4.new_code_cell("\n".join(["y = 2"] * (MAX_LINES + 1))),
        ]
    )
    assert _types(nb) == [
        "slide",
        "-",
        "slide",
        "-",
        "subslide",
        "skip",
        "skip",
        "skip",
        "subslide",
    ]


@pytest.mark.pipeline  # starts a subprocess
def test_one_command_builds_every_chapter_with_its_sections(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "make_slides.py"),
            "--output-dir",
            tmp_path,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for chapter in chapters():
        deck = tmp_path / f"{chapter.stem}.slides.html"
        assert deck.is_file(), f"no slides for {chapter.name}"
        text = deck.read_text()
        nb = nbformat.read(chapter, as_version=4)
        headings = [
            line.lstrip("#").strip()
            for cell in nb.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()[:1]
            if re.match(r"^#{1,2}\s", line)
        ]
        assert headings, f"{chapter.name} has no # or ## heading"
        for heading in headings:
            plain = re.sub(r"[`*]", "", heading)
            assert html.escape(plain, quote=False) in text or plain in text, (deck.name, heading)
        assert text.count("<section") >= len(headings), deck.name
        for cell in nb.cells:
            if "solution" in cell.metadata.get("tags", []):
                code = [line for line in cell.source.splitlines() if not line.startswith("#")]
                answer = max(code, key=len).strip()
                assert html.escape(answer) not in text, f"{deck.name} shows a solution"
