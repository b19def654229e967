"""One hierarchy for everything a user can fix: each error says where the problem is.

Commands catch `ClaimsError` alone; its message is what the user sees, and whatever
raised it has written nothing.
"""

from __future__ import annotations


class ClaimsError(Exception):
    """Something the user can fix; nothing was written."""


class LoadError(ClaimsError):
    """Bad input, located by file, line and field, so the user can fix it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"field '{self.field}': " if self.field else ""
        return f"{where}{field}{self.message}"


class WriterBusy(LoadError):
    """Another process holds the database's write lock for longer than we wait."""


class CheckpointError(LoadError):
    """Committed changes that could not be moved from the write-ahead log into the file.

    Unlike every other ClaimsError, something *was* written: it is safe in the log, and
    the next write command (or `datasette claims checkpoint`) finishes the move.
    """


class ClaimsWarning(UserWarning):
    """Something the user should know that stopped nothing (a skipped file, a busy reader)."""


class ReviewError(ClaimsError, ValueError):
    """A person's decision (review, link, merge, split) that cannot be recorded."""


class LinkError(ReviewError):
    """A link decision naming a claim or proposition that does not exist, or cannot move."""
