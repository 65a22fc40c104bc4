"""Check cells for exercises: each says pass or fail, with a hint, and never crashes.

An exercise's TODO cell starts as ``answer = ...`` (Python's ``Ellipsis``). A check cell passes
that answer to :func:`check_answer` or :func:`check`; an unanswered or broken answer gives a
*fail* with the hint, so "Run All" on an unsolved exercise notebook completes and every check
reports what is left to do. The result is also recorded (:data:`workshop.record.RECORD_MIME`) so
tests read pass/fail back from an executed notebook.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workshop.record import RECORD_MIME

NOT_ANSWERED = "not answered yet: replace the `...` in the TODO cell above and run it"


def check_key(exercise: str) -> str:
    """Return the record key under which an exercise's result is stored (``check_<exercise>``)."""
    return f"check_{exercise}"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check."""

    exercise: str
    passed: bool
    message: str
    hint: str = ""

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        text = f"{verdict} {self.exercise}: {self.message}"
        return text if self.passed or not self.hint else f"{text}\nHint: {self.hint}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if self.passed:
            body = f"✅ <b>Pass</b> — {html.escape(self.message)}"
            colour = "#1a7f37"
        else:
            body = f"❌ <b>Not yet</b> — {html.escape(self.message)}"
            if self.hint:
                body += f"<br><i>Hint:</i> {html.escape(self.hint)}"
            colour = "#cf222e"
        return {
            "text/html": f'<div style="border-left:4px solid {colour};padding:4px">{body}</div>',
            "text/plain": str(self),
            RECORD_MIME: {check_key(self.exercise): self.passed},
        }


def is_answered(answer: Any) -> bool:
    """Return False while a TODO's placeholder ``...`` is still in place."""
    return answer is not Ellipsis


def check(
    exercise: str,
    answer: Any,
    test: Callable[[Any], bool],
    *,
    hint: str,
    success: str = "well done.",
) -> CheckResult:
    """Pass when ``test(answer)`` is true; fail (with ``hint``) when unanswered, false or raising.

    Args:
        exercise: a short identifier, unique within the chapter (``predict_branches``).
        answer: the value the learner's TODO cell produced.
        test: a predicate on the answer; an exception it raises counts as a fail.
        hint: what to look at when the check fails.
        success: what to say when it passes.
    """
    if not is_answered(answer):
        return CheckResult(exercise, False, NOT_ANSWERED, hint)
    try:
        passed = bool(test(answer))
    except Exception as error:  # noqa: BLE001 - a broken answer is a fail, not a crash
        return CheckResult(exercise, False, f"the check could not use your answer ({error})", hint)
    if passed:
        return CheckResult(exercise, True, success)
    return CheckResult(exercise, False, "not quite.", hint)


def check_answer(
    exercise: str,
    answer: Any,
    expected: Any,
    *,
    hint: str,
    success: str = "that is what the kit does.",
) -> CheckResult:
    """Pass when ``answer == expected``; otherwise fail with ``hint`` (the answer is not shown)."""
    return check(exercise, answer, lambda value: value == expected, hint=hint, success=success)
