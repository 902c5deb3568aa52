"""Alembic migrations, shipped inside the distribution so `track2 migrate` finds them."""
