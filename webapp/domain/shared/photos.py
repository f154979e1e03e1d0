"""Resident and staff photos: only real images, re-encoded, EXIF gone, size capped."""

from __future__ import annotations

import io
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.domain.shared.tokens import new_file_name
from webapp.extensions import db
from webapp.models import ReportPhoto

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"}
JPEG_QUALITY = 85
STORED_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class PhotoRejected(DomainRefused, ValueError):
    """The upload is not a photo we can keep; str() is a message for the resident."""


@dataclass(frozen=True)
class ProcessedPhoto:
    jpeg: bytes
    width: int
    height: int


def process_photo(data: bytes, *, max_edge: int = 2048, max_pixels: int = 40_000_000):
    """Check that `data` is an image and return it re-encoded as a plain JPEG (no metadata)."""
    if not data:
        raise PhotoRejected(_l("The photo file is empty."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except Image.DecompressionBombError as exc:
        raise PhotoRejected(_l("This photo has too many pixels.")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoRejected(_l("This file is not a photo we can read.")) from exc
    if image_format not in ACCEPTED_FORMATS:
        raise PhotoRejected(_l("Please send a JPG, PNG or WebP photo."))
    if width * height > max_pixels:
        raise PhotoRejected(_l("This photo has too many pixels."))

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (max_edge, max_edge))  # JPEG: decode at a reduced scale
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_edge, max_edge))
            image = _flatten(image)
            # Only the pixels go on: Pillow writes a comment it read (a JPEG COM segment, a
            # PNG "comment" text chunk) back into the JPEG, markup or personal data included.
            image.info = {}
            out = io.BytesIO()
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoRejected(_l("This file is not a photo we can read.")) from exc
    return ProcessedPhoto(out.getvalue(), image.width, image.height)


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent areas become white; everything ends up as RGB."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def save_photo(folder: str | Path, photo: ProcessedPhoto) -> str:
    """Write the JPEG under a random name and return that name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = new_file_name(".jpg")
    tmp = folder / (name + ".part")
    tmp.write_bytes(photo.jpeg)
    os.replace(tmp, folder / name)
    return name


def photo_path(folder: str | Path, stored_name: str) -> Path:
    if not stored_name or not set(stored_name) <= STORED_NAME_CHARS or stored_name[0] == ".":
        raise ValueError("bad photo name")
    return Path(folder) / stored_name


def load_photo(folder: str | Path, stored_name: str) -> ProcessedPhoto:
    path = photo_path(folder, stored_name)
    with Image.open(path) as image:
        return ProcessedPhoto(path.read_bytes(), image.width, image.height)


def delete_photos(folder: str | Path, names) -> None:
    for name in names:
        try:
            photo_path(folder, name).unlink(missing_ok=True)
        except ValueError:
            pass


# A form that fails validation for another reason keeps the photos that were fine, so the
# resident does not have to choose them again. They wait here under the submission key.

def _pending_folder(upload_root: str | Path, submission_key: str) -> Path:
    return Path(upload_root) / "pending" / submission_key


PENDING_MAX_AGE_SECONDS = 24 * 3600


def keep_pending(upload_root, submission_key: str, photos) -> list[str]:
    prune_pending(upload_root)
    folder = _pending_folder(upload_root, submission_key)
    return [save_photo(folder, photo) for photo in photos]


def prune_pending(upload_root, max_age: float = PENDING_MAX_AGE_SECONDS) -> int:
    """Forget the kept photos of forms that were abandoned; returns how many folders went."""
    root = Path(upload_root) / "pending"
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age
    removed = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def load_pending(upload_root, submission_key: str, names) -> list[tuple[str, ProcessedPhoto]]:
    """The kept photos among `names`; a name that is not in this key's folder is ignored."""
    folder = _pending_folder(upload_root, submission_key)
    found = []
    for name in dict.fromkeys(names):
        try:
            if photo_path(folder, name).is_file():
                found.append((name, load_photo(folder, name)))
        except (ValueError, OSError):
            continue
    return found


def clear_pending(upload_root, submission_key: str) -> None:
    shutil.rmtree(_pending_folder(upload_root, submission_key), ignore_errors=True)


# --- where report photos live, and files no report names ----------------------------------

def upload_folder_for_reports(upload_root: str | Path) -> Path:
    return Path(upload_root) / "reports"


def upload_folder_for_consultations(upload_root: str | Path) -> Path:
    """A consultation's photos (一事一议): apart from reports', whose strays are swept."""
    return Path(upload_root) / "consultations"


STRAY_PHOTO_GRACE = timedelta(hours=1)


def stray_photo_files(upload_root: str | Path, now: datetime) -> list[Path]:
    """Report photo files that no row names: a worker stopped between writing the file and
    committing the report. Only files older than the grace period count, so a report being
    saved right now keeps its photos."""
    folder = upload_folder_for_reports(upload_root)
    if not folder.is_dir():
        return []
    cutoff = (now - STRAY_PHOTO_GRACE).timestamp()
    old = [path for path in folder.iterdir()
           if path.is_file() and path.stat().st_mtime < cutoff]
    stray = [path for path in old if path.name.endswith(".part")]
    photos = [path for path in old if not path.name.endswith(".part")]
    for start in range(0, len(photos), 500):
        batch = {path.name: path for path in photos[start:start + 500]}
        named = set(db.session.scalars(
            select(ReportPhoto.stored_name).where(ReportPhoto.stored_name.in_(batch))))
        stray += [path for name, path in batch.items() if name not in named]
    return sorted(stray)
