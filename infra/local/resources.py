"""The stack's queues, secrets and buckets in moto server, named as the functions see them locally.

Names and URLs are computed, not looked up, so a function's local environment is known before moto
runs (tests/infra/test_local_parity.py compares it with the template). Creating them is idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.local.errors import LocalCloudError
from infra.local.settings import LocalSettings
from infra.topology import BUCKETS, FUNCTIONS, QUEUES, SECRETS, SERVICES, Bucket, Function, Queue, Secret

PREFIX = "shopfloor"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's account for credentials that are not an account number
_CONFIG = Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"})


def queue_name(queue: Queue) -> str:
    return f"{PREFIX}-{queue.name}"


def dlq_name(queue: Queue) -> str:
    return f"{PREFIX}-{queue.name}-dlq"


def queue_url(settings: LocalSettings, name: str) -> str:
    """The URL moto gives a queue when reached at settings.moto_url."""
    return f"{settings.moto_url}/{ACCOUNT_ID}/{name}"


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"


def queue_urls(settings: LocalSettings) -> dict[str, str]:
    return {queue.name: queue_url(settings, queue_name(queue)) for queue in QUEUES}


def stream_failures_name(function: Function) -> str:
    """The on-failure queue of a function's stream event source."""
    return f"{PREFIX}-{function.name}-stream-failures"


def bucket_name(bucket: Bucket) -> str:
    return f"{PREFIX}-{bucket.name}"


def bucket_names() -> dict[str, str]:
    return {bucket.name: bucket_name(bucket) for bucket in BUCKETS}


def secret_name(secret: Secret) -> str:
    return f"{PREFIX}/{secret.name}"


def secret_ids() -> dict[str, str]:
    return {secret.name: secret_name(secret) for secret in SECRETS}


def service_urls(settings: LocalSettings) -> dict[str, str]:
    urls = {"offers-service": settings.offers_url}
    missing = {service.name for service in SERVICES} - set(urls)
    if missing:  # a new Service in the topology needs a local stand-in here
        raise LocalCloudError(f"no local stand-in for the service(s) {', '.join(sorted(missing))}")
    return urls


def visibility_timeout(queue: Queue, settings: LocalSettings) -> int:
    if settings.visibility_timeout_seconds is not None:
        return settings.visibility_timeout_seconds
    return queue.visibility_timeout_seconds


def client(service: str, settings: LocalSettings) -> Any:
    """A client of moto server."""
    return local_client(service, settings.moto_url)


def local_client(service: str, endpoint_url: str, config: Config = _CONFIG) -> Any:
    """A boto3 client of a local stand-in (moto server, DynamoDB Local), with dummy credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=config,
    )


def secret_values(settings: LocalSettings) -> dict[str, str]:
    """What each secret holds locally: the offers refresh token is the local offers service's."""
    values = {"offers-refresh-token": settings.offers_refresh_token}
    return {secret.name: values.get(secret.name, f"local-{secret.name}") for secret in SECRETS}


def create_queue(
    sqs: Any,
    queue: Queue,
    settings: LocalSettings,
    *,
    name: str | None = None,
    dead_letter_name: str | None = None,
) -> str:
    """The queue and its dead-letter queue (RedrivePolicy after max_receive_count receives); its URL."""
    dlq = dead_letter_name or dlq_name(queue)
    retention = str(queue.dlq_retention_days * 24 * 3600)
    _create_or_update(sqs, dlq, {"MessageRetentionPeriod": retention})
    redrive = {"deadLetterTargetArn": queue_arn(dlq), "maxReceiveCount": queue.max_receive_count}
    attributes = {
        "VisibilityTimeout": str(visibility_timeout(queue, settings)),
        "RedrivePolicy": json.dumps(redrive),
    }
    return _create_or_update(sqs, name or queue_name(queue), attributes)


def _create_or_update(sqs: Any, name: str, attributes: dict[str, str]) -> str:
    try:
        url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"QueueAlreadyExists", "QueueNameExists"}:
            raise
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def put_secret(secrets: Any, name: str, value: str, description: str) -> None:
    try:
        secrets.create_secret(Name=name, SecretString=value, Description=description)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceExistsException":
            raise
        secrets.put_secret_value(SecretId=name, SecretString=value)


def create_bucket(s3: Any, name: str) -> None:
    """A versioned bucket (idempotent)."""
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def provision(settings: LocalSettings, queues: Iterable[Queue] = QUEUES) -> None:
    """Every queue (with its DLQ), stream on-failure queue, bucket and secret of the topology, in moto."""
    try:
        sqs = client("sqs", settings)
        for queue in queues:
            create_queue(sqs, queue, settings)
        for function in FUNCTIONS:
            if function.streams_from is not None:
                retention = str(function.streams_from.failures_retention_days * 24 * 3600)
                _create_or_update(sqs, stream_failures_name(function), {"MessageRetentionPeriod": retention})
        s3 = client("s3", settings)
        for bucket in BUCKETS:
            create_bucket(s3, bucket_name(bucket))
        secrets = client("secretsmanager", settings)
        values = secret_values(settings)
        for secret in SECRETS:
            put_secret(secrets, secret_name(secret), values[secret.name], secret.description)
    except (BotoCoreError, ClientError) as error:
        raise LocalCloudError(
            f"cannot create the queues, buckets and secrets in moto server: {error}"
        ) from error
