"""Shared pieces of the hostile-input tests: the corpus, checks on answers and pages, the
"complete record or nothing" invariants over the database and the upload folder, and the
hypothesis strategies and settings."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, Phase, currently_in_test_context, event, settings
from hypothesis import strategies as st
from markupsafe import escape
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.conftest import app_secret, jpeg_bytes, png_header_bomb
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake, transitions
from webapp.domain.services import booking
from webapp.domain.shared import photos, tokens
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingStatus,
    Category,
    Entry,
    QrCode,
    Report,
    ReportAnswer,
    ReportEvent,
    ReportPhoto,
    ServiceType,
    Slot,
    Transfer,
    User,
)
from webapp.models.types import utcnow
from webapp.resident.forms import clean_text

# --- settings -----------------------------------------------------------------------------

# Deterministic (CI reruns the same examples), no example database on disk, no per-example
# deadline (the suite also runs on PostgreSQL). The fixtures (app, client, database copy)
# are shared by the examples of a test on purpose: the invariants hold over everything the
# examples leave behind.
# Shrinking a failure can take minutes with a database under each example; it is off unless
# MASHANG_FUZZ_SHRINK=1 (the unshrunk failing example is printed either way).
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target] +
    ([Phase.shrink] if os.environ.get("MASHANG_FUZZ_SHRINK") else []),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- the corpus ---------------------------------------------------------------------------

XSS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><svg/onload=alert(2)>",
    '<a href="javascript:alert(3)">点我</a>',
    "javascript:alert(4)",
    "</textarea><script>alert(5)</script>",
    '<iframe srcdoc="<script>alert(6)</script>"></iframe>',
    "{{ 7*7 }}{% raw %}",  # template syntax must stay text
    '<div hx-get="/staff/queue" hx-trigger="load">htmx</div>',
]
SQL = [
    "'; DROP TABLE report; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(5); --",
    "%' AND 1=0 UNION SELECT username, password_hash FROM \"user\" --",
]
WEIRD = [
    "\x00",
    "a\x00b漏水了",
    "\u202e\u2066漏水\u2069",  # bidi overrides
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "😀👨‍👩‍👧‍👦🏳️‍🌈",
    "\r\n\t\x0b\x0c\x1b[31m",
    "\ufeff\u200b\u200d\u2028\u2029",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+1+2", "-3+4", "@SUM(1)",
]
HOSTILE_TEXT = XSS + SQL + WEIRD

# Markup that must never reach a page as markup. Each is long enough (≥ 4 characters) to be a
# valid description and short enough (≤ 40) for the floor/room and name fields.
MARKUP = [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<script>alert('x')</script>",
    '<a href="javascript:alert(3)">j</a>',
    "</textarea><b id=inj>b</b>",
]


def traversal_names(marker: str, outside: Path) -> list[str]:
    """Photo file names that a careless upload would write somewhere it should not."""
    return [
        f"../../{marker}-up.jpg",
        f"..\\..\\{marker}-back.jpg",
        f"../../../../../../tmp/{marker}-tmp.jpg",
        f"{outside}/{marker}-abs.jpg",
        f"C:\\Windows\\{marker}-win.jpg",
        f"reports/../../{marker}-nested.jpg",
        f"{marker}\x00.jpg",
        f"<img src=x onerror=alert(1)>{marker}.jpg",
        f".{marker}-hidden.jpg",
        "x" * 300 + ".jpg",
        "",
    ]


# --- pictures -----------------------------------------------------------------------------

def image_bytes(fmt: str = "PNG", size=(40, 30), mode: str = "RGB", **options) -> bytes:
    colour = 1 if mode in ("1", "L", "P", "I;16") else (40, 120, 200)[:len(mode)]
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **options)
    return out.getvalue()


def jpeg_with_appended_html() -> bytes:
    return jpeg_bytes((32, 32)) + b"<script>alert('polyglot')</script><html><body onload=x>"


def jpeg_with_html_comment() -> bytes:
    """A valid JPEG whose COM segment holds markup: re-encoding must drop it."""
    data = jpeg_bytes((32, 32))
    comment = b"<script>alert('comment')</script>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return data[:2] + segment + data[2:]


def gif_js_polyglot() -> bytes:
    """GIF89a header that also parses as JavaScript (`GIF89a=...;alert(1)//`)."""
    gif = image_bytes("GIF", (16, 16), "P")
    return gif[:6] + b"/*" + gif[8:] + b"*/=1;alert('gif')//"


def gif_with_script_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (16, 16), 3).save(out, "GIF", comment=b"<script>alert('gif')</script>")
    return out.getvalue()


def png_with_text_comment() -> bytes:
    """A PNG whose text chunk is called 'comment': Pillow would carry it into a JPEG."""
    from PIL import PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("comment", "<script>alert('png')</script>")
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the image data."""
    found, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF and data[i + 1] != 0xDA:
        found.append(data[i + 1])
        i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return found


