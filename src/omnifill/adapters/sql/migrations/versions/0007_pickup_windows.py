"""pickup windows: store address, opening hours, same-day radius and hourly capacity; curbside pickups and how an order was handed over; hourly loads; customer notifications

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("opening_hours", JSON, nullable=True))  # null: the default week
        batch_op.add_column(sa.Column("service_radius_miles", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("hourly_order_capacity", sa.Integer(), nullable=True))
    # Plain ALTER TABLE … ADD COLUMN: a batch would copy the table (the default is an expression) and trip the
    # foreign keys pointing at orders.
    op.add_column("orders", sa.Column("curbside", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_method", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("curbside_bay", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("curbside_vehicle", sa.String(length=100), nullable=True))

    op.create_table(
        "location_hour_loads",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("fulfillments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_location_hour_loads_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("location_id", "day", "hour", name=op.f("pk_location_hour_loads")),
        sa.CheckConstraint("fulfillments >= 0", name=op.f("ck_location_hour_loads_fulfillments_not_negative")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("fulfillment_id", sa.String(length=40), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notifier", sa.String(length=16), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_notifications_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_status", "notifications", ["status", "id"], unique=False)
    op.create_index("ix_notifications_order", "notifications", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notifications_order", table_name="notifications")
    op.drop_index("ix_notifications_status", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("location_hour_loads")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as in 0002: a batch copy would fight the foreign keys.
    for column in ("curbside_vehicle", "curbside_bay", "arrived_at", "handoff_method"):
        op.drop_column("fulfillment_orders", column)
    op.drop_column("orders", "curbside")
    for column in ("hourly_order_capacity", "service_radius_miles", "opening_hours", "address"):
        op.drop_column("locations", column)
