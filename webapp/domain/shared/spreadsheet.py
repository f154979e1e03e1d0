"""CSV for people who open it in a spreadsheet (Excel, WPS): UTF-8 with a byte-order mark,
so that Chinese is not read as the system's code page, and no cell that runs as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """A text cell that a spreadsheet would run as a formula (a place named "=HYPERLINK(…)")
    gets a leading apostrophe, which spreadsheets show as text and do not display."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def write_rows(out, rows: Iterable[Iterable], *, bom: bool = True, **dialect) -> None:
    """Every row to the text stream `out`, each cell made safe."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, **dialect)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])


def csv_text(rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    write_rows(out, rows)
    return out.getvalue()