def svg_bytes() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def large_jpeg(width: int, height: int) -> bytes:
    """A real, plain (greyscale) JPEG of many pixels: small on the wire."""
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", quality=20)
    return out.getvalue()


SAMPLE_IMAGES = [
    jpeg_bytes((48, 32)),
    image_bytes("PNG"),
    image_bytes("PNG", mode="RGBA"),
    image_bytes("PNG", mode="I;16"),
    image_bytes("GIF", mode="P"),
    image_bytes("BMP"),
    image_bytes("WEBP"),
    image_bytes("TIFF"),
    image_bytes("ICO"),
    image_bytes("JPEG", mode="CMYK"),
]
POLYGLOTS = [jpeg_with_appended_html(), jpeg_with_html_comment(), gif_js_polyglot(),
             gif_with_script_comment(), svg_bytes(), png_header_bomb(),
             b"<?php system($_GET['c']); ?>", b"\xff\xd8\xff\xe0" + b"\x00" * 20, b"GIF89a"]


def truncated(data: bytes, share: float) -> bytes:
    return data[:int(len(data) * share)]


def mutated(data: bytes, changes) -> bytes:
    data = bytearray(data)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data)


# --- answers and pages --------------------------------------------------------------------

MESSAGE_MARKERS = ('class="field-error"', 'class="problem"', "problem-page")


def assert_answered(response, *, message: bool = True) -> None:
    """Never a 5xx; a refusal (4xx) comes with a message for the person, not a bare error."""
    status = response.status_code
    if currently_in_test_context():  # hypothesis counts the answers it got
        event(f"answered {status}")
    assert status < 500, f"server error {status}"
    assert status < 300 or status in (302, 303) or status >= 400, status
    if status >= 400 and message:
        body = response.get_data(as_text=True)
        assert any(marker in body for marker in MESSAGE_MARKERS), \
            f"{status} without a message: {body[:300]!r}"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and attrs.get("src") == "x":
            self.found.append("img[src=x]")
        drawn_by_us = tag == "svg" and "chart" in (attrs.get("class") or "").split()
        if (tag in ("svg", "iframe") and not drawn_by_us) or \
                (tag == "b" and attrs.get("id") == "inj"):
            self.found.append(tag)  # no template draws these but the board's own charts
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"{tag}[{name}=javascript:]")
            if name.startswith("hx-") and "/staff/queue" in (value or "") and tag == "div" \
                    and attrs.get("hx-trigger") == "load":
                self.found.append("div[hx-get] injected")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append("script with alert()")


