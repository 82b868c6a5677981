from __future__ import annotations

import pytest

from wijkregie.learning.models import Participation
from wijkregie.testing.personas import World


@pytest.fixture
def circle(world: World) -> World:
    """The world with Demodam in the learning circle (the outsider's Elders not)."""
    Participation.objects.create(municipality=world.gm)
    return world
