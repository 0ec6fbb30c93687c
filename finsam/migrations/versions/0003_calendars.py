"""calendars

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:53:20.130509
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kalender_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=True),
    sa.Column('beskrivning', sa.String(length=200), nullable=True),
    sa.Column('skapad', sa.DateTime(timezone=True), nullable=False),
    sa.Column('aterkallad', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_kalender_token_insats_id_insats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kalender_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kalender_token_token_hash'))
    )
    with op.batch_alter_table('kalender_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kalender_token_insats_id'), ['insats_id'], unique=False)

    with op.batch_alter_table('sammantrade', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sekvens', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('andrad', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sammantrade', schema=None) as batch_op:
        batch_op.drop_column('andrad')
        batch_op.drop_column('sekvens')

    with op.batch_alter_table('kalender_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kalender_token_insats_id'))

    op.drop_table('kalender_token')
