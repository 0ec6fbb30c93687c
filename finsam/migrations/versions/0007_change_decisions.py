"""change decisions (förlängning, tilläggsanslag, avbrott, anstånd), komplettering, settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BESLUT_TYP = ('ansokan', 'forlangning', 'tillaggsanslag', 'avbrott', 'anstand')


def upgrade() -> None:
    op.create_table('installning',
    sa.Column('nyckel', sa.String(length=100), nullable=False),
    sa.Column('varde', sa.Text(), nullable=False),
    sa.Column('andrad', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nyckel', name=op.f('pk_installning'))
    )
    with op.batch_alter_table('beslut', schema=None) as batch_op:
        batch_op.add_column(sa.Column('typ', sa.Enum(*BESLUT_TYP, name='beslutstyp', native_enum=False, length=32),
                                      server_default='ansokan', nullable=False))
        batch_op.add_column(sa.Column('ar', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deadline_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_beslut_deadline_id_deadline'), 'deadline', ['deadline_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_beslut_insats_id'), ['insats_id'], unique=False)

    with op.batch_alter_table('ansokan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('komplettering_begard', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('komplettering_inkom', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ansokan', schema=None) as batch_op:
        batch_op.drop_column('komplettering_inkom')
        batch_op.drop_column('komplettering_begard')

    with op.batch_alter_table('beslut', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beslut_insats_id'))
        batch_op.drop_constraint(batch_op.f('fk_beslut_deadline_id_deadline'), type_='foreignkey')
        batch_op.drop_column('deadline_id')
        batch_op.drop_column('ar')
        batch_op.drop_column('typ')

    op.drop_table('installning')
