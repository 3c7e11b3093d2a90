"""Every S3 bucket of the topology: encrypted, versioned, private, TLS only, its objects moving to
cheaper storage classes as they age; one bucket that receives their server access logs; and the
one CloudFront's standard logs of the site go to. All are the data stack's.

In a stage that destroys its data (dev, infra.stages) the buckets are emptied and deleted with the
stack: CDK's auto-delete custom resource first denies new objects, then deletes every version.
In one that retains it (prod) they stay, and nothing deletes objects but the lifecycle rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constants import (
    ACCESS_LOG_RETENTION_DAYS,
    INCOMPLETE_UPLOAD_ABORT_DAYS,
    MIN_DAYS_BEFORE_INFREQUENT_ACCESS,
    MIN_DAYS_IN_INFREQUENT_ACCESS,
    NONCURRENT_VERSION_EXPIRATION_DAYS,
)
from infra.constructs import nag
from infra.constructs.naming import construct_id
from infra.topology import BUCKETS, SITE, Bucket

# Instant retrieval: an archived object is read when a claim is disputed, without a restore job.
ARCHIVE_STORAGE_CLASS = s3.StorageClass.GLACIER_INSTANT_RETRIEVAL
# CDK's singleton provider of auto_delete_objects (one per stack), and cfn-lint's no-tracing rule.
AUTO_DELETE_OBJECTS_PROVIDER = "Custom::S3AutoDeleteObjectsCustomResourceProvider"
NO_TRACING = "WS1000"


class Buckets(Construct):
    """The buckets, by their topology name (`warranty-archive`, ...), and their access-log bucket."""

    def __init__(self, scope: Construct, construct_id_: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id_)
        auto_delete = removal_policy == RemovalPolicy.DESTROY
        self.access_logs = _access_log_bucket(self, removal_policy, auto_delete=auto_delete)
        self.cloudfront_logs = _cloudfront_log_bucket(self, self.access_logs, removal_policy)
        self.by_name: Mapping[str, s3.Bucket] = MappingProxyType(
            {bucket.name: _bucket(self, bucket, self.access_logs, removal_policy) for bucket in BUCKETS}
        )
        if auto_delete:
            exempt_auto_delete_handler_from_tracing(Stack.of(self))

    @property
    def names(self) -> dict[str, str]:
        """Each bucket's deployed name (a token until deploy time), by topology name."""
        return {name: bucket.bucket_name for name, bucket in self.by_name.items()}


def output_id(bucket: Bucket) -> str:
    """`warranty-archive` -> `WarrantyArchiveBucketName`, the stack output with its name."""
    return construct_id(bucket.name, "BucketName")


def check_lifecycle(bucket: Bucket) -> None:
    """S3 refuses a lifecycle configuration that moves objects out of Standard-IA too early."""
    if bucket.infrequent_access_after_days < MIN_DAYS_BEFORE_INFREQUENT_ACCESS:
        raise ValueError(
            f"{bucket.name}: objects move to Standard-IA after {bucket.infrequent_access_after_days} days; "
            f"S3 requires at least {MIN_DAYS_BEFORE_INFREQUENT_ACCESS}"
        )
    if bucket.glacier_after_days < bucket.infrequent_access_after_days + MIN_DAYS_IN_INFREQUENT_ACCESS:
        raise ValueError(
            f"{bucket.name}: objects move to Glacier after {bucket.glacier_after_days} days, less than "
            f"{MIN_DAYS_IN_INFREQUENT_ACCESS} days after they entered Standard-IA "
            f"({bucket.infrequent_access_after_days})"
        )


def _bucket(
    scope: Construct,
    bucket: Bucket,
    access_logs: s3.Bucket,
    removal_policy: RemovalPolicy,
) -> s3.Bucket:
    check_lifecycle(bucket)
    return private_bucket(
        scope,
        construct_id(bucket.name),
        access_logs=access_logs,
        log_prefix=f"{bucket.name}/",
        versioned=True,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="age-and-clean-up",
                transitions=[
                    s3.Transition(
                        storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                        transition_after=Duration.days(bucket.infrequent_access_after_days),
                    ),
                    s3.Transition(
                        storage_class=ARCHIVE_STORAGE_CLASS,
                        transition_after=Duration.days(bucket.glacier_after_days),
                    ),
                ],
                noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_EXPIRATION_DAYS),
                abort_incomplete_multipart_upload_after=Duration.days(INCOMPLETE_UPLOAD_ABORT_DAYS),
                expired_object_delete_marker=True,
            )
        ],
        # Both classes bill at least 128 KB per object: a smaller object stays in Standard, where
        # it costs less (S3's default, stated so that nobody "fixes" it).
        transition_default_minimum_object_size=s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
        removal_policy=removal_policy,
    )


