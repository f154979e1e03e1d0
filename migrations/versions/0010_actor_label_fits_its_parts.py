"""report_event.actor_label holds "display name · organisation" whole

It was 60 characters while a display name may have 60 and an organisation's name 100: a
handler with a long name and organisation could not act on PostgreSQL (the insert failed)
and SQLite stored more than declared. 163 = 60 + len(" · ") + 100.

Downgrade cuts longer labels to the old 60 characters, which the old column requires.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_event", schema=None) as batch_op:
        batch_op.alter_column("actor_label", existing_type=sa.String(length=60),
                              type_=sa.String(length=163), existing_nullable=True)


def downgrade():
    op.execute("UPDATE report_event SET actor_label = substr(actor_label, 1, 60) "
               "WHERE length(actor_label) > 60")
    with op.batch_alter_table("report_event", schema=None) as batch_op:
        batch_op.alter_column("actor_label", existing_type=sa.String(length=163),
                              type_=sa.String(length=60), existing_nullable=True)
