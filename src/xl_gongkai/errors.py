"""The one error type that reaches a user: a Chinese message that names the place and says what to do."""

from __future__ import annotations


class InputError(Exception):
    """Input that cannot be read at all (not findings about its content).

    The message is shown to the clerk as is: it names the file and, where known, the sheet and cell
    or the table/row/column, and says what to do. The command-line exit code is 2.
    """

    def __init__(self, message: str, *, place: str | None = None) -> None:
        super().__init__(message)
        self.place = place

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.place}：{text}" if self.place else text


class Refused(Exception):
    """A command that will not proceed because of the report's content (exit code 1).

    Export refuses while any 错误 stands or a 提示 lacks an explanation; the message names them.
    """
