"""failed logins: throttled flag and cleared time, for growing delays and the audit page

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("throttled", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("cleared_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_column("cleared_at")
        batch_op.drop_column("throttled")
