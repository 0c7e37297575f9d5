"""Typed exceptions: the library raises these, only the CLI turns them into exit codes."""

from __future__ import annotations


class FocusshiftError(Exception):
    """Base class for every error focusshift reports to a user."""


class TranscriptError(FocusshiftError):
    """A transcript that cannot be read or parsed; carries the file and the 1-based line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # picklable, so it can come back from a worker process
        return (type(self), (self.path, self.line, self.message))


class LexiconError(FocusshiftError):
    """A rule file that does not validate; carries the file and the 1-based line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return (type(self), (self.path, self.line, self.message))


class ConfigError(FocusshiftError):
    """A bad --config file or option value."""


class InternalError(FocusshiftError):
    """A bug of focusshift's met while reading or analyzing one file; that file fails, the run goes on.

    Carries the traceback as text (picklable, so it can come back from a
    worker); the CLI shows it only under --debug.
    """

    def __init__(self, path: str, message: str, traceback: str = "") -> None:
        self.path = path
        self.line = None
        self.message = message
        self.traceback = traceback
        super().__init__(f"{path}: {message}")

    def __reduce__(self):
        return (type(self), (self.path, self.message, self.traceback))
