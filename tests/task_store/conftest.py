"""PostgreSQL for the task-store tests: ``WTS_TEST_POSTGRES_URL`` if set, else a throwaway cluster of our own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_cluster import PostgresCluster, find_binaries, throwaway_cluster

# Read once at import: the autouse `clean_environment` fixture removes every *_URL variable inside each test.
EXTERNAL_URL = os.environ.get("WTS_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="session")
def postgres_binaries() -> Path:
    """The server's binaries; without them a skip that says why, or a failure on CI, which must run these tests."""
    found = find_binaries()
    if isinstance(found, Path):
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the PostgreSQL tests, but: {found} (run .ci/postgres first)")
    pytest.skip(f"{found}: install PostgreSQL (.ci/postgres) or set WTS_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A ``postgresql+asyncpg://`` URL shared by the session's tests."""
    if EXTERNAL_URL:
        yield EXTERNAL_URL
        return
    with throwaway_cluster(request.getfixturevalue("postgres_binaries")) as cluster:
        yield cluster.url()


@pytest.fixture
def own_postgres(postgres_binaries: Path) -> Iterator[PostgresCluster]:
    """A cluster of this test's own, which it may stop, with a password it knows."""
    with throwaway_cluster(postgres_binaries) as cluster:
        yield cluster
