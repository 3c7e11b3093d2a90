"""The stack's queues, secrets, buckets, user pools, event buses (with their archives and rules) and
e-mail senders in moto server, named as the functions see them locally.

Names, URLs and ids are computed, not looked up, so a function's local environment is known before
moto runs (tests/infra/test_local_parity.py compares it with the template). Creating them is
idempotent.

A user pool's id and its app client's id are moto's: moto server runs with its HASH id strategy
(infra.local.moto_server), under which an id is a digest of the request that creates the pool or
client. The same declaration gives the same ids on every start, so they are computed here from the
same requests, and provisioning checks that moto agrees. moto keeps its state in memory: a restart
of moto server makes the pool again, with the same ids (tokens issued before the restart stay valid)
but without the users signed up since; the demo users are made again (infra.local.users).

An event bus's rules target the local queues: moto delivers each matching PutEvents to them itself
(moto.events.models.Rule.send_to_targets), and to the bus's archive. An e-mail sender's address is
verified as an SES identity, as moto refuses to send from any other; moto records what is sent
(infra.local.mail, `make mail`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.local.errors import LocalCloudError
from infra.local.settings import LocalSettings
from infra.topology import (
    BUCKETS,
    EMAIL_SENDERS,
    EVENT_BUSES,
    FUNCTIONS,
    QUEUES,
    QUEUES_BY_NAME,
    SECRETS,
    SERVICES,
    USER_POOLS,
    Bucket,
    EmailSender,
    EventBus,
    Function,
    Queue,
    Rule,
    Secret,
    UserPool,
)

PREFIX = "shopfloor"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's account for credentials that are not an account number
# What moto keeps of a digest: a user pool's id is "<region>_<digest>", cut as moto cuts it.
USER_POOL_ID_MAX_LENGTH = 55
USER_POOL_CLIENT_ID_MAX_LENGTH = 26
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


def user_pool_name(pool: UserPool) -> str:
    return f"{PREFIX}-{pool.name}"


def user_pool_request(pool: UserPool) -> dict[str, Any]:
    """CreateUserPool's parameters, as the stack declares the pool (infra/constructs/user_pools.py):
    e-mail addresses as usernames, the declared password length and a digit, users made only by an
    administrator (the API's sign-up), no MFA, recovery by an administrator only."""
    return {
        "PoolName": user_pool_name(pool),
        "Policies": {
            "PasswordPolicy": {
                "MinimumLength": pool.password_min_length,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        "MfaConfiguration": "OFF",
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "UsernameAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
    }


def user_pool_client_request(pool: UserPool) -> dict[str, Any]:
    """CreateUserPoolClient's parameters: no secret, the password flow (and refresh), tokens valid
    for the declared minutes (moto signs every token for an hour whatever they say)."""
    validity = pool.token_validity_minutes
    return {
        "UserPoolId": user_pool_id(pool),
        "ClientName": f"{pool.name}-api",
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "SupportedIdentityProviders": ["COGNITO"],
        "PreventUserExistenceErrors": "ENABLED",
        "IdTokenValidity": validity,
        "AccessTokenValidity": validity,
        "TokenValidityUnits": {"IdToken": "minutes", "AccessToken": "minutes"},
        "EnableTokenRevocation": True,
    }


def user_pool_id(pool: UserPool) -> str:
    """The id moto gives the pool (HASH strategy: a digest of the region, name and request)."""
    digest = _moto_digest(REGION, user_pool_name(pool), user_pool_request(pool))
    return f"{REGION}_{digest}"[:USER_POOL_ID_MAX_LENGTH]


def user_pool_client_id(pool: UserPool) -> str:
    """The id moto gives the pool's app client (a digest of the pool id, secret flag and request)."""
    request = user_pool_client_request(pool)
    digest = _moto_digest(request["UserPoolId"], request["GenerateSecret"], request)
    return digest[:USER_POOL_CLIENT_ID_MAX_LENGTH]


def user_pool_ids() -> dict[str, tuple[str, str]]:
    """Each pool's id and its app client's id, by topology name (`function_environment`'s `user_pools`)."""
    return {pool.name: (user_pool_id(pool), user_pool_client_id(pool)) for pool in USER_POOLS}


def user_pool_issuer(pool_id: str) -> str:
    """The `iss` of the pool's tokens, as Cognito (and moto) write it."""
    return f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"


def event_bus_name(bus: EventBus) -> str:
    return bus.name


def event_bus_names() -> dict[str, str]:
    """Each bus's local name, by topology name (`function_environment`'s `event_buses`)."""
    return {bus.name: event_bus_name(bus) for bus in EVENT_BUSES}


def event_bus_arn(bus: EventBus) -> str:
    return f"arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/{event_bus_name(bus)}"


def archive_name(bus: EventBus) -> str:
    """The bus's archive of every event."""
    return f"{event_bus_name(bus)}-archive"


def rule_name(bus: EventBus, rule: Rule) -> str:
    """As deployed: the topology's name, unique on its bus."""
    return rule.name


def archive_request(bus: EventBus) -> dict[str, Any]:
    """CreateArchive's parameters, as the stack declares the archive (infra/constructs/event_buses.py):
    every event of the account, kept for the declared days."""
    return {
        "ArchiveName": archive_name(bus),
        "EventSourceArn": event_bus_arn(bus),
        "Description": f"Every event on the {event_bus_name(bus)} bus.",
        "EventPattern": json.dumps({"account": [ACCOUNT_ID]}),
        "RetentionDays": bus.archive_retention_days,
    }


def rule_request(bus: EventBus, rule: Rule) -> dict[str, Any]:
    """PutRule's parameters: the rule's event pattern, on its bus."""
    return {
        "Name": rule_name(bus, rule),
        "EventBusName": event_bus_name(bus),
        "EventPattern": json.dumps(rule.event_pattern),
        "State": "ENABLED",
    }


def email_sender_address(sender: EmailSender) -> str:
    return sender.local_address


def email_sender_addresses() -> dict[str, str]:
    """Each sender's local address, by topology name (`function_environment`'s `email_senders`)."""
    return {sender.name: email_sender_address(sender) for sender in EMAIL_SENDERS}


def context_values() -> dict[str, str]:
    """Each context setting's local value, by context key (`function_environment`'s `context_values`)."""
    return {
        setting.context_key: setting.local_value
        for function in FUNCTIONS
        for setting in function.context_settings
    }


def _moto_digest(*parts: object) -> str:
    """moto.cognitoidp.utils.generate_id with the HASH strategy: sha256 over each part's str()."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode())
    return digest.hexdigest()


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


def create_user_pool(cognito: Any, pool: UserPool) -> tuple[str, str]:
    """The pool, its groups and its app client (idempotent); the pool's id and the client's id."""
    pool_id, client_id = user_pool_id(pool), user_pool_client_id(pool)
    if not _exists(cognito.describe_user_pool, UserPoolId=pool_id):
        created = cognito.create_user_pool(**user_pool_request(pool))["UserPool"]["Id"]
        _check_moto_id(f"the user pool {user_pool_name(pool)}", created, pool_id)
    for group in pool.groups:
        try:
            cognito.create_group(
                UserPoolId=pool_id, GroupName=group, Description=f"The {group} of {pool.name}."
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "GroupExistsException":
                raise
    if not _exists(cognito.describe_user_pool_client, UserPoolId=pool_id, ClientId=client_id):
        created = cognito.create_user_pool_client(**user_pool_client_request(pool))["UserPoolClient"]
        _check_moto_id(f"the app client of {user_pool_name(pool)}", created["ClientId"], client_id)
    return pool_id, client_id


def _exists(describe: Any, **parameters: str) -> bool:
    try:
        describe(**parameters)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return False
    return True


def _check_moto_id(what: str, created: str, expected: str) -> None:
    if created != expected:
        raise LocalCloudError(
            f"moto server gave {what} the id {created!r}, not {expected!r} as computed: it must run "
            "with MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY and MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY "
            "set to HASH (infra.local.moto_server does), and infra.local.resources must digest what "
            "this version of moto digests"
        )


def create_event_bus(events: Any, bus: EventBus) -> None:
    """The bus, its archive (every event, kept for the declared days) and its rules, each sending
    to its queue (idempotent; the queues must exist)."""
    name = event_bus_name(bus)
    try:
        events.create_event_bus(Name=name, Description=bus.description)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    archive = archive_request(bus)
    try:
        events.create_archive(**archive)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
        archive.pop("EventSourceArn")
        events.update_archive(**archive)
    for rule in bus.rules:
        events.put_rule(**rule_request(bus, rule))
        target = queue_arn(queue_name(QUEUES_BY_NAME[rule.queue]))
        events.put_targets(
            Rule=rule_name(bus, rule),
            EventBusName=name,
            Targets=[{"Id": rule.queue, "Arn": target}],
        )


def verify_email_sender(ses: Any, sender: EmailSender) -> None:
    """The sender's address as an SES e-mail identity (idempotent); moto verifies it at once.
    (moto makes an identity again, without AlreadyExistsException, hence the look first.)"""
    address = email_sender_address(sender)
    try:
        ses.get_email_identity(EmailIdentity=address)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFoundException":
            raise
        ses.create_email_identity(EmailIdentity=address)


def provision(settings: LocalSettings, queues: Iterable[Queue] = QUEUES) -> None:
    """Every queue (with its DLQ), stream on-failure queue, bucket, secret, user pool (with its
    groups and app client), event bus (with its archive and rules) and e-mail sender of the
    topology, in moto."""
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
        cognito = client("cognito-idp", settings)
        for pool in USER_POOLS:
            create_user_pool(cognito, pool)
        events = client("events", settings)
        for bus in EVENT_BUSES:
            create_event_bus(events, bus)
        ses = client("sesv2", settings)
        for sender in EMAIL_SENDERS:
            verify_email_sender(ses, sender)
    except (BotoCoreError, ClientError) as error:
        raise LocalCloudError(
            "cannot create the queues, buckets, secrets, user pools, event buses and e-mail senders "
            f"in moto server: {error}"
        ) from error
