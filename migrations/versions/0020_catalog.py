"""catalog: a community's own report categories, and shared ones retired per community

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_category_community_id", "community",
                                    ["community_id"], ["id"])
        batch_op.create_index("ix_category_community_id", ["community_id"])
    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.drop_column("retired_at")
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_index("ix_category_community_id")
        batch_op.drop_constraint("fk_category_community_id", type_="foreignkey")
        batch_op.drop_column("community_id")
