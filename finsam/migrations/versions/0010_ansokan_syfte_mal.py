"""an ansökan's syfte and mål, for the årsredovisning's Bilaga 1

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:35:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ansokan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('syfte', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('mal', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ansokan', schema=None) as batch_op:
        batch_op.drop_column('mal')
        batch_op.drop_column('syfte')
