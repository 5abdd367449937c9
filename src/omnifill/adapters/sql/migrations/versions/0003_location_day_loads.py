"""location day loads: the fulfillments each location has taken per local day, for its daily capacity

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "location_day_loads",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fulfillments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_location_day_loads_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("location_id", "day", name=op.f("pk_location_day_loads")),
        sa.CheckConstraint("fulfillments >= 0", name=op.f("ck_location_day_loads_fulfillments_not_negative")),
    )


def downgrade() -> None:
    op.drop_table("location_day_loads")
