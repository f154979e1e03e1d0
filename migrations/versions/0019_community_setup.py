"""community setup: per-compound routing exceptions, the first-run link, printed codes

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "compound_route",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("compound_id", sa.Integer(), sa.ForeignKey("compound.id"), nullable=False),
        sa.Column("category_id", sa.Integer(), sa.ForeignKey("category.id"), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.UniqueConstraint("compound_id", "category_id"),
    )
    op.create_index("ix_compound_route_compound_id", "compound_route", ["compound_id"])
    op.create_index("ix_compound_route_org_id", "compound_route", ["org_id"])
    op.create_table(
        "first_run_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.drop_column("printed_at")
    op.drop_table("first_run_link")
    op.drop_index("ix_compound_route_org_id", table_name="compound_route")
    op.drop_index("ix_compound_route_compound_id", table_name="compound_route")
    op.drop_table("compound_route")
