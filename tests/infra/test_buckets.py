"""Buckets: one per topology bucket, encrypted, versioned, private, TLS only, aging into cheaper
storage, logged to an access-log bucket, kept unless asked otherwise; only its writers may put
objects in it, and nothing may read or delete them.

They are the data stack's, with the access-log bucket and CloudFront's log bucket (which moved there
from the site): every bucket that holds something to keep. The one other bucket, the site's pages,
is the edge stack's build output, deleted with its stack in every stage (tests/infra/test_site.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from infra.constants import (
    ACCESS_LOG_RETENTION_DAYS,
    INCOMPLETE_UPLOAD_ABORT_DAYS,
    NONCURRENT_VERSION_EXPIRATION_DAYS,
)
from infra.constructs.buckets import check_lifecycle, output_id
from infra.stack import DATA, EDGE, ShopfloorStage
from infra.stages import DEV, PROD
from infra.topology import BUCKETS, FUNCTIONS, WARRANTY_ARCHIVE, Bucket
from tests.infra.template import actions_on, function_statements, resources_of_type, statement_actions

pytestmark = pytest.mark.infra

WRITERS = [function for function in FUNCTIONS if function.writes_to]
DENIED_WITHOUT_TLS = {"Bool": {"aws:SecureTransport": "false"}}


def _logical_id(stage: ShopfloorStage, bucket: Bucket) -> str:
    return str(stage.data.resolve(stage.data.buckets.by_name[bucket.name].bucket_name)["Ref"])


def _access_logs_id(stage: ShopfloorStage) -> str:
    return str(stage.data.resolve(stage.data.buckets.access_logs.bucket_name)["Ref"])


def _cloudfront_logs_id(stage: ShopfloorStage) -> str:
    """CloudFront's standard logs of the site: the data stack's, and the one bucket of the site's that
    logs its requests to the access-log bucket too."""
    return str(stage.data.resolve(stage.data.buckets.cloudfront_logs.bucket_name)["Ref"])


def _site_bucket_id(stage: ShopfloorStage) -> str:
    """The site's pages: the edge stack's."""
    return str(stage.edge.resolve(stage.edge.site.bucket.bucket_name)["Ref"])


def _objects(stage: ShopfloorStage, bucket: Bucket) -> Any:
    """The reference to every object of the bucket (`<bucket ARN>/*`), as grants write it."""
    return stage.data.resolve(stage.data.buckets.by_name[bucket.name].arn_for_objects("*"))


def _policy_statements(template_dict: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    [policy] = [
        policy["Properties"]["PolicyDocument"]
        for policy in resources_of_type(template_dict, "AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": logical_id}
    ]
    return list(policy["Statement"])


def test_there_is_one_bucket_per_topology_bucket_and_one_for_their_access_logs(
    template_dict: dict[str, Any],
) -> None:
    """And CloudFront's log bucket, and the site's pages (tests/infra/test_site.py)."""
    assert len(resources_of_type(template_dict, "AWS::S3::Bucket")) == len(BUCKETS) + 1 + 2


def test_the_data_stack_holds_every_bucket_but_the_pages_which_are_the_edges(
    templates: dict[str, dict[str, Any]], template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    """CloudFront's log bucket moved from the site to the data stack (logs are kept, the pages are
    not), and the site's distribution writes to it there."""
    held = {
        stack_name: set(resources_of_type(template, "AWS::S3::Bucket"))
        for stack_name, template in templates.items()
    }
    expected: dict[str, set[str]] = {stack_name: set() for stack_name in templates}
    expected[DEV.stack_name(DATA)] = {
        *(_logical_id(stage, bucket) for bucket in BUCKETS),
        _access_logs_id(stage),
        _cloudfront_logs_id(stage),
    }
    expected[DEV.stack_name(EDGE)] = {_site_bucket_id(stage)}

    assert held == expected
    assert stage.edge.site.logs is stage.data.buckets.cloudfront_logs
    [distribution] = resources_of_type(template_dict, "AWS::CloudFront::Distribution").values()
    logging = distribution["Properties"]["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": [_cloudfront_logs_id(stage), "RegionalDomainName"]}


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_each_bucket_is_encrypted_versioned_private_and_owns_its_objects(
    template_dict: dict[str, Any], stage: ShopfloorStage, bucket: Bucket
) -> None:
    properties = template_dict["Resources"][_logical_id(stage, bucket)]["Properties"]

    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_each_bucket_moves_objects_to_cheaper_classes_and_cleans_up_versions_and_uploads(
    template_dict: dict[str, Any], stage: ShopfloorStage, bucket: Bucket
) -> None:
    lifecycle = template_dict["Resources"][_logical_id(stage, bucket)]["Properties"]["LifecycleConfiguration"]

    [rule] = lifecycle["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": bucket.infrequent_access_after_days},
        {"StorageClass": "GLACIER_IR", "TransitionInDays": bucket.glacier_after_days},
    ]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": NONCURRENT_VERSION_EXPIRATION_DAYS}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": INCOMPLETE_UPLOAD_ABORT_DAYS}
    assert rule["ExpiredObjectDeleteMarker"] is True
    # Current versions never expire: the archive is kept.
    assert "ExpirationInDays" not in rule
    assert lifecycle["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_the_warranty_archive_ages_into_infrequent_access_then_glacier(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    properties = template_dict["Resources"][_logical_id(stage, WARRANTY_ARCHIVE)]["Properties"]

    [rule] = properties["LifecycleConfiguration"]["Rules"]
    assert rule["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
        {"StorageClass": "GLACIER_IR", "TransitionInDays": 180},
    ]


def test_every_bucket_refuses_requests_without_tls(template_dict: dict[str, Any]) -> None:
    denied_without_tls = set()
    for policy in resources_of_type(template_dict, "AWS::S3::BucketPolicy").values():
        logical_id = policy["Properties"]["Bucket"]["Ref"]
        bucket_arn = {"Fn::GetAtt": [logical_id, "Arn"]}
        objects = {"Fn::Join": ["", [bucket_arn, "/*"]]}
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if (
                statement["Effect"] == "Deny"
                and statement["Action"] == "s3:*"
                and statement["Principal"] == {"AWS": "*"}
                and statement["Condition"] == DENIED_WITHOUT_TLS
                and statement["Resource"] == [bucket_arn, objects]
            ):
                denied_without_tls.add(logical_id)

    assert denied_without_tls == set(resources_of_type(template_dict, "AWS::S3::Bucket"))


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_each_bucket_logs_its_requests_to_the_access_log_bucket(
    template_dict: dict[str, Any], stage: ShopfloorStage, bucket: Bucket
) -> None:
    properties = template_dict["Resources"][_logical_id(stage, bucket)]["Properties"]

    assert properties["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": _access_logs_id(stage)},
        "LogFilePrefix": f"{bucket.name}/",
        "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
    }


