"""shipments: a shipped fulfillment's carrier, tracking number, cost, parcels and tracking events

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Money is an integer of 10^-4 units, weight of grams and sides of millimetres (ScaledDecimal).

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("fulfillment_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.Column("promised_by", sa.Date(), nullable=True),
        sa.Column("estimated_delivery", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("label", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["fulfillment_id"], ["fulfillment_orders.id"],
                                name=op.f("fk_shipments_fulfillment_id_fulfillment_orders")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_shipments_location_id_locations")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("carrier", "tracking_number", name="uq_shipments_carrier_tracking_number"),
        sa.UniqueConstraint("fulfillment_id", name=op.f("uq_shipments_fulfillment_id")),
    )
    op.create_index("ix_shipments_order", "shipments", ["order_id"], unique=False)
    op.create_index("ix_shipments_tracking_number", "shipments", ["tracking_number"], unique=False)
    op.create_table(
        "shipment_parcels",
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("parcel_no", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.BigInteger(), nullable=False),
        sa.Column("length_cm", sa.BigInteger(), nullable=True),
        sa.Column("width_cm", sa.BigInteger(), nullable=True),
        sa.Column("height_cm", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"],
                                name=op.f("fk_shipment_parcels_shipment_id_shipments")),
        sa.PrimaryKeyConstraint("shipment_id", "parcel_no", name=op.f("pk_shipment_parcels")),
    )
    op.create_table(
        "shipment_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipments.id"],
                                name=op.f("fk_shipment_events_shipment_id_shipments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_events")),
    )
    op.create_index("ix_shipment_events_shipment", "shipment_events", ["shipment_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_shipment_events_shipment", table_name="shipment_events")
    op.drop_table("shipment_events")
    op.drop_table("shipment_parcels")
    op.drop_index("ix_shipments_tracking_number", table_name="shipments")
    op.drop_index("ix_shipments_order", table_name="shipments")
    op.drop_table("shipments")