def _cloudfront_log_bucket(
    scope: Construct, access_logs: s3.Bucket, removal_policy: RemovalPolicy
) -> s3.Bucket:
    """Where CloudFront's standard logs of the site go (the edge stack's distribution writes here)."""
    return private_bucket(
        scope,
        "CloudFrontLogs",
        access_logs=access_logs,
        log_prefix=f"{SITE.name}-cloudfront-logs/",
        # CloudFront's standard logs are delivered with an ACL (by the awslogsdelivery account),
        # which a bucket that enforces its ownership refuses: this one takes ACLs.
        object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
        lifecycle_rules=[_expire_logs()],
        removal_policy=removal_policy,
    )


def _expire_logs() -> s3.LifecycleRule:
    """What a bucket of logs keeps: each log for ACCESS_LOG_RETENTION_DAYS."""
    return s3.LifecycleRule(
        id="expire-logs",
        expiration=Duration.days(ACCESS_LOG_RETENTION_DAYS),
        abort_incomplete_multipart_upload_after=Duration.days(INCOMPLETE_UPLOAD_ABORT_DAYS),
    )


def _access_log_bucket(scope: Construct, removal_policy: RemovalPolicy, *, auto_delete: bool) -> s3.Bucket:
    access_logs = s3.Bucket(
        scope,
        "AccessLogs",
        # S3 delivers server access logs only to a bucket encrypted with SSE-S3, never SSE-KMS.
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        # The log delivery service is granted by the bucket policy (no ACL), which this requires.
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        lifecycle_rules=[_expire_logs()],
        removal_policy=removal_policy,
        auto_delete_objects=auto_delete,
    )
    nag.acknowledge(
        access_logs,
        nag.BUCKET_ACCESS_LOGS,
        "This bucket is where the other buckets' server access logs go; logging its own requests "
        "into itself would log every log delivery, endlessly. Changes to its policy and lifecycle are "
        "management events, which CloudTrail records.",
    )
    return access_logs


def private_bucket(
    scope: Construct,
    construct_id_: str,
    *,
    access_logs: s3.IBucket | None,
    log_prefix: str | None,
    lifecycle_rules: list[s3.LifecycleRule],
    removal_policy: RemovalPolicy,
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: bool | None = None,
    transition_default_minimum_object_size: s3.TransitionDefaultMinimumObjectSize | None = None,
) -> s3.Bucket:
    """A bucket as every bucket of the stage is made: SSE-S3, public access blocked, TLS only, its
    requests logged to `access_logs` (if any) under `log_prefix` (keys partitioned by date, so that Athena or
    a listing reads one day at a time), emptied and deleted with a throw-away stack."""
    return s3.Bucket(
        scope,
        construct_id_,
        # SSE-S3: who may read is decided by IAM and the bucket policy alone (a KMS key would add a
        # key policy to keep in step with them), and no KMS request is paid per object.
        encryption=s3.BucketEncryption.S3_MANAGED,
        versioned=versioned,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=object_ownership,
        enforce_ssl=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=log_prefix,
        target_object_key_format=(
            None
            if access_logs is None
            else s3.TargetObjectKeyFormat.partitioned_prefix(s3.PartitionDateSource.EVENT_TIME)
        ),
        lifecycle_rules=lifecycle_rules,
        transition_default_minimum_object_size=transition_default_minimum_object_size,
        removal_policy=removal_policy,
        auto_delete_objects=removal_policy == RemovalPolicy.DESTROY,
    )


def exempt_auto_delete_handler_from_tracing(stack: Stack) -> None:
    """cfn-lint's serverless rule WS1000 wants X-Ray tracing on every function; CDK's provider that
    empties a bucket before deleting it (a stage that destroys its data) offers no way to turn it on.
    It runs once per bucket, when its stack is deleted: tell cfn-lint, on that function alone."""
    provider = stack.node.find_child(AUTO_DELETE_OBJECTS_PROVIDER)
    handler = provider.node.find_child("Handler")
    if not isinstance(handler, CfnResource):
        raise TypeError(f"{AUTO_DELETE_OBJECTS_PROVIDER}/Handler is no CfnResource: CDK changed its provider")
    handler.add_metadata("cfn-lint", {"config": {"ignore_checks": [NO_TRACING]}})