def test_only_s3_log_delivery_from_our_buckets_may_write_access_logs(
    prod_template_dict: dict[str, Any], prod_stage: ShopfloorStage
) -> None:
    """One statement per logged bucket (each writes under its own prefix): the topology's and
    CloudFront's log bucket, the data stack's. The site's pages no longer log their requests here
    (changed with the split: the data stack's policy would have to name the edge stack's bucket;
    CloudFront's logs record every read of them). In prod: dev's buckets also let CDK's auto-delete
    provider empty them (test_dev_empties_and_deletes_its_buckets)."""
    template_dict, stage = prod_template_dict, prod_stage
    access_logs = _access_logs_id(stage)
    deliveries = [
        statement
        for statement in _policy_statements(template_dict, access_logs)
        if statement["Effect"] == "Allow"
    ]

    sources = []
    for delivery in deliveries:
        assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert delivery["Action"] == "s3:PutObject"
        source = delivery["Condition"]["ArnLike"]["aws:SourceArn"]
        sources += source if isinstance(source, list) else [source]
        assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    logged = [_logical_id(stage, bucket) for bucket in BUCKETS] + [_cloudfront_logs_id(stage)]
    assert sorted(map(str, sources)) == sorted(
        str({"Fn::GetAtt": [logical_id, "Arn"]}) for logical_id in logged
    )


