"""Fixtures of the extraction tests."""

import pytest


@pytest.fixture(scope="session")
def training_data():
    """The shipped training data (governance texts not shipped are read from ../shared)."""
    from policykit.extract.data import load_training
    return load_training()
