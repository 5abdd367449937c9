"""outbox entity index: an order's timeline in the console reads its events by entity id

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 10:05:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_events_entity", "outbox_events", ["entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_events_entity", table_name="outbox_events")
