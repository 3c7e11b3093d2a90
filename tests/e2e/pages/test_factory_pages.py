"""The factories page's tests of tests/browser, through the deployed site: skipped on a stack
without a factory. The one that expects exactly the demo seeds' factories skips itself (a shared
stack lists everyone's: `fresh_data`)."""

from __future__ import annotations

import pytest
import requests

from tests.browser import api
from tests.browser.test_factory_pages import *  # noqa: F403 - the same tests, through the deployed site


@pytest.fixture(autouse=True, scope="session")
def a_factory(base_url: str) -> None:
    """A factory to choose: skipped on a stack with none."""
    answer = requests.get(
        f"{base_url}/v1/factories", params={"view": "summary", "limit": "1"}, timeout=api.TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    if not answer.json()["factories"]:
        pytest.skip('the stack has no factory: load the demo seeds with make seed ARGS="--api-url <ApiUrl>"')
