"""organisation robots: the WeCom or DingTalk group robot an organisation's jobs are posted to

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("robot_kind", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("robot_webhook", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("robot_secret", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("robot_secret")
        batch_op.drop_column("robot_webhook")
        batch_op.drop_column("robot_kind")
