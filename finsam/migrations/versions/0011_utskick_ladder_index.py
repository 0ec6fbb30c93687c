"""the daily scan reads the steps already sent from an index (not through each message's overflow pages)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:10:00
"""

from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain CREATE INDEX: no table is rebuilt, so the calendar stamp's triggers (0009) stay as they are.
    op.create_index('ix_utskick_ladder', 'utskick', ['deadline_id', 'forfaller', 'steg', 'tillstand'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_utskick_ladder', table_name='utskick')
