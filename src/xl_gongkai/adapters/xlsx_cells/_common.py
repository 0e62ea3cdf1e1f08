"""What every part of the package editor shares: the error, the limits, the value type."""

from __future__ import annotations

from ..package_zip import MAX_CARRIED_PART, MAX_TOTAL

CellValue = int | float | str | None

MAX_TOTAL_SIZE = MAX_TOTAL  # a rewrite holds every part of the clerk's file
MAX_PART_SIZE = MAX_CARRIED_PART
MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_TEXT = 32_767  # Excel's limit for the text of one cell

CONTENT_TYPES = "[Content_Types].xml"
DEFAULT_WORKBOOK = "xl/workbook.xml"


class WorkbookFormatError(Exception):
    """The package cannot be edited safely; the message (Chinese) names the sheet, cell or part."""
