from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Documents land in a temporary MEDIA_ROOT; tasks run in-process when enqueued."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return Path(settings.MEDIA_ROOT)
