"""a replacement code remembers the code it replaced

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_qr_code_replaces_id_qr_code"), "qr_code",
                                    ["replaces_id"], ["id"])


def downgrade():
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_qr_code_replaces_id_qr_code"), type_="foreignkey")
        batch_op.drop_column("replaces_id")
