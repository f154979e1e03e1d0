"""privacy: phones spelled by libphonenumber, private categories, hashed calendar feed
tokens, purged reports and bookings

- Stored phones get the spelling domain/shared/phones.py gives (the one 0008 gave Chinese numbers:
  13800138000, AREA-LOCAL[-EXTENSION]; other countries' numbers in E.164, +442079460958,
  where Open311 used to keep them as typed). A value libphonenumber cannot read stays as it
  is. The rule is copied here so that this migration keeps doing what it did.
- category.is_private (the standard "dispute" category, 邻里纠纷, starts private).
- category_setting.is_private: a community's own choice over that default (NULL: the default).
- user.feed_token becomes feed_token_hash, its SHA-256 digest: existing calendar
  subscriptions keep working. Downgrade keeps the digests (the tokens cannot be recovered):
  volunteers then make a new address.
- report.purged_at, booking.purged_at; a purged booking's name and phone are empty (NULL).

Revision ID: 0012
Revises: 0011
"""
import hashlib
import re

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PHONE_COLUMNS = [("report", "contact_phone"), ("user", "phone"), ("care_card", "phone"),
                 ("booking", "phone")]
_EXTENSION_WORDS = re.compile(r"\s*(?:分机号|分機號|分机|分機|转|轉)\s*")
_DASH_EXTENSION = re.compile(r"(.*\d)\s*[-‐‑–—]\s*(\d{1,6})")


def _valid(text):
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _spelling(value: str) -> str | None:
    text = _EXTENSION_WORDS.sub(" x ", value).strip()
    number = _valid(text)
    if number is None and (dashed := _DASH_EXTENSION.fullmatch(text)):
        number = _valid(dashed.group(1))
        if number is not None and not number.extension:
            number.extension = dashed.group(2)
    if number is None:
        return None
    if number.country_code == 86:
        national = phonenumbers.national_significant_number(number)
        area = phonenumbers.length_of_geographical_area_code(number)
        spelled = f"0{national[:area]}-{national[area:]}" if area else national
    else:
        spelled = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    spelled += f"-{number.extension}" if number.extension else ""
    return spelled if len(spelled) <= 30 else None


def _live_booking_taken(connection, row_id: int, phone: str) -> bool:
    """Two live bookings in one slot whose phones are now one: the later keeps its spelling
    rather than break the one-live-booking-per-phone index."""
    return connection.execute(sa.text(
        "SELECT 1 FROM booking other JOIN booking this ON other.slot_id = this.slot_id "
        "WHERE this.id = :id AND this.status = 'booked' AND other.status = 'booked' "
        "AND other.id != this.id AND other.phone = :phone"),
        {"id": row_id, "phone": phone}).first() is not None


def _respell_phones(connection) -> None:
    for table, column in PHONE_COLUMNS:
        quoted = connection.dialect.identifier_preparer.quote(table)
        rows = connection.execute(sa.text(
            f"SELECT id, {column} FROM {quoted} WHERE {column} IS NOT NULL ORDER BY id")).all()
        for row_id, value in rows:
            spelled = _spelling(value)
            if spelled is None or spelled == value:
                continue
            if table == "booking" and _live_booking_taken(connection, row_id, spelled):
                continue
            connection.execute(sa.text(f"UPDATE {quoted} SET {column} = :value WHERE id = :id"),
                               {"value": spelled, "id": row_id})


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _rename_feed_token(old: str, new: str) -> None:
    # Two batches: SQLite rebuilds the table, and a constraint on a column renamed in the
    # same batch is lost.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(f"uq_user_{old}", type_="unique")
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.String(length=64),
                              existing_nullable=True)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_unique_constraint(f"uq_user_{new}", [new])


def _restore_queue_order_index() -> None:
    """SQLite's table rebuild cannot carry an expression index over (see 0003)."""
    op.execute("DROP INDEX IF EXISTS ix_report_queue_order")
    op.create_index("ix_report_queue_order", "report", [
        "community_id", sa.text("(next_due_at IS NULL)"), "next_due_at",
        sa.text("priority DESC"), sa.text("id DESC")])


def _booking_contact_nullable(nullable: bool, drop_purged_at: bool = False) -> None:
    # The partial unique index is dropped and made again around SQLite's table rebuild.
    op.drop_index("uq_booking_live_phone", table_name="booking")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=40), nullable=nullable)
        batch_op.alter_column("phone", existing_type=sa.String(length=30), nullable=nullable)
        if drop_purged_at:
            batch_op.drop_column("purged_at")
    op.create_index("uq_booking_live_phone", "booking", ["slot_id", "phone"], unique=True,
                    sqlite_where=sa.text("status = 'booked'"),
                    postgresql_where=sa.text("status = 'booked'"))


def upgrade():
    connection = op.get_bind()
    _respell_phones(connection)

    op.add_column("category", sa.Column("is_private", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    connection.execute(sa.text("UPDATE category SET is_private = :yes WHERE code = 'dispute'"),
                       {"yes": True})
    # A community's own choice over the shared default (None: the default).
    op.add_column("category_setting", sa.Column("is_private", sa.Boolean(), nullable=True))

    rows = connection.execute(sa.text(
        'SELECT id, feed_token FROM "user" WHERE feed_token IS NOT NULL')).all()
    for row_id, token in rows:
        connection.execute(sa.text('UPDATE "user" SET feed_token = :digest WHERE id = :id'),
                           {"digest": _digest(token), "id": row_id})
    _rename_feed_token("feed_token", "feed_token_hash")

    op.add_column("report", sa.Column("purged_at", sa.DateTime(), nullable=True))
    op.add_column("booking", sa.Column("purged_at", sa.DateTime(), nullable=True))
    _booking_contact_nullable(True)


def downgrade():
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE booking SET name = '' WHERE name IS NULL"))
    connection.execute(sa.text(
        "UPDATE booking SET phone = 'purged-' || CAST(id AS VARCHAR(20)) WHERE phone IS NULL"))
    _booking_contact_nullable(False, drop_purged_at=True)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    if connection.dialect.name == "sqlite":
        _restore_queue_order_index()
    _rename_feed_token("feed_token_hash", "feed_token")
    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.drop_column("is_private")
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_column("is_private")
