"""The offers machinery as the local cloud wires it from the topology: the local offers service, the
queues and secrets in moto server, the functions' environment, and `make sync`."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local import resources
from infra.local.environment import function_environments
from infra.local.settings import LocalSettings
from infra.topology import FUNCTIONS, QUEUES, ROOT, SECRETS
from tests.integration.cloud import LocalCloud, Ports, cloud_environment

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def settings(cloud: LocalCloud) -> LocalSettings:
    return LocalSettings.from_environ(cloud_environment(cloud.ports, cloud.data_dir))


def test_the_cloud_prints_the_offers_service_and_the_event_sources(cloud: LocalCloud) -> None:
    output = cloud.output()

    assert f"offers service  {cloud.offers_url}" in output
    assert "offers-dispatch every 60 s" in output
    assert "offers-worker <- shopfloor-offers-sync" in output


def test_the_local_offers_service_answers(cloud: LocalCloud) -> None:
    # Read-only calls: the session's offers service is shared with the other suites.
    assert requests.get(f"{cloud.offers_url}/_stats", timeout=5).status_code == 200
    response = requests.get(f"{cloud.offers_url}/api/v1/products/{uuid.uuid4()}/offers", timeout=5)
    assert response.status_code == 401


def test_each_queue_exists_with_its_dead_letter_queue(settings: LocalSettings) -> None:
    sqs = resources.client("sqs", settings)
    for queue in QUEUES:
        url = sqs.get_queue_url(QueueName=f"shopfloor-{queue.name}")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])

        assert url == resources.queue_urls(settings)[queue.name]
        assert int(attributes["VisibilityTimeout"]) == queue.visibility_timeout_seconds
        assert int(redrive["maxReceiveCount"]) == queue.max_receive_count
        dlq_url = sqs.get_queue_url(QueueName=f"shopfloor-{queue.name}-dlq")["QueueUrl"]
        dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]
        assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]


def test_each_secret_exists_and_the_refresh_token_is_the_local_services(settings: LocalSettings) -> None:
    secrets = resources.client("secretsmanager", settings)
    for secret in SECRETS:
        assert secrets.get_secret_value(SecretId=resources.secret_ids()[secret.name])["SecretString"]
    value = secrets.get_secret_value(SecretId=resources.secret_ids()["offers-refresh-token"])["SecretString"]
    assert value == settings.offers_refresh_token == "local-refresh-token"


def test_functions_get_the_queue_urls_secret_ids_and_service_urls(settings: LocalSettings) -> None:
    environments = function_environments(settings)
    sqs = resources.client("sqs", settings)
    secrets = resources.client("secretsmanager", settings)
    for function in FUNCTIONS:
        environment = environments[function.name]
        for queue in QUEUES:
            if queue.name in function.sends_to:
                assert sqs.get_queue_attributes(
                    QueueUrl=environment[queue.env_var], AttributeNames=["QueueArn"]
                )
        for secret in SECRETS:
            if secret.name in function.secrets:
                assert secrets.describe_secret(SecretId=environment[secret.env_var])["Name"]
        if function.services:
            assert environment["OFFERS_SERVICE_URL"] == settings.offers_url


def run_sync(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.local.sync"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sync_without_a_running_cloud_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_sync(cloud_environment(Ports.free(), tmp_path))

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: the local cloud is not running")
    assert "make run" in lines[0]


def test_sync_runs_one_cycle_and_prints_what_changed(cloud: LocalCloud, http: requests.Session) -> None:
    created = http.post(f"{cloud.base_url}/products", json={"name": "Synced"})
    assert created.status_code == 201, created.text
    product_id: Any = created.json()["id"]

    result = run_sync(cloud_environment(cloud.ports, cloud.data_dir))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "offers-dispatch: " in result.stdout
    assert "offers-worker: " in result.stdout
    assert "total: " in result.stdout.splitlines()[-1]
    offers = http.get(f"{cloud.base_url}/products/{product_id}/offers")
    assert offers.status_code == 200
    assert offers.json()  # synced, by this cycle or the schedule's
    # This cycle's messages went to a private queue, gone once drained.
    sqs = resources.client("sqs", LocalSettings.from_environ(cloud_environment(cloud.ports, cloud.data_dir)))
    assert [url for url in sqs.list_queues().get("QueueUrls", []) if "-manual-" in url] == []
