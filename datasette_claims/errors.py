"""The one error type the loader raises: it always says where the problem is."""

from __future__ import annotations


class LoadError(Exception):
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
