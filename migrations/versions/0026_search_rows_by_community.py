"""a district's million reports: search rows by community, the unassigned tab's index

Revision ID: 0026
Revises: 0025

With a district's million reports, a search scanned every community's search rows. The key
now starts with the community (on SQLite the table is its key, WITHOUT ROWID: a community's
rows side by side). The table is made anew under another name, filled, and put in place.

The queue's status index also holds the assigned organisation: the unassigned tab found its
few reports among the district's unassigned ones (SQLite took `assigned_org_id IS NULL` to
that column's own index).
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

COLUMNS = "report_id, community_id, compound_id, building_id, entrance_id, body"


def _replace(key: sa.PrimaryKeyConstraint, **kwargs) -> None:
    op.create_table(
        "report_search_new",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=False),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("community.id"),
                  nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("entrance_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        key, **kwargs)
    op.execute(f"INSERT INTO report_search_new ({COLUMNS}) SELECT {COLUMNS} FROM report_search")
    op.drop_table("report_search")
    op.rename_table("report_search_new", "report_search")
    if op.get_bind().dialect.name == "postgresql":  # the names of the naming convention
        for name in ("fk_report_search_%s_report_id_report",
                     "fk_report_search_%s_community_id_community", "pk_report_search_%s"):
            old, new = name % "new", name.replace("_%s", "")
            op.execute(f"ALTER TABLE report_search RENAME CONSTRAINT {old} TO {new}")


def upgrade():
    _replace(sa.PrimaryKeyConstraint("community_id", "report_id"), sqlite_with_rowid=False)
    op.create_index("uq_report_search_report", "report_search", ["report_id"], unique=True)
    _status_index("community_id", "status", "assigned_org_id")


def downgrade():
    _status_index("community_id", "status")
    op.drop_index("uq_report_search_report", table_name="report_search")
    _replace(sa.PrimaryKeyConstraint("report_id"))


def _status_index(*columns: str) -> None:
    op.drop_index("ix_report_community_status", table_name="report")
    op.create_index("ix_report_community_status", "report", list(columns))
