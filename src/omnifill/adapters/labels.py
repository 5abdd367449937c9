"""4×6 inch shipping labels as PDF, drawn with reportlab; the tracking number is a Code 128 barcode."""

from __future__ import annotations

from io import BytesIO

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from omnifill.domain.shipping import Parcel, ShippingLabel

PAGE = (4 * inch, 6 * inch)  # 288 × 432 points: the thermal label printers' stock
MARGIN = 0.15 * inch
BARCODE_HEIGHT = 1.1 * inch


def render_label(label: ShippingLabel) -> bytes:
    """One page per parcel; `invariant` keeps the bytes the same for the same label (no creation timestamp)."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=True)
    canvas.setTitle(f"{label.carrier} {label.tracking_number}")
    canvas.setAuthor("omnifill")
    for number, parcel in enumerate(label.parcels, start=1):
        _page(canvas, label, parcel, number)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas: Canvas, label: ShippingLabel, parcel: Parcel, number: int) -> None:
    width, height = PAGE
    top = height - MARGIN
    _block(canvas, "FROM", label.ship_from, MARGIN, top, size=8)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawRightString(width - MARGIN, top - 8, label.shipped_on.isoformat())
    canvas.line(MARGIN, top - 62, width - MARGIN, top - 62)
    _block(canvas, "SHIP TO", label.ship_to, MARGIN, top - 76, size=12)
    canvas.line(MARGIN, top - 170, width - MARGIN, top - 170)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(MARGIN, top - 192, label.carrier.upper())
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(MARGIN, top - 210, label.service.replace("_", " ").upper())
    routing = "  ".join(f"{k.upper()} {v}" for k, v in sorted(label.routing.items()))
    canvas.drawRightString(width - MARGIN, top - 192, routing)
    canvas.setFont("Helvetica", 10)
    canvas.drawRightString(width - MARGIN, top - 210,
                           f"{parcel.weight_kg.normalize():f} kg   parcel {number} of {len(label.parcels)}")
    _barcode(canvas, label.tracking_number, top - 232 - BARCODE_HEIGHT)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(MARGIN, MARGIN, f"ref {label.reference}")


def _block(canvas: Canvas, title: str, lines: tuple[str, ...], x: float, y: float, size: int) -> None:
    canvas.setFont("Helvetica-Bold", 7)
    canvas.drawString(x, y - 7, title)
    canvas.setFont("Helvetica-Bold" if size > 10 else "Helvetica", size)
    for row, line in enumerate(lines[:5], start=1):
        canvas.drawString(x, y - 7 - row * (size + 3), line[:48])


def _barcode(canvas: Canvas, tracking_number: str, y: float) -> None:
    """The widest bars that fit between the margins, centred, with the number printed beneath."""
    width, _ = PAGE
    probe = Code128(tracking_number, barWidth=1.0, quiet=False)
    bar_width = min(2.0, (width - 2 * MARGIN) / probe.width)
    barcode = Code128(tracking_number, barWidth=bar_width, barHeight=BARCODE_HEIGHT, quiet=False,
                      humanReadable=True, fontSize=11)
    barcode.drawOn(canvas, (width - barcode.width) / 2, y)