def injected_elements(html: str) -> list[str]:
    """Elements or attributes in `html` that can only come from injected markup."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_escaped(html: str, text: str, *, where: str) -> None:
    """`text` (which holds markup) is on the page as text: escaped, never as markup."""
    assert not injected_elements(html), (where, injected_elements(html))
    if any(c in text for c in "<>\"'&"):
        assert text not in html, f"{text!r} unescaped on {where}"
    assert str(escape(text)) in html, f"{text!r} missing (escaped) from {where}"


# --- the database and the upload folder hold complete records only ---------------------------

def reports_folder(upload_root: Path) -> Path:
    return photos.upload_folder_for_reports(upload_root)


STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{24}\.jpg$")


def stored_files(upload_root: Path) -> set[str]:
    folder = reports_folder(upload_root)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def assert_reports_complete(upload_root: Path) -> None:
    """Every report has what filing it writes in one transaction: its number, the
    'submitted' event first, the accept clock of cycle 1; every photo row has its file (and
    every file its row); the status is the one the timeline arrived at."""
    db.session.rollback()
    db.session.expire_all()
    files = stored_files(upload_root)
    names = set()
    reports = db.session.scalars(select(Report).order_by(Report.id).options(
        selectinload(Report.events), selectinload(Report.milestones),
        selectinload(Report.photos).joinedload(ReportPhoto.event)))
    for report in reports:
        where = f"report {report.id}"
        assert report.number and report.tracking_token_hash and report.submission_key_hash, where
        events = report.events
        assert events, f"{where} has no events"
        assert (events[0].kind, events[0].to_status) == ("submitted", "submitted"), where
        assert any(m.cycle == 1 and m.name == "accept" for m in report.milestones), \
            f"{where} has no accept clock"
        moves = [e.to_status for e in events if e.to_status]
        assert report.status == moves[-1], f"{where}: status {report.status}, timeline {moves}"
        if any(e.kind == "rated" for e in events):
            assert report.rating in range(1, 6) and report.closed_at, where
        if report.status == "reopened":
            cycle = max(m.cycle for m in report.milestones)
            assert cycle > 1 and any(m.cycle == cycle and m.met_at is None
                                     for m in report.milestones), where
        for photo in report.photos:
            assert photo.event is not None and photo.event.report_id == report.id, where
            assert photo.stored_name in files, f"{where}: photo file {photo.stored_name} missing"
            assert STORED_NAME.match(photo.stored_name), photo.stored_name
            names.add(photo.stored_name)
    orphans = files - names
    assert not orphans, f"files without a photo row: {orphans}"
    strays = db.session.scalar(select(func.count(ReportEvent.id)).where(
        ReportEvent.report_id.not_in(select(Report.id))))
    assert not strays
    assert not db.session.scalar(select(func.count(ReportAnswer.id)).where(
        ReportAnswer.report_id.not_in(select(Report.id))))


def assert_bookings_consistent() -> None:
    """A slot's counter is its live bookings; a booking's status and times agree; every
    points transfer balances."""
    db.session.rollback()
    db.session.expire_all()
    for slot in db.session.scalars(select(Slot).options(selectinload(Slot.bookings))):
        live = sum(1 for b in slot.bookings if b.status == BookingStatus.BOOKED)
        assert slot.booked == live, f"slot {slot.id}: booked={slot.booked}, live={live}"
        assert 0 <= slot.booked <= slot.capacity
    for found in db.session.scalars(select(Booking)):
        assert found.token_hash and found.submission_key_hash and found.name and found.phone
        if found.status == BookingStatus.CANCELLED:
            assert found.cancelled_at is not None
        if found.status == BookingStatus.BOOKED:
            assert found.cancelled_at is None
    for transfer in db.session.scalars(select(Transfer).options(selectinload(Transfer.entries))):
        assert len(transfer.entries) >= 2 and sum(e.amount for e in transfer.entries) == 0
    assert not db.session.scalar(select(func.count(Entry.id)).where(
        Entry.transfer_id.not_in(select(Transfer.id))))


def assert_no_half_records(upload_root: Path) -> None:
    assert_reports_complete(upload_root)
    assert_bookings_consistent()


def row_counts() -> dict[str, int]:
    db.session.rollback()
    return {model.__name__: db.session.scalar(select(func.count(model.id)))
            for model in (Report, ReportEvent, ReportPhoto, ReportAnswer, Booking)}


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


# --- reports and bookings made directly, to post into ------------------------------------

def file_report(qr: QrCode, description: str = "楼道灯坏了，晚上很黑。", category="electricity",
                **fields):
    """A report filed through the domain, and its private tracking link."""
    key = tokens.new_submission_key()
    category_id = db.session.scalar(select(Category.id).where(Category.code == category))
    draft = intake.ReportDraft(submission_key=key, category_id=category_id,
                                 description=description, **fields)
    with unit_of_work():
        report, _created = intake.submit_report(qr, draft, [], None, secret=app_secret())
    return report, f"/t/{tokens.tracking_token(key, app_secret())}"


def staff(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def resolve(report: Report, note: str = "已修好。") -> None:
    """Dispatcher assigns, the handler accepts, arrives and resolves."""
    handler = staff("mateng")
    with unit_of_work():
        dispatch.assign(report, staff("dispatcher"), report.compound.partner_org, handler)
        transitions.accept(report, handler)
        if not report.category.is_major:
            transitions.arrive(report, handler)
        transitions.resolve(report, handler, note)


def roomy_slot(community_id: int, capacity: int = 200, days: int = 3) -> Slot:
    """An upcoming slot with many places, so that fuzzed bookings can succeed."""
    service = db.session.scalars(select(ServiceType).order_by(ServiceType.id)).first()
    with unit_of_work():
        slot, = booking.publish(service, community_id, utcnow() + timedelta(days=days),
                                capacity=capacity, runs_without_volunteer=True)
    return slot


# --- hypothesis strategies ----------------------------------------------------------------

class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()  # the field is not sent at all

odd_characters = st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Co", "So"))
weird_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=odd_characters, max_size=20),
    st.sampled_from(HOSTILE_TEXT),
    st.builds(lambda piece, n: piece * n,
              st.sampled_from(["x", "漏", "\x00", " ", "<", "😀", "\u202e", "9", "é"]),
              st.integers(0, 4000)),
    st.integers().map(str),
    st.sampled_from(["", " ", "²", "٣", "１２", "1e3", "-1", "0", "NaN", "None", "true", "[]",
                     "9" * 40, "9" * 5000]),
)
plausible_text = st.sampled_from(["二楼楼道的水管漏水，地上全是水。", "电梯不动了", "灯坏了好几天",
                                  "Street light out"])
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                        weird_text)
json_value = st.one_of(json_scalar, st.lists(json_scalar, max_size=3),
                       st.dictionaries(st.text(max_size=5), json_scalar, max_size=2))


upload_data = st.one_of(
    st.binary(max_size=600),
    st.sampled_from(SAMPLE_IMAGES + POLYGLOTS),
    st.builds(truncated, st.sampled_from(SAMPLE_IMAGES), st.floats(0, 1)),
    st.builds(mutated, st.sampled_from(SAMPLE_IMAGES),
              st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6)),
)
upload_names = st.one_of(
    st.sampled_from(["photo.jpg", "IMG_0001.JPG", "../../etc/passwd", "..\\..\\x.jpg",
                     "/etc/passwd", "C:\\boot.ini", "<img src=x onerror=alert(1)>.jpg",
                     "a\x00.jpg", "照片.png", "x.php", ".htaccess", " ", "x" * 255 + ".jpg"]),
    st.text(max_size=40),
)
upload_types = st.sampled_from(["image/jpeg", "image/png", "text/html", "image/svg+xml",
                                "application/octet-stream", "application/x-php", "", "x/y; a=b"])
upload = st.builds(lambda data, name, kind: (data, name, kind), upload_data, upload_names,
                   upload_types)


def field(text=weird_text):
    """What a field may carry: nothing, one value, the field sent twice or more, or a file."""
    return st.one_of(st.just(MISSING), text, text, st.lists(text, min_size=2, max_size=3),
                     upload)


def as_multipart(fields: dict) -> dict:
    """Turn drawn fields into what the test client posts: lists repeat a field, uploads are
    (bytes, name, type) triples."""
    data = {}
    for name, value in fields.items():
        if value is MISSING:
            continue
        if isinstance(value, list):
            data[name] = [_part(v) for v in value]
        else:
            data[name] = _part(value)
    return data


def _part(value):
    if isinstance(value, tuple):
        payload, name, kind = value
        return (io.BytesIO(payload), name, kind) if kind else (io.BytesIO(payload), name)
    return value


# Pictures that are fine to keep, whatever else they carry (markup after the end, in a
# comment): a form with them and nothing else wrong is accepted.
GOOD_IMAGES = [jpeg_bytes((48, 32)), image_bytes("PNG", mode="RGBA"), image_bytes("GIF", mode="P"),
               image_bytes("WEBP"), image_bytes("BMP"), jpeg_with_appended_html(),
               jpeg_with_html_comment(), gif_with_script_comment()]
good_upload = st.builds(lambda data, name, kind: (data, name, kind), st.sampled_from(GOOD_IMAGES),
                        upload_names.filter(lambda n: bool(n)), upload_types)


def text_within(min_size: int, max_size: int, plausible=None):
    """Text a field accepts (after trimming and dropping NULs), hostile content included."""
    return st.one_of(
        plausible if plausible is not None else st.nothing(),
        st.sampled_from(HOSTILE_TEXT),
        st.text(min_size=min_size, max_size=max_size),
        st.text(alphabet=odd_characters, min_size=min_size, max_size=max_size),
    ).filter(lambda t: min_size <= len(clean_text(t)) <= max_size)


def draw_fields(draw, valid: dict, hostile: dict | None = None) -> dict:
    """Either every field hostile, or every field valid except a few: hostile ones get
    anything at all (hostile[name], or any `field()`). The examples reach both the database
    and every rule of the form."""
    names = sorted(valid)
    if draw(st.booleans(), label="every field hostile"):
        broken = set(names) - {"csrf_token"}  # else the CSRF check is all that runs
    else:
        broken = draw(st.sets(st.sampled_from(names), max_size=3), label="broken fields")
    hostile = hostile or {}
    return {name: draw(hostile.get(name, field()) if name in broken else valid[name],
                       label=name) for name in names}


def is_file(value) -> bool:
    return isinstance(value, tuple) or (isinstance(value, list) and any(
        isinstance(v, tuple) for v in value))


# Field names a form never has. No control characters or quotes: the test client would write
# a part header the server reads as a part without a name, refused before the form is read
# (test_wrong_types.py::test_a_multipart_part_without_a_name), so the example would not
# reach the form.
extra_fields = st.dictionaries(
    st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters='"\\'),
            max_size=12), weird_text, max_size=2)


def _post(client, url: str, fields: dict, encoding: str, csrf: str, json_types=None):
    """Post fields as a multipart form, a urlencoded form or a JSON body (where
    `json_types` may replace values by numbers, booleans, null, lists or objects)."""
    if encoding == "json":
        body = {k: v for k, v in fields.items() if v is not MISSING and not is_file(v)}
        body.update(json_types or {})
        return client.post(url, data=json.dumps(body, allow_nan=True),
                           content_type="application/json", headers={"X-CSRFToken": csrf})
    data = as_multipart(fields)
    if encoding == "urlencoded":
        data = {k: v for k, v in data.items() if not is_file(v)}
        return client.post(url, data=data, content_type="application/x-www-form-urlencoded")
    return client.post(url, data=data, content_type="multipart/form-data")


def post_drawn(draw, client, url: str, fields: dict, csrf: str):
    """Post the drawn fields plus a few drawn extra fields, in a drawn encoding. Returns
    the response and the values sent (JSON may have replaced some by other types)."""
    fields = {**fields, **draw(extra_fields, label="extra fields")}
    encoding = draw(encodings, label="encoding")
    typed = draw(json_types(fields), label="JSON types") if encoding == "json" else None
    return _post(client, url, fields, encoding, csrf, typed), {**fields, **(typed or {})}


encodings = st.sampled_from(["multipart", "multipart", "multipart", "urlencoded", "json"])


def json_types(names):
    """Values a JSON body can carry in place of text, for some of the form's fields."""
    return st.dictionaries(st.sampled_from(sorted(names)), json_value, max_size=3)


# --- driving the staff pages ----------------------------------------------------------------

def staff_act(client, report: Report, action: str, **fields):
    """Press one button of the staff report page, with its CSRF token and version."""
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    db.session.refresh(report)
    return client.post(f"/staff/reports/{report.id}/{action}", data={
        "csrf_token": token, "version": str(report.version), **fields},
        content_type="multipart/form-data")
