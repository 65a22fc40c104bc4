"""Errors of a release across the staging → production boundary, each a one-line message."""

from __future__ import annotations


class ReleaseError(RuntimeError):
    """A release step refused or failed; the message says why in one line."""


class UnknownModelError(ReleaseError):
    """The model or the requested version does not exist on that side."""


class UnreachableError(ReleaseError):
    """A side's server did not answer."""


class ImportConflictError(ReleaseError):
    """Production already holds a different version under the name this import would use."""


class StaleBundleError(ReleaseError):
    """Production refused a bundle that would move it backwards, or one exported too long ago."""


class RollbackError(ReleaseError):
    """The ledger names no version to roll back to, or the requested one is not eligible."""


class SideError(ReleaseError):
    """An operation failed in a side's process; ``kind`` is the original exception's type."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)
