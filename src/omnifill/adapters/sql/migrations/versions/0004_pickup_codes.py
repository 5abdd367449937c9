"""pickup codes: the code a customer shows to collect, who handed the order over and when, ready and reminder times, carrier and tracking number

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_code", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("handed_over_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("carrier", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("tracking_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as in 0002: a batch copy would fight the foreign keys.
    op.drop_column("fulfillment_orders", "tracking_number")
    op.drop_column("fulfillment_orders", "carrier")
    op.drop_column("fulfillment_orders", "reminded_at")
    op.drop_column("fulfillment_orders", "ready_at")
    op.drop_column("fulfillment_orders", "handed_over_at")
    op.drop_column("fulfillment_orders", "handed_over_by")
    op.drop_column("fulfillment_orders", "pickup_code")
