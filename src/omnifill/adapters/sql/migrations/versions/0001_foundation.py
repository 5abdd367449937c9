"""foundation: catalog, locations, ledger, orders, outbox, keys

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:12:25.458709
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Money is an integer of 10^-4 units and weight of grams (adapters/sql/types.py ScaledDecimal).
revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("postal_code", sa.String(length=16), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("capabilities", JSON, nullable=False),
        sa.Column("daily_order_capacity", sa.Integer(), nullable=True),
        sa.Column("fulfillment_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("code", name=op.f("uq_locations_code")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("customer", JSON, nullable=False),
        sa.Column("ship_to", JSON, nullable=True),
        sa.Column("delivery_method", sa.String(length=16), nullable=False),
        sa.Column("service_level", sa.String(length=16), nullable=True),
        sa.Column("pickup_location", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "channel", "external_id", name="uq_orders_channel_external_id"
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_status", ["status", "id"], unique=False)

    op.create_table(
        "outbox_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_events_unpublished", ["published_at", "id"], unique=False
        )

    op.create_table(
        "skus",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("weight_kg", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skus")),
        sa.UniqueConstraint("code", name=op.f("uq_skus_code")),
        sa.UniqueConstraint("gtin", name=op.f("uq_skus_gtin")),
    )
    op.create_table(
        "fulfillment_orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_fulfillment_orders_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_fulfillment_orders_order_id_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_orders")),
    )
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fulfillment_orders_location_status",
            ["location_id", "status"],
            unique=False,
        )
        batch_op.create_index("ix_fulfillment_orders_order", ["order_id"], unique=False)

    op.create_table(
        "inventory_levels",
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("safety_stock", sa.Integer(), nullable=False),
        sa.Column("average_unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "on_hand >= 0", name=op.f("ck_inventory_levels_on_hand_not_negative")
        ),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand",
            name=op.f("ck_inventory_levels_reserved_within_on_hand"),
        ),
        sa.CheckConstraint(
            "safety_stock >= 0",
            name=op.f("ck_inventory_levels_safety_stock_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_levels_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_inventory_levels_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint(
            "sku_id", "location_id", name=op.f("pk_inventory_levels")
        ),
    )
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_levels_location", ["location_id", "sku_id"], unique=False
        )

    op.create_table(
        "inventory_movements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), nullable=False),
        sa.Column("on_hand_after", sa.Integer(), nullable=False),
        sa.Column("reserved_after", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_inventory_movements_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_inventory_movements_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_movements")),
    )
    with op.batch_alter_table("inventory_movements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_movements_level", ["sku_id", "location_id"], unique=False
        )
        batch_op.create_index(
            "ix_inventory_movements_order", ["order_id"], unique=False
        )

    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("order_id", "line_no", name=op.f("pk_order_lines")),
    )
    op.create_table(
        "fulfillment_lines",
        sa.Column("fulfillment_id", sa.String(length=40), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["fulfillment_orders.id"],
            name=op.f("fk_fulfillment_lines_fulfillment_id_fulfillment_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_fulfillment_lines_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint(
            "fulfillment_id", "sku_id", name=op.f("pk_fulfillment_lines")
        ),
    )


def downgrade() -> None:
    op.drop_table("fulfillment_lines")
    op.drop_table("order_lines")
    with op.batch_alter_table("inventory_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_movements_order")
        batch_op.drop_index("ix_inventory_movements_level")

    op.drop_table("inventory_movements")
    with op.batch_alter_table("inventory_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_levels_location")

    op.drop_table("inventory_levels")
    with op.batch_alter_table("fulfillment_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_fulfillment_orders_order")
        batch_op.drop_index("ix_fulfillment_orders_location_status")

    op.drop_table("fulfillment_orders")
    op.drop_table("skus")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_unpublished")

    op.drop_table("outbox_events")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status")

    op.drop_table("orders")
    op.drop_table("locations")
    op.drop_table("idempotency_keys")
    op.drop_table("api_keys")
