"""other names of a person's affiliation (in Dari, Pashto, Arabic, other English names)

Revision ID: 0090
Revises: 0081
Create Date: 2026-12-03 15:15:00

The directory held affiliations in Latin letters only, so an edition naming a participant's
institution in Dari, Pashto or Arabic passed the guard. Organisers now give the other names
of each person's affiliation; the guard blocks them as it blocks the affiliation. Existing
people start with none.

``ALTER TABLE ... ADD/DROP COLUMN`` on SQLite does not rebuild ``person``, so its
directory-version triggers (0030) stay. The downgrade keeps what the guard needs: the older
schema has no column for these names, so each person's are added to their ``aliases``, which
the older guard blocks in every public text as it blocked them here (a downgrade must not
let an institution's translated name reach the public again). Every other column stays;
upgrading again starts the new column empty, with the names still among the aliases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0090"
down_revision: str | None = "0081"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "person",
        sa.Column(
            "affiliation_aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            server_default="[]",
        ),
    )


def downgrade() -> None:
    names = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    person = sa.table(
        "person",
        sa.column("id", sa.Uuid()),
        sa.column("aliases", names),
        sa.column("affiliation_aliases", names),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(person.c.id, person.c.aliases, person.c.affiliation_aliases)
    ).all()
    for person_id, aliases, extra in rows:
        if extra:
            kept = list(dict.fromkeys([*(aliases or []), *extra]))
            bind.execute(person.update().where(person.c.id == person_id).values(aliases=kept))
    op.drop_column("person", "affiliation_aliases")
