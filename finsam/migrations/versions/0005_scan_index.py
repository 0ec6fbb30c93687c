"""scan index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 06:32:36.108555
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_bevakning', ['tillstand', 'bevakas', 'forfaller'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index('ix_deadline_bevakning')

