"""一事一议: households (rooms), consultations, their options, ballot slips, ballots, payments,
event log and photos

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Integer(), primary_key=True)


def upgrade():
    op.create_table(
        "household",
        _id(),
        sa.Column("building_id", sa.Integer(), sa.ForeignKey("building.id"), nullable=False),
        sa.Column("entrance_id", sa.Integer(), sa.ForeignKey("entrance.id"), nullable=True),
        sa.Column("room", sa.String(40), nullable=False),
        sa.Column("area_x100", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("building_id", "room", name="uq_household_building_id"),
    )
    op.create_index("ix_household_entrance_id", "household", ["entrance_id"])
    op.create_table(
        "consultation",
        _id(),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("community.id"), nullable=False),
        sa.Column("compound_id", sa.Integer(), sa.ForeignKey("compound.id"), nullable=False),
        sa.Column("building_id", sa.Integer(), sa.ForeignKey("building.id"), nullable=True),
        sa.Column("entrance_id", sa.Integer(), sa.ForeignKey("entrance.id"), nullable=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("share_basis", sa.String(12), nullable=False),
        sa.Column("choice_kind", sa.String(12), nullable=False),
        sa.Column("rule_basis", sa.String(12), nullable=False),
        sa.Column("rule_num", sa.Integer(), nullable=False),
        sa.Column("rule_den", sa.Integer(), nullable=False),
        sa.Column("rule_strict", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=True),
        sa.Column("winning_position", sa.Integer(), nullable=True),
        sa.Column("tally_version", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_consultation_community_id", "consultation", ["community_id"])
    op.create_index("ix_consultation_report_id", "consultation", ["report_id"])
    op.create_index("ix_consultation_deadline", "consultation", ["deadline"])
    op.create_index("ix_consultation_place", "consultation",
                    ["compound_id", "status", "building_id"])
    op.create_table(
        "consultation_option",
        _id(),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"),
                  nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.UniqueConstraint("consultation_id", "position",
                            name="uq_consultation_option_consultation_id"),
    )
    op.create_table(
        "consultation_household",
        _id(),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"),
                  nullable=False),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False),
        sa.Column("share_cents", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("consultation_id", "household_id",
                            name="uq_consultation_household_consultation_id"),
    )
    op.create_index("ix_consultation_household_household_id", "consultation_household",
                    ["household_id"])
    op.create_table(
        "ballot_slip",
        _id(),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"),
                  nullable=False),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("nonce", name="uq_ballot_slip_nonce"),
        sa.UniqueConstraint("token_hash", name="uq_ballot_slip_token_hash"),
    )
    op.create_index("ix_ballot_slip_consultation_id", "ballot_slip", ["consultation_id"])
    op.create_index("uq_ballot_slip_in_force", "ballot_slip", ["consultation_id", "household_id"],
                    unique=True, sqlite_where=sa.text("voided_at IS NULL"),
                    postgresql_where=sa.text("voided_at IS NULL"))
    op.create_table(
        "ballot",
        _id(),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"),
                  nullable=False),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=False),
        sa.Column("option_id", sa.Integer(), sa.ForeignKey("consultation_option.id"),
                  nullable=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("cast_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("consultation_id", "household_id",
                            name="uq_ballot_consultation_id"),
    )
    op.create_table(
        "consultation_event",
        _id(),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("household_id", sa.Integer(), sa.ForeignKey("household.id"), nullable=True),
        sa.Column("option_id", sa.Integer(), sa.ForeignKey("consultation_option.id"),
                  nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_consultation_event_consultation_id", "consultation_event",
                    ["consultation_id"])
    op.create_table(
        "consultation_photo",
        _id(),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultation.id"),
                  nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.UniqueConstraint("stored_name", name="uq_consultation_photo_stored_name"),
    )
    op.create_index("ix_consultation_photo_consultation_id", "consultation_photo",
                    ["consultation_id"])


def downgrade():
    op.drop_index("ix_consultation_photo_consultation_id", table_name="consultation_photo")
    op.drop_table("consultation_photo")
    op.drop_index("ix_consultation_event_consultation_id", table_name="consultation_event")
    op.drop_table("consultation_event")
    op.drop_table("ballot")
    op.drop_index("uq_ballot_slip_in_force", table_name="ballot_slip")
    op.drop_index("ix_ballot_slip_consultation_id", table_name="ballot_slip")
    op.drop_table("ballot_slip")
    op.drop_index("ix_consultation_household_household_id", table_name="consultation_household")
    op.drop_table("consultation_household")
    op.drop_table("consultation_option")
    op.drop_index("ix_consultation_place", table_name="consultation")
    op.drop_index("ix_consultation_deadline", table_name="consultation")
    op.drop_index("ix_consultation_report_id", table_name="consultation")
    op.drop_index("ix_consultation_community_id", table_name="consultation")
    op.drop_table("consultation")
    op.drop_index("ix_household_entrance_id", table_name="household")
    op.drop_table("household")
