"""channels: configured sales channels, rejected channel payloads, orders' channel data, the availability feed's index

Revision ID: 0010
Revises: 0012
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
revision: str = "0010"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=500), nullable=True),
        sa.Column("allocation", JSON, nullable=True),
        sa.Column("pickup_locations", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_channels")),
    )
    op.create_table(
        "channel_rejections",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("headers", JSON, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("error_field", sa.String(length=300), nullable=False),
        sa.Column("error_message", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["channel"], ["channels.code"], name=op.f("fk_channel_rejections_channel_channels")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_rejections")),
    )
    op.create_index("ix_channel_rejections_channel", "channel_rejections", ["channel", "id"], unique=False)
    op.create_index("ix_inventory_levels_updated_at", "inventory_levels", ["updated_at"], unique=False)
    # Plain ALTER TABLE … ADD COLUMN, as in 0007: a batch copy would trip the foreign keys pointing at orders.
    op.add_column("orders", sa.Column("channel_data", JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "channel_data")
    op.drop_index("ix_inventory_levels_updated_at", table_name="inventory_levels")
    op.drop_index("ix_channel_rejections_channel", table_name="channel_rejections")
    op.drop_table("channel_rejections")
    op.drop_table("channels")
