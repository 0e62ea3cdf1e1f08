"""What every part of the package editor shares: the error, the limits, the value type."""

from __future__ import annotations

CellValue = int | float | str | None

MAX_TOTAL_SIZE = 200 * 1024 * 1024
MAX_PART_SIZE = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TEXT = 32_767  # Excel's limit for the text of one cell
DEFLATE_LEVEL = 6

_CONTENT_TYPES = "[Content_Types].xml"
_DEFAULT_WORKBOOK = "xl/workbook.xml"
_CHUNK = 1 << 20


class WorkbookFormatError(Exception):
    """The package cannot be edited safely; the message (Chinese) names the sheet, cell or part."""
