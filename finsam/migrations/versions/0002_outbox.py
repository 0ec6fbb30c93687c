"""outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:35:04.683491
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('utskick',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nyckel', sa.String(length=400), nullable=False),
    sa.Column('typ', sa.String(length=40), nullable=False),
    sa.Column('steg', sa.String(length=40), nullable=True),
    sa.Column('insats_id', sa.Integer(), nullable=True),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('forfaller', sa.Date(), nullable=True),
    sa.Column('planerad', sa.Date(), nullable=False),
    sa.Column('mottagare', sa.String(length=320), nullable=False),
    sa.Column('kopia', sa.JSON(), nullable=False),
    sa.Column('amne', sa.String(length=300), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('meddelande', sa.LargeBinary(), nullable=False),
    sa.Column('tillstand', sa.Enum('vantar', 'skickar', 'skickad', 'misslyckad', 'makulerad', name='utskicktillstand', native_enum=False, length=32), nullable=False),
    sa.Column('forsok', sa.Integer(), nullable=False),
    sa.Column('nasta_forsok', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim', sa.String(length=40), nullable=True),
    sa.Column('claimed', sa.DateTime(timezone=True), nullable=True),
    sa.Column('skickad', sa.DateTime(timezone=True), nullable=True),
    sa.Column('senaste_fel', sa.Text(), nullable=True),
    sa.Column('skapad', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadline.id'], name=op.f('fk_utskick_deadline_id_deadline'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_utskick_insats_id_insats'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_utskick')),
    sa.UniqueConstraint('message_id', name=op.f('uq_utskick_message_id')),
    sa.UniqueConstraint('nyckel', name=op.f('uq_utskick_nyckel'))
    )
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_utskick_deadline_id'), ['deadline_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_utskick_insats_id'), ['insats_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_utskick_tillstand'), ['tillstand'], unique=False)

    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flaggad_styrelse', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_column('flaggad_styrelse')

    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_utskick_tillstand'))
        batch_op.drop_index(batch_op.f('ix_utskick_insats_id'))
        batch_op.drop_index(batch_op.f('ix_utskick_deadline_id'))

    op.drop_table('utskick')
