"""landlines stored in one spelling, AREA-LOCAL[-EXTENSION]

Before this, a landline was kept as typed, so '0351-7654321' and '03517654321' were two
phones: a care card did not match and one resident could hold two places in a slot. Mobile
numbers were already stored as 11 digits and are left alone.

The rule is copied here, not imported, so that this migration keeps doing what it did when
the app's rule changes. Downgrade leaves the values as they are: they were valid before too.

Revision ID: 0008
Revises: 0007
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = [("report", "contact_phone"), ("user", "phone"), ("care_card", "phone"),
           ("booking", "phone")]
_LANDLINE = re.compile(r"^0[0-9]{2,3}[0-9]{7,8}(?:[0-9]{1,5})?$")


def _landline(text: str) -> str | None:
    """The one spelling of a stored landline, or None when the value is not one."""
    compact = re.sub(r"[\s\-()]", "", text)
    if not _LANDLINE.match(compact):
        return None
    area = compact[:3] if compact[1] in "12" else compact[:4]
    groups = re.findall(r"[0-9]+", text)
    extension = ""
    if len(groups) > 1 and len(groups[-1]) <= 5:
        number = "".join(groups[:-1])
        if number.startswith(area) and 7 <= len(number) - len(area) <= 8:
            extension = groups[-1]
    local = compact[len(area):len(compact) - len(extension)]
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def _live_booking_taken(connection, row_id: int, phone: str) -> bool:
    """Two live bookings in one slot whose phones are now one: the later keeps its spelling
    rather than break the one-live-booking-per-phone index."""
    return connection.execute(sa.text(
        "SELECT 1 FROM booking other JOIN booking this ON other.slot_id = this.slot_id "
        "WHERE this.id = :id AND this.status = 'booked' AND other.status = 'booked' "
        "AND other.id != this.id AND other.phone = :phone"),
        {"id": row_id, "phone": phone}).first() is not None


def upgrade():
    connection = op.get_bind()
    for table, column in COLUMNS:
        quoted = connection.dialect.identifier_preparer.quote(table)
        rows = connection.execute(sa.text(
            f"SELECT id, {column} FROM {quoted} WHERE {column} IS NOT NULL ORDER BY id")).all()
        for row_id, value in rows:
            spelled = _landline(value)
            if spelled is None or spelled == value:
                continue
            if table == "booking" and _live_booking_taken(connection, row_id, spelled):
                continue
            connection.execute(sa.text(f"UPDATE {quoted} SET {column} = :value WHERE id = :id"),
                               {"value": spelled, "id": row_id})


def downgrade():
    pass
