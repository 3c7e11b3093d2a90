"""The client-side suites, pointed at a deployed stack (its `ApiUrl` output, no stage in it):
`API_URL=https://<api id>.execute-api.<region>.amazonaws.com/ make e2e`.

Skipped when API_URL is not set (as in `make test` and CI, which have no AWS account).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("API_URL", "").rstrip("/")
    if not url:
        pytest.skip("API_URL is not set: no deployed stack to test")
    return url


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
