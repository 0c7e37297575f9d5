"""A file that could not be analyzed: a result like any other, so that one bad file never stops a batch."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FocusshiftError, InternalError, TranscriptError


@dataclass(frozen=True)
class Failure:
    """A file that could not be analyzed, with where and why."""

    path: str
    error: FocusshiftError

    @property
    def line(self) -> int | None:
        return self.error.line if isinstance(self.error, TranscriptError) else None

    @property
    def message(self) -> str:
        if isinstance(self.error, (TranscriptError, InternalError)):
            return self.error.message
        return str(self.error)

    @property
    def traceback(self) -> str:
        """The traceback of an internal error (shown under --debug), else ''."""
        return self.error.traceback if isinstance(self.error, InternalError) else ""
