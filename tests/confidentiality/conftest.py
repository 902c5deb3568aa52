"""Fixtures of the guard's tests: the people domain's builders."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.people.conftest import RosterFactory


@pytest.fixture
def roster(db: AsyncSession) -> RosterFactory:
    return RosterFactory(db)
