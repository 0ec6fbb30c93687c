"""each registered report keeps its numbered sections, its checklist line by line with the flags for the kansli,
and what it lacks to be complete (and who accepted it as it was)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: no table is rebuilt, so the calendar stamp's triggers (0009) stay as they are.
    op.add_column('inkommen_rapport', sa.Column('sektioner', sa.JSON(), nullable=True))
    op.add_column('inkommen_rapport', sa.Column('checklista', sa.JSON(), nullable=True))
    op.add_column('inkommen_rapport', sa.Column('checklista_flaggor', sa.JSON(), nullable=True))
    op.add_column('inkommen_rapport', sa.Column('ofullstandig', sa.JSON(), nullable=True))
    op.add_column('inkommen_rapport', sa.Column('godkand_av', sa.String(200), nullable=True))
    op.add_column('inkommen_rapport', sa.Column('godkand', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('inkommen_rapport', 'godkand')
    op.drop_column('inkommen_rapport', 'godkand_av')
    op.drop_column('inkommen_rapport', 'ofullstandig')
    op.drop_column('inkommen_rapport', 'checklista_flaggor')
    op.drop_column('inkommen_rapport', 'checklista')
    op.drop_column('inkommen_rapport', 'sektioner')
