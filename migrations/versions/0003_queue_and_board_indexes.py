"""indexes for the queue order and the board

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_report_community_id", table_name="report")
    op.create_index("ix_report_queue_order", "report", [
        "community_id", sa.text("(next_due_at IS NULL)"), "next_due_at",
        sa.text("priority DESC"), sa.text("id DESC")])
    op.create_index("ix_report_community_status", "report", ["community_id", "status"])
    op.create_index("ix_report_community_due", "report", ["community_id", "next_due_at"])
    op.create_index("ix_report_board_created", "report",
                    ["community_id", "created_at", "hidden_from_board", "compound_id"])
    op.create_index("ix_report_board_resolved", "report",
                    ["community_id", "resolved_at", "hidden_from_board", "compound_id",
                     "assigned_org_id", "created_at", "rating"])
    op.create_index("ix_report_milestone_late", "report_milestone",
                    ["report_id", "breached_at", "cancelled_at"])


def downgrade():
    op.drop_index("ix_report_milestone_late", table_name="report_milestone")
    for name in ("ix_report_board_resolved", "ix_report_board_created",
                 "ix_report_community_due", "ix_report_community_status",
                 "ix_report_queue_order"):
        op.drop_index(name, table_name="report")
    op.create_index("ix_report_community_id", "report", ["community_id"])
