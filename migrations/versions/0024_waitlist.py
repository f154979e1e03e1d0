"""waiting lists on full slots; slots that run without a volunteer

Revision ID: 0024
Revises: 0023

Slots published before this revision and already booked keep running as they were booked:
they are marked to run without a volunteer, so no resident who booked one is left out.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

LIVE = sa.text("status = 'waiting'")


def upgrade():
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("runs_without_volunteer", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE slot SET runs_without_volunteer = true WHERE booked > 0 "
               "AND volunteers_booked = 0 AND volunteer_capacity > 0")
    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("submission_key_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("sms_updates", sa.Boolean(), nullable=False),
        sa.Column("sealed_link", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("floor_room", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("entrance_id", sa.Integer(), nullable=True),
        sa.Column("qr_code_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"],
                                name=op.f("fk_waitlist_entry_booking_id_booking")),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"],
                                name=op.f("fk_waitlist_entry_building_id_building")),
        sa.ForeignKeyConstraint(["entrance_id"], ["entrance.id"],
                                name=op.f("fk_waitlist_entry_entrance_id_entrance")),
        sa.ForeignKeyConstraint(["qr_code_id"], ["qr_code.id"],
                                name=op.f("fk_waitlist_entry_qr_code_id_qr_code")),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"],
                                name=op.f("fk_waitlist_entry_slot_id_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
        sa.UniqueConstraint("submission_key_hash",
                            name=op.f("uq_waitlist_entry_submission_key_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_waitlist_entry_token_hash")),
    )
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waitlist_entry_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index("uq_waitlist_live_phone", ["slot_id", "phone"], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade():
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.drop_index("uq_waitlist_live_phone", sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_index(batch_op.f("ix_waitlist_entry_slot_id"))
    op.drop_table("waitlist_entry")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_column("runs_without_volunteer")
