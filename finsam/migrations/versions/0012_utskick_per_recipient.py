"""each recipient's answer kept per message, and how often its outcome was uncertain (no answer after DATA)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: no table is rebuilt, so the calendar stamp's triggers (0009) stay as they are.
    op.add_column('utskick', sa.Column('mottagarstatus', sa.JSON(), nullable=True))
    op.add_column('utskick', sa.Column('osakra', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    op.drop_column('utskick', 'osakra')
    op.drop_column('utskick', 'mottagarstatus')
