"""Sheets of an OpenDocument spreadsheet (.ods, LibreOffice's own format), read as rows.

A streaming read of ``content.xml`` with the standard library: only the cells a sheet holds are
kept, repeated empty rows and columns (LibreOffice writes every sheet as 1,048,576 x 16,384
cells, most of them "repeated") are counted, never expanded, and more than ``max_cells`` cells
is an error instead of a hang. Values come back as Python values the way openpyxl gives them
(float, bool, date/datetime, str, None), so :mod:`optimizer.inputs.xlsx_input` treats both alike.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any, Iterator
from xml.etree import ElementTree as ET

from optimizer.errors import InputError

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_X = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
#: content.xml larger than this (uncompressed) is refused: a zip bomb, not a group list.
MAX_XML_BYTES = 512 * 1024 * 1024
MAX_REPEAT = 1 << 20


def _repeat(el: ET.Element, attr: str) -> int:
    try:
        return max(1, min(int(el.get(_T + attr, "1")), MAX_REPEAT * 16))
    except ValueError:
        return 1


def _text(el: ET.Element) -> str:
    """The text of a cell: its paragraphs joined by line breaks, <text:s c="n"/> as spaces."""
    paras = []
    for p in el:
        if p.tag not in (_X + "p", _X + "h"):
            continue
        out: list[str] = []

        def walk(node: ET.Element) -> None:
            if node.text:
                out.append(node.text)
            for child in node:
                if child.tag == _X + "s":
                    try:
                        out.append(" " * max(1, min(int(child.get(_X + "c", "1")), 1000)))
                    except ValueError:
                        out.append(" ")
                elif child.tag == _X + "tab":
                    out.append("\t")
                elif child.tag == _X + "line-break":
                    out.append("\n")
                elif child.tag != "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation":
                    walk(child)
                if child.tail:
                    out.append(child.tail)

        walk(p)
        paras.append("".join(out))
    return "\n".join(paras)


def _value(cell: ET.Element) -> Any:
    kind = cell.get(_O + "value-type")
    if kind in ("float", "percentage", "currency"):
        try:
            return float(cell.get(_O + "value", ""))
        except ValueError:
            return _text(cell) or None
    if kind == "boolean":
        return cell.get(_O + "boolean-value", "").lower() == "true"
    if kind == "date":
        raw = cell.get(_O + "date-value", "")
        try:
            return dt.datetime.fromisoformat(raw) if "T" in raw else dt.date.fromisoformat(raw)
        except ValueError:
            return _text(cell) or None
    text = _text(cell)
    if text == "" and kind == "string":
        text = cell.get(_O + "string-value", "")  # some writers keep the text in an attribute
    return text if text != "" else None


class OdsBook:
    """The sheets of one .ods file: ``sheetnames`` and ``rows(name)``, like an openpyxl workbook."""

    def __init__(self, data: bytes, file: str, *, max_cells: int) -> None:
        self.file = file
        self._sheets: dict[str, list[tuple[int, list[Any]]]] = {}
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                info = z.getinfo("content.xml")
                if info.file_size > MAX_XML_BYTES:
                    raise InputError(f"the spreadsheet's content is {info.file_size // (1024 * 1024)} MB "
                                     "unpacked; is this the right file?", file=file)
                with z.open(info) as fh:
                    self._parse(fh, max_cells)
        except InputError:
            raise
        except Exception as exc:  # not a zip, no content.xml, broken XML, ...
            raise InputError(f"not a readable .ods spreadsheet ({type(exc).__name__}); is it a LibreOffice "
                             "spreadsheet saved as .ods and not encrypted?", file=file) from None

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        return iter(self._sheets[name])

    def close(self) -> None:
        pass

    def _parse(self, fh, max_cells: int) -> None:
        cells_seen = 0
        sheet: list[tuple[int, list[Any]]] | None = None
        row_no = 0
        row: list[Any] = []
        pending_empty = 0
        depth_cell = 0
        for event, el in ET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _T + "table":
                    sheet = []
                    self._sheets[el.get(_T + "name", f"Sheet{len(self._sheets) + 1}")] = sheet
                    row_no = 0
                elif tag == _T + "table-row":
                    row, pending_empty = [], 0
                elif tag in (_T + "table-cell", _T + "covered-table-cell"):
                    depth_cell += 1
                continue
            if tag in (_T + "table-cell", _T + "covered-table-cell"):
                depth_cell -= 1
                if depth_cell:
                    continue  # a cell inside a cell (an annotation's table): not ours
                value = _value(el)
                n = _repeat(el, "number-columns-repeated")
                if value is None:
                    pending_empty += n
                else:
                    cells_seen += pending_empty + n
                    if cells_seen > max_cells:
                        self._too_many(max_cells)
                    row.extend([None] * pending_empty)
                    row.extend([value] * n)
                    pending_empty = 0
                el.clear()
            elif tag == _T + "table-row" and sheet is not None:
                n = _repeat(el, "number-rows-repeated")
                if row:
                    cells_seen += len(row) * (n - 1)
                    if cells_seen > max_cells:
                        self._too_many(max_cells)
                    for i in range(n):
                        sheet.append((row_no + 1 + i, list(row)))
                row_no += n
                el.clear()
            elif tag == _T + "table":
                sheet = None
                el.clear()

    def _too_many(self, max_cells: int) -> None:
        raise InputError(f"a sheet holds more than {max_cells:,} cells; the inputs need a few per group "
                         "(is this the right file?)", file=self.file)
