"""Draws the app icons in static/icons (committed as files): a red square, rounded or full
bleed for "maskable", with a white 办 and three QR finder patterns. Run after changing the
look: .venv/bin/python -m webapp.pwa.icons"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent.parent
FONT = ROOT / "fonts" / "NotoSansSC-Bold.ttf"
OUT = ROOT / "static" / "icons"
RED = (0xB3, 0x26, 0x1E, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4


def draw(size: int, *, maskable: bool = False, rounded: bool = True,
         finders: bool = True) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable or not rounded:
        pen.rectangle([0, 0, big, big], fill=RED)
    else:
        pen.rounded_rectangle([0, 0, big - 1, big - 1], radius=int(big * 0.22), fill=RED)
    # A maskable icon may be cut to a circle: everything stays inside the middle 80 %.
    inner = big * (0.68 if maskable else 0.8)
    off = (big - inner) / 2
    if finders:
        side = inner * 0.22
        unit = side / 7
        for x, y in ((off, off), (off + inner - side, off), (off, off + inner - side)):
            pen.rectangle([x, y, x + side, y + side], fill=WHITE)
            pen.rectangle([x + unit, y + unit, x + side - unit, y + side - unit], fill=RED)
            pen.rectangle([x + 2 * unit, y + 2 * unit, x + side - 2 * unit, y + side - 2 * unit],
                          fill=WHITE)
    font = ImageFont.truetype(str(FONT), int(inner * (0.6 if finders else 0.74)))
    box = pen.textbbox((0, 0), "办", font=font)
    width, height = box[2] - box[0], box[3] - box[1]
    pen.text(((big - width) / 2 - box[0], (big - height) / 2 - box[1]), "办", font=font,
             fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


def save(image: Image.Image, name: str, opaque: bool = False) -> None:
    if opaque:
        image = image.convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT)
    else:
        image = image.quantize(colors=32, method=Image.Quantize.FASTOCTREE)
    image.save(OUT / name, optimize=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    save(draw(192), "icon-192.png")
    save(draw(512), "icon-512.png")
    save(draw(192, maskable=True), "maskable-192.png", opaque=True)
    save(draw(512, maskable=True), "maskable-512.png", opaque=True)
    save(draw(180, rounded=False), "apple-touch-icon.png", opaque=True)  # iOS rounds it
    save(draw(32, finders=False), "favicon-32.png")
    draw(48, finders=False).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
