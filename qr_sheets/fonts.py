"""Finding and registering a CJK TrueType font for the PDFs.

reportlab embeds TrueType fonts as subsets by itself (only the glyphs a document uses), but it
reads TrueType outlines only: an OpenType font with CFF outlines (most Noto CJK .otf/.ttc files)
is refused, so candidates are checked before use. A font is loaded and registered once per
process; every later document reuses it.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

ENV_VAR = "MASHANG_QR_FONT"
REGULAR_FILE = "NotoSansSC-Regular.ttf"
BOLD_FILE = "NotoSansSC-Bold.ttf"
REPO_FONTS = Path(__file__).resolve().parent.parent / "fonts"
"""Where `make setup` puts Noto Sans SC (copied from the npm package @expo-google-fonts)."""

SYSTEM_FONTS: tuple[tuple[str, str | None], ...] = (
    # (regular, bold or None); TTC collections and CFF-outline files are checked on use
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSansSC-Bold.ttf"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None),
    ("/System/Library/Fonts/STHeiti Medium.ttc", None),
    ("/Library/Fonts/Arial Unicode.ttf", None),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
    ("C:/Windows/Fonts/simhei.ttf", None),
)

_PROBE = "码上办扫报事"
_HELP = (
    "Run `make setup` (copies Noto Sans SC from npm into fonts/) or set "
    f"{ENV_VAR} to a CJK TrueType font file (.ttf or .ttc with TrueType outlines)."
)
_lock = threading.Lock()


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font; the message says how to get one."""


def _truetype_faces(path: str) -> list[int]:
    """Indexes of the faces in a TTF/TTC file that have TrueType (glyf) outlines."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12:
            return []
        if head[:4] == b"ttcf":
            (count,) = struct.unpack(">I", head[8:12])
            offsets = struct.unpack(f">{min(count, 64)}I", f.read(4 * min(count, 64)))
        elif head[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
            offsets = (0,)
        else:
            return []
        faces = []
        for index, offset in enumerate(offsets):
            f.seek(offset + 4)
            (tables,) = struct.unpack(">H", f.read(2))
            f.seek(offset + 12)
            directory = f.read(16 * tables)
            tags = {directory[i : i + 4] for i in range(0, len(directory), 16)}
            if b"glyf" in tags and b"loca" in tags:
                faces.append(index)
        return faces


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, size: int) -> TTFont:
    """The TTFont of the first TrueType face in `path` that has Chinese glyphs.

    Raises ValueError saying why the file is unusable. Cached per file version.
    """
    try:
        faces = _truetype_faces(path)
    except OSError as e:
        raise ValueError(f"cannot read it ({e.strerror or e})") from e
    if not faces:
        raise ValueError("not a TrueType font (CFF/PostScript outlines are not supported)")
    digest = hashlib.sha1(f"{path}|{mtime_ns}|{size}".encode()).hexdigest()[:10]
    for index in faces:
        try:
            font = TTFont(f"MashangQR-{digest}-{index}", path, subfontIndex=index)
        except TTFError:
            continue
        if all(ord(ch) in font.face.charToGlyph for ch in _PROBE):
            return font
    raise ValueError("has no Chinese glyphs (or reportlab cannot read it)")


def _font(path: str) -> TTFont:
    st = os.stat(path)
    return _load(os.path.abspath(path), st.st_mtime_ns, st.st_size)


def _usable(path: str | os.PathLike | None) -> tuple[bool, str]:
    if path is None:
        return False, "not given"
    path = os.fspath(path)
    if not os.path.isfile(path):
        return False, f"{path}: no such file"
    try:
        _font(path)
    except ValueError as e:
        return False, f"{path}: {e}"
    return True, ""


def _pair(regular: str, bold: str | None) -> tuple[str, str]:
    return regular, bold if bold and _usable(bold)[0] else regular


def _from_dir(folder: str | os.PathLike) -> tuple[tuple[str, str] | None, str]:
    folder = Path(folder)
    regular, bold = folder / REGULAR_FILE, folder / BOLD_FILE
    ok, why = _usable(regular)
    if ok:
        return _pair(str(regular), str(bold)), ""
    if not folder.is_dir():
        return None, f"{folder}: no such folder"
    return None, why


def find_fonts(
    font_dir: str | os.PathLike | None = None, font_path: str | os.PathLike | None = None
) -> tuple[str, str]:
    """Paths of (regular, bold) CJK TrueType fonts; the same path twice when there is no bold.

    Search order: `font_path` (one TTF/TTC for both), `font_dir` (NotoSansSC-Regular.ttf and
    NotoSansSC-Bold.ttf), the MASHANG_QR_FONT environment variable (a file or such a folder), the
    repository's fonts/ folder, then common system CJK fonts. A font that is asked for explicitly
    (argument or environment) and is unusable raises FontNotFound instead of being skipped.
    """
    if font_path is not None:
        ok, why = _usable(font_path)
        if not ok:
            raise FontNotFound(f"font_path {why}. {_HELP}")
        return os.fspath(font_path), os.fspath(font_path)
    if font_dir is not None:
        pair, why = _from_dir(font_dir)
        if pair is None:
            raise FontNotFound(f"font_dir has no usable {REGULAR_FILE}: {why}. {_HELP}")
        return pair
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        if os.path.isdir(env):
            pair, why = _from_dir(env)
        else:
            ok, why = _usable(env)
            pair = (env, env) if ok else None
        if pair is None:
            raise FontNotFound(f"{ENV_VAR}={env!r} is not usable: {why}. {_HELP}")
        return pair
    tried = []
    pair, why = _from_dir(REPO_FONTS)
    if pair is not None:
        return pair
    tried.append(why)
    for regular, bold in SYSTEM_FONTS:
        ok, why = _usable(regular)
        if ok:
            return _pair(regular, bold)
        if os.path.exists(regular):
            tried.append(why)
    raise FontNotFound(
        "No CJK TrueType font found for the QR posters and labels (looked in "
        f"{REPO_FONTS} and the usual system folders"
        + ("; " + "; ".join(tried) if tried else "")
        + f"). {_HELP}"
    )


def register_fonts(
    font_dir: str | os.PathLike | None = None, font_path: str | os.PathLike | None = None
) -> tuple[str, str]:
    """Find the fonts and register them with reportlab (once per process); returns the
    (regular, bold) font names to pass to `canvas.setFont`."""
    names = []
    for path in find_fonts(font_dir, font_path):
        font = _font(path)
        with _lock:
            if font.fontName not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(font)
        names.append(font.fontName)
    return names[0], names[1]
