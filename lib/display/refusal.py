"""A refusal shown on purpose: the chapter calls what should be refused and shows why it was.

:func:`expect_refusal` catches only the exception types it is told to expect, found anywhere in
the chain ZenML raises (an init hook's exception arrives wrapped in a ``HookExecutionException``).
Anything else, a learner's ``NameError`` say, raises as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ExceptionTypes = type[BaseException] | tuple[type[BaseException], ...]


class NotRefusedError(RuntimeError):
    """Raised by :func:`expect_refusal` when the call it expected to be refused succeeded."""


@dataclass
class Refusal:
    """A refusal shown on purpose: what was tried and the error that stopped it."""

    action: str
    error_type: str
    message: str

    def _repr_markdown_(self) -> str:
        return f"**Refused** — {self.action}\n\n`{self.error_type}`:\n\n```\n{self.message}\n```"


def expect_refusal(
    action: str, expected: ExceptionTypes, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> Refusal:
    """Call ``fn`` expecting one of the ``expected`` errors; return it as a :class:`Refusal`.

    Args:
        action: What was tried, in words, for the display.
        expected: The exception type(s) that mean "refused"; matched against every error in the
            chain that was raised. Any other error propagates unchanged.
        fn: The call to make, with ``*args`` and ``**kwargs``.

    Raises:
        NotRefusedError: when ``fn`` returned instead of being refused.
    """
    try:
        fn(*args, **kwargs)
    except Exception as error:
        refusal = next((e for e in error_chain(error) if isinstance(e, expected)), None)
        if refusal is None:
            raise
        # the deepest cause that says something (a library's own error may carry no message)
        root = next((e for e in reversed(error_chain(refusal)) if str(e).strip()), refusal)
        return Refusal(action=action, error_type=type(root).__name__, message=str(root))
    raise NotRefusedError(f"expected a refusal but it succeeded: {action}")


def error_chain(error: BaseException) -> list[BaseException]:
    """Return ``error`` and its ``__cause__``/``__context__`` chain, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def root_cause(error: BaseException) -> BaseException:
    """Return the innermost exception of ``error``'s chain."""
    return error_chain(error)[-1]
