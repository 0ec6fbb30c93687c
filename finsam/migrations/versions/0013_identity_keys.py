"""names and diarienummer get the normalised key every door compares (finsam.domain.identity)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op

from finsam.domain.identity import identity_key

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs and indexes: no table is rebuilt, so the calendar stamp's triggers (0009) stay.
    op.add_column('insats', sa.Column('namn_nyckel', sa.String(300), nullable=True))
    op.add_column('insats', sa.Column('diarienummer_nyckel', sa.String(50), nullable=True))
    op.add_column('organisation', sa.Column('namn_nyckel', sa.String(200), nullable=True))
    bind = op.get_bind()
    for table, columns in (("insats", (("namn", 300), ("diarienummer", 50))), ("organisation", (("namn", 200),))):
        names = ", ".join(c for c, _ in columns)
        rows = bind.execute(sa.text(f"SELECT id, {names} FROM {table}")).all()
        for row in rows:
            values = {f"{c}_nyckel": identity_key(v)[:n] if v is not None else None
                      for (c, n), v in zip(columns, row[1:])}
            sets = ", ".join(f"{c} = :{c}" for c in values)
            bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), {**values, "id": row[0]})
    op.create_index('ix_insats_namn_nyckel', 'insats', ['namn_nyckel'])
    op.create_index('ix_insats_diarienummer_nyckel', 'insats', ['diarienummer_nyckel'])
    op.create_index('ix_organisation_namn_nyckel', 'organisation', ['namn_nyckel'])


def downgrade() -> None:
    op.drop_index('ix_organisation_namn_nyckel', table_name='organisation')
    op.drop_index('ix_insats_diarienummer_nyckel', table_name='insats')
    op.drop_index('ix_insats_namn_nyckel', table_name='insats')
    op.drop_column('organisation', 'namn_nyckel')
    op.drop_column('insats', 'diarienummer_nyckel')
    op.drop_column('insats', 'namn_nyckel')