def test_the_access_log_bucket_is_encrypted_private_and_expires_logs(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    properties = template_dict["Resources"][_access_logs_id(stage)]["Properties"]

    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert all(properties["PublicAccessBlockConfiguration"].values())
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [rule] = properties["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == ACCESS_LOG_RETENTION_DAYS
    assert "LoggingConfiguration" not in properties


def test_prods_buckets_are_retained(prod_templates: dict[str, dict[str, Any]]) -> None:
    """Every bucket of prod's data stack is kept, and nothing empties one. The site's pages (the edge
    stack's) are the exception, deliberately since the split: build output, emptied and deleted with
    their stack in every stage (tests/infra/test_site.py)."""
    data = prod_templates[PROD.stack_name(DATA)]
    buckets = resources_of_type(data, "AWS::S3::Bucket").values()

    assert len(buckets) == len(BUCKETS) + 2
    assert {(bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) for bucket in buckets} == {
        ("Retain", "Retain")
    }
    assert not resources_of_type(data, "Custom::S3AutoDeleteObjects")
    for stack_name, template in prod_templates.items():
        if stack_name not in (PROD.stack_name(DATA), PROD.stack_name(EDGE)):
            assert not resources_of_type(template, "AWS::S3::Bucket"), stack_name
            assert not resources_of_type(template, "Custom::S3AutoDeleteObjects"), stack_name
    [pages] = resources_of_type(prod_templates[PROD.stack_name(EDGE)], "AWS::S3::Bucket").values()
    assert pages["DeletionPolicy"] == "Delete"


def test_dev_empties_and_deletes_its_buckets(template_dict: dict[str, Any]) -> None:
    buckets = resources_of_type(template_dict, "AWS::S3::Bucket")
    emptied = {
        resource["Properties"]["BucketName"]["Ref"]
        for resource in resources_of_type(template_dict, "Custom::S3AutoDeleteObjects").values()
    }

    assert {bucket["DeletionPolicy"] for bucket in buckets.values()} == {"Delete"}
    assert emptied == set(buckets)


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_a_buckets_name_is_an_output_of_the_data_stack(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage, bucket: Bucket
) -> None:
    outputs = templates[stage.data.stack_name]["Outputs"]

    assert outputs[output_id(bucket)]["Value"] == {"Ref": _logical_id(stage, bucket)}


def test_the_warranty_archive_output_has_the_name_the_readme_gives() -> None:
    assert output_id(WARRANTY_ARCHIVE) == "WarrantyArchiveBucketName"


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_only_the_functions_writing_to_a_bucket_may_put_objects_there_and_nothing_more(
    template_dict: dict[str, Any], stage: ShopfloorStage, bucket: Bucket
) -> None:
    for function in FUNCTIONS:
        actions = actions_on(template_dict, function.name, _objects(stage, bucket))

        expected = {"s3:PutObject"} if bucket.name in function.writes_to else set()
        assert actions == expected, function.name


def test_the_archiver_may_put_archive_objects_but_never_read_or_delete_them(
    template_dict: dict[str, Any], stage: ShopfloorStage
) -> None:
    on_archive = actions_on(template_dict, "warranty-archiver", _objects(stage, WARRANTY_ARCHIVE))
    in_s3 = {
        action
        for statement in function_statements(template_dict, "warranty-archiver")
        for action in statement_actions(statement)
        if action.startswith("s3:")
    }

    assert on_archive == {"s3:PutObject"}
    assert in_s3 == {"s3:PutObject"}
    assert "s3:DeleteObject" not in in_s3


def test_no_function_may_do_anything_else_in_s3(template_dict: dict[str, Any]) -> None:
    writers = {function.name for function in WRITERS}

    for function in FUNCTIONS:
        s3_actions = {
            action
            for statement in function_statements(template_dict, function.name)
            for action in statement_actions(statement)
            if action.startswith("s3:")
        }
        assert s3_actions == ({"s3:PutObject"} if function.name in writers else set()), function.name


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_the_topology_lifecycle_is_one_s3_accepts(bucket: Bucket) -> None:
    check_lifecycle(bucket)


@pytest.mark.parametrize(
    ("infrequent_access_after_days", "glacier_after_days"),
    [(29, 180), (30, 59), (90, 90)],
)
def test_a_lifecycle_s3_would_refuse_is_refused_at_synth(
    infrequent_access_after_days: int, glacier_after_days: int
) -> None:
    bucket = dataclasses.replace(
        WARRANTY_ARCHIVE,
        infrequent_access_after_days=infrequent_access_after_days,
        glacier_after_days=glacier_after_days,
    )

    with pytest.raises(ValueError, match=WARRANTY_ARCHIVE.name):
        check_lifecycle(bucket)
