"""The battery's shared runner (see :mod:`battery_cases`): one per session, so that every
file is written and every audit runs once."""

from __future__ import annotations

import pytest

from battery_cases import Battery


@pytest.fixture(scope="session")
def battery(tmp_path_factory) -> Battery:
    """The runner, with its files in one temp folder for the whole session."""
    return Battery(tmp_path_factory.mktemp("battery"))
