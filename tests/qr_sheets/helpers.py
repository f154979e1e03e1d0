"""Reading the PDFs back: render pages with pdfium, decode codes with zxing, look at the bytes."""

import io
import re

import pypdf
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageDraw

from qr_sheets import SheetItem

MM = 72 / 25.4  # points per mm


def items(count: int, prefix: str = "T", **overrides) -> list[SheetItem]:
    """Distinct, realistic entrances; URLs are unique per prefix."""
    out = []
    for i in range(count):
        fields = dict(
            url=f"http://127.0.0.1:8000/q/{prefix}{i:03d}xyz9KLm",
            community="八一社区",
            compound=["微波宿舍", "八一小区", "航天科工二院职工宿舍"][i % 3],
            building=f"{i % 12 + 1}号楼",
            entrance=f"{i % 5 + 1}单元" if i % 4 else None,
            hotline="010-6851 2345",
            hotline_24h="010-6851 9999" if i % 2 else None,
        )
        fields.update(overrides)
        out.append(SheetItem(**fields))
    return out


def render_pages(pdf: bytes, dpi: float) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


def decode(image: Image.Image) -> list:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def decode_texts(image: Image.Image) -> list[str]:
    return sorted(r.text for r in decode(image))


def qr_texts_in_pdf(pdf: bytes) -> list[str]:
    """Every QR code on every page, as text. Only QR codes are looked for: with every
    format on, zxing about once in 40 label sheets finds a false Micro QR code."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [r.text for page in doc for r in decode(page.render(scale=2).to_pil())]
    finally:
        doc.close()


def crop_mm(image: Image.Image, box, dpi: float, grow: float = 0.0) -> Image.Image:
    """Part of a rendered page; box = (x, y, w, h) in mm from the top-left corner."""
    px = dpi / 25.4
    x, y, w, h = box
    return image.crop((round((x - grow) * px), round((y - grow) * px),
                       round((x + w + grow) * px), round((y + h + grow) * px)))


def blank_outside(image: Image.Image, boxes, dpi: float, grow: float = 0.0) -> bool:
    """True if nothing is drawn on the page outside the given boxes (mm)."""
    px = dpi / 25.4
    masked = image.copy()
    draw = ImageDraw.Draw(masked)
    for x, y, w, h in boxes:
        draw.rectangle(((x - grow) * px, (y - grow) * px, (x + w + grow) * px,
                        (y + h + grow) * px), fill=255)
    return masked.getextrema()[0] >= 250


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_contents(pdf: bytes) -> list[bytes]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.get_contents().get_data() for page in reader.pages]


_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>")


def operators(content: bytes) -> list[bytes]:
    """Tokens of a content stream with string operands taken out."""
    return _STRING.sub(b" ", content).split()


def image_xobjects(pdf: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    count = 0
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                count += 1
    return count


def font_descriptors(pdf: bytes) -> list[dict]:
    """Every font dictionary used by any page, with its descriptor (descendant fonts followed)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    seen, out = set(), []
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            key = id(font)
            if key in seen:
                continue
            seen.add(key)
            descriptor = font.get("/FontDescriptor")
            for child in font.get("/DescendantFonts", []):
                descriptor = child.get_object().get("/FontDescriptor", descriptor)
            out.append({"BaseFont": str(font.get("/BaseFont")), "Subtype": font.get("/Subtype"),
                        "descriptor": descriptor.get_object() if descriptor else None})
    return out
