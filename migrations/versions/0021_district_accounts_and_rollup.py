"""district accounts and the report rollup: street and district officials (role overseer,
no organisation), and report figures per day, community and organisation

Revision ID: 0021
Revises: 0020

The rollup of the reports already stored is computed here with the rules of this revision,
copied, not imported (webapp/domain/district/rollup.py is the rule from now on; `flask
rollup rebuild` recomputes it with that).
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BOUNDS = (10, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1080, 1440, 2160, 2880, 4320,
          5760, 7200, 10080, 14400, 20160, 30240, 43200, 64800, 86400, 129600)
BUCKETS = [f"resolved_in_{i}" for i in range(len(BOUNDS) + 1)]
RECEIVED = ["received", "rejected", "duplicates", "reopened"]
RESOLVED = ["resolved", "on_time", "late", "confirmed", "closed_unconfirmed", "rating_count",
            "rating_sum", *BUCKETS]
KEY = ["day", "community_id", "org_id", "on_board", "whole_month"]


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("organization_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("street_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_user_street_id_street", "street", ["street_id"], ["id"])
        batch_op.create_foreign_key("fk_user_district_id_district", "district",
                                    ["district_id"], ["id"])
        batch_op.create_check_constraint(
            op.f("ck_user_overseer_has_no_organization"),
            "(role = 'overseer') = (organization_id IS NULL)")
        batch_op.create_check_constraint(
            op.f("ck_user_overseer_has_one_scope"),
            "role <> 'overseer' OR (street_id IS NULL) <> (district_id IS NULL)")
    op.create_table(
        "report_rollup",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("community.id"),
                  primary_key=True),
        sa.Column("org_id", sa.Integer(), primary_key=True),
        sa.Column("on_board", sa.Boolean(), primary_key=True),
        sa.Column("whole_month", sa.Boolean(), primary_key=True),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default="0")
          for name in RECEIVED + RESOLVED),
        sa.PrimaryKeyConstraint(*KEY, name="pk_report_rollup"),
    )
    _count_stored_reports()


def downgrade():
    op.drop_table("report_rollup")
    op.execute("DELETE FROM \"user\" WHERE role = 'overseer'")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_overseer_has_one_scope"), type_="check")
        batch_op.drop_constraint(op.f("ck_user_overseer_has_no_organization"), type_="check")
        batch_op.drop_constraint("fk_user_district_id_district", type_="foreignkey")
        batch_op.drop_constraint("fk_user_street_id_street", type_="foreignkey")
        batch_op.drop_column("district_id")
        batch_op.drop_column("street_id")
        batch_op.alter_column("organization_id", existing_type=sa.Integer(), nullable=False)


def _local_date(moment, zone):
    stored = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return stored.astimezone(ZoneInfo(zone)).date().isoformat()


def _count_stored_reports():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        def day(column):
            return f"CAST(timezone(c.timezone, timezone('UTC', r.{column})) AS DATE)"
        seconds = ("CAST(EXTRACT(EPOCH FROM date_trunc('second', r.resolved_at))"
                   " - EXTRACT(EPOCH FROM date_trunc('second', r.created_at)) AS INTEGER)")
        on_board = "(r.hidden_from_board IS false)"
        month, no, yes = "CAST(date_trunc('month', day) AS DATE)", "false", "true"
    else:
        bind.connection.driver_connection.create_function("migration_0021_local_date", 2,
                                                          _local_date)

        def day(column):
            return f"migration_0021_local_date(r.{column}, c.timezone)"
        seconds = ("(CAST(strftime('%s', r.resolved_at) AS INTEGER)"
                   " - CAST(strftime('%s', r.created_at) AS INTEGER))")
        on_board = "(r.hidden_from_board = 0)"
        month, no, yes = "date(day, 'start of month')", "0", "1"
    late = ("EXISTS (SELECT 1 FROM report_milestone m WHERE m.report_id = r.id"
            " AND m.breached_at IS NOT NULL AND m.cancelled_at IS NULL)")
    bucket = "CASE " + " ".join(f"WHEN {seconds} < {b * 60} THEN {i}"
                                for i, b in enumerate(BOUNDS)) + f" ELSE {len(BOUNDS)} END"
    confirmed = "(r.status = 'closed' AND r.rating IS NOT NULL AND r.callback_at IS NULL)"
    zeros_resolved = ", ".join(f"0 AS {name}" for name in RESOLVED)
    zeros_received = ", ".join(f"0 AS {name}" for name in RECEIVED)
    buckets = ", ".join(f"CASE WHEN {bucket} = {i} THEN 1 ELSE 0 END AS {name}"
                        for i, name in enumerate(BUCKETS))
    received = f"""
        SELECT {day('created_at')} AS day, r.community_id,
               COALESCE(r.assigned_org_id, 0) AS org_id, {on_board} AS on_board,
               1 AS received,
               CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END AS rejected,
               CASE WHEN r.status = 'duplicate' THEN 1 ELSE 0 END AS duplicates,
               (SELECT count(*) FROM report_event e WHERE e.report_id = r.id
                AND e.kind IN ('reopened', 'reopened_after_callback')) AS reopened,
               {zeros_resolved}
        FROM report r JOIN community c ON c.id = r.community_id"""
    resolved = f"""
        SELECT {day('resolved_at')} AS day, r.community_id,
               COALESCE(r.assigned_org_id, 0) AS org_id, {on_board} AS on_board,
               {zeros_received}, 1 AS resolved,
               CASE WHEN {late} THEN 0 ELSE 1 END AS on_time,
               CASE WHEN {late} THEN 1 ELSE 0 END AS late,
               CASE WHEN {confirmed} THEN 1 ELSE 0 END AS confirmed,
               CASE WHEN r.status = 'closed' AND NOT {confirmed} THEN 1 ELSE 0 END
                   AS closed_unconfirmed,
               CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END AS rating_count,
               COALESCE(r.rating, 0) AS rating_sum, {buckets}
        FROM report r JOIN community c ON c.id = r.community_id
        WHERE r.resolved_at IS NOT NULL"""
    counts, days = RECEIVED + RESOLVED, ", ".join(KEY[:-1])
    sums = ", ".join(f"SUM({n})" for n in counts)
    op.execute(sa.text(
        f"INSERT INTO report_rollup ({', '.join(KEY + counts)}) "
        f"SELECT {days}, {no}, {sums} "
        f"FROM ({received} UNION ALL {resolved}) AS counted GROUP BY {days}"))
    op.execute(sa.text(
        f"INSERT INTO report_rollup ({', '.join(KEY + counts)}) "
        f"SELECT {month}, community_id, org_id, on_board, {yes}, {sums} FROM report_rollup "
        f"WHERE whole_month = {no} GROUP BY {month}, community_id, org_id, on_board"))
