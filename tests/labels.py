"""Reading a label PDF back: its pages, its text, and what its Code 128 barcode says when its bars are decoded."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader
from reportlab.graphics.barcode.code128 import _patterns  # type: ignore[attr-defined]  # its symbol table

_BAR = re.compile(r"^n ([\d.]+) [\d.]+ ([\d.]+) [\d.]+ re f\*?$", re.MULTILINE)  # a filled rectangle: one bar
# Code 128's symbol widths in reportlab's notation: capitals are bars, small letters spaces, a=1 … d=4 modules.
_SYMBOLS = {pattern: value for value, pattern in _patterns.items()}
_START = {103: "A", 104: "B", 105: "C"}
# Code set changes, per set: in C the values up to 99 are digit pairs, so 99 there is "99", not a change.
_SWITCH = {"A": {99: "C", 100: "B"}, "B": {99: "C", 101: "A"}, "C": {100: "B", 101: "A"}}
_STOP = 106


def pages(pdf: bytes) -> list[tuple[float, float, str]]:
    """(width, height, text) of each page, in points."""
    return [(float(p.mediabox.width), float(p.mediabox.height), p.extract_text())
            for p in PdfReader(BytesIO(pdf)).pages]


def barcode_of(pdf: bytes, page: int = 0) -> str:
    """Decode the bars drawn on a page as Code 128: start code, symbols, checksum and stop must all hold."""
    stream = PdfReader(BytesIO(pdf)).pages[page].get_contents()
    assert stream is not None
    bars = [(float(x), float(w)) for x, w in _BAR.findall(stream.get_data().decode("latin-1"))]
    assert bars, "no bars on the page"
    module = min(w for _, w in bars)
    widths: list[int] = []
    for (x, w), following in zip(bars, [*bars[1:], None], strict=True):
        widths.append(round(w / module))
        if following is not None:
            widths.append(round((following[0] - x - w) / module))
    values = []
    while widths:
        size = 7 if len(widths) == 7 else 6  # the stop symbol has a fourth bar
        pattern = "".join("abcd"[n - 1].upper() if i % 2 == 0 else "abcd"[n - 1] for i, n in enumerate(widths[:size]))
        values.append(_SYMBOLS[pattern])
        widths = widths[size:]
    return _text(values)


def _text(values: list[int]) -> str:
    start, *data, check, stop = values
    assert stop == _STOP
    assert (start + sum(i * v for i, v in enumerate(data, start=1))) % 103 == check, "the checksum does not hold"
    code_set, text = _START[start], ""
    for value in data:
        if value in _SWITCH[code_set]:
            code_set = _SWITCH[code_set][value]
        elif code_set == "C":
            text += f"{value:02d}"
        else:
            text += chr(value + 32) if code_set == "B" or value < 64 else chr(value - 64)
    return text
