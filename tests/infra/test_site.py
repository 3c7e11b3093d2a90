"""The web pages and the API behind one CloudFront distribution: a private bucket that only this
distribution reads (OAC), web/ uploaded under app/, `/app/*` and the default behaviour to the bucket
over HTTPS with the index rewrite, every API path pattern of the topology to the HTTP API's endpoint
uncached and uncompressed with every method, the viewer's host passed on in the API's own header;
and the local gateway serves the same folder at the same paths.

The site is the edge stack's (read from its template, `edge`), beside the API, except where
CloudFront's logs go: a bucket of the data stack, kept where the stage keeps its data. The pages'
bucket is build output, deleted with the edge stack in every stage, prod's included."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, AssetStaging, RemovalPolicy, Stack, Validations
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from infra import constants, topology
from infra.constants import ACCESS_LOG_RETENTION_DAYS, MAX_CACHE_BEHAVIORS, SITE_URL_OUTPUT
from infra.constructs import nag
from infra.constructs.site import Site, api_request_function_code, request_function_code
from infra.local.site import LocalSite
from infra.stack import ShopfloorStage
from infra.topology import OPERATIONS_CONTEXT, ROOT, SITE, Function, Route, all_routes, api_path_patterns
from shopfloor.platform.http import SITE_HOST_HEADER
from tests.infra.template import (
    AUTO_DELETE_OBJECTS_HANDLER,
    BUCKET_DEPLOYMENT_HANDLER,
    GET_STACK_OUTPUT,
    cdk_function_logical_ids,
    resources_of_type,
)

pytestmark = pytest.mark.infra

ANNOTATION_PREFIX = "Annotation::"
# CDK's role for the provider that empties a bucket before deleting it (one per stack).
AUTO_DELETE_OBJECTS_ROLE = "CustomS3AutoDeleteObjectsCustomResourceProviderRole"
# What that provider may do to the bucket it empties (CDK's grant in the bucket's policy).
AUTO_DELETE_ACTIONS = ["s3:DeleteObject*", "s3:GetBucket*", "s3:List*", "s3:PutBucketPolicy"]
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
DENIED_WITHOUT_TLS = {"Bool": {"aws:SecureTransport": "false"}}
SITE_PATTERN = "/app/*"
# What a viewer asks for, and what the request function makes of it (tests/infra runs it in Node).
REWRITES = [
    ("/app/", "/app/index.html"),
    ("/app/js/", "/app/js/index.html"),
    ("/app/index.html", "/app/index.html"),
    ("/app/js/api.js", "/app/js/api.js"),
    ("/elsewhere/", "/elsewhere/"),
    ("/app.html", "/app.html"),
]


@pytest.fixture(scope="module")
def edge(templates: dict[str, dict[str, Any]], stage: ShopfloorStage) -> dict[str, Any]:
    """The dev stage's edge stack's template."""
    return templates[stage.edge.stack_name]


def _ref(stage: ShopfloorStage, value: str) -> Any:
    return stage.edge.resolve(value)


def _bucket_id(stage: ShopfloorStage, bucket: s3.IBucket) -> str:
    return str(_ref(stage, bucket.bucket_name)["Ref"])


def _stage_and_edge(
    request: pytest.FixtureRequest, stage_fixture: str
) -> tuple[ShopfloorStage, dict[str, Any]]:
    """A stage (`stage`, `prod_stage`) and its edge stack's template."""
    stage: ShopfloorStage = request.getfixturevalue(stage_fixture)
    templates = request.getfixturevalue("templates" if stage_fixture == "stage" else "prod_templates")
    return stage, templates[stage.edge.stack_name]


def _acknowledged(construct: IConstruct) -> dict[str, str]:
    """The cdk-nag findings acknowledged on the construct itself, by id."""
    return {
        rule.removeprefix(ANNOTATION_PREFIX): reason
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    }


def _distribution(template: dict[str, Any]) -> dict[str, Any]:
    [distribution] = resources_of_type(template, "AWS::CloudFront::Distribution").values()
    return dict(distribution["Properties"]["DistributionConfig"])


def _origins(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {origin["Id"]: origin for origin in _distribution(template)["Origins"]}


def _s3_origin_id(template: dict[str, Any]) -> str:
    [origin_id] = [key for key, origin in _origins(template).items() if "S3OriginConfig" in origin]
    return origin_id


def _api_origin_id(template: dict[str, Any]) -> str:
    [origin_id] = [key for key, origin in _origins(template).items() if "CustomOriginConfig" in origin]
    return origin_id


def _behaviors(template: dict[str, Any]) -> list[dict[str, Any]]:
    return list(_distribution(template)["CacheBehaviors"])


def _first_match(path: str, patterns: list[str]) -> str:
    """The behaviour CloudFront picks: the first pattern that matches (`*` spans `/`), else default."""
    return next((pattern for pattern in patterns if fnmatchcase(path, pattern)), "default")


def _example_path(template: str) -> str:
    return template.replace("{id}", "7").replace("{vid}", "3")


def _function_id(template: dict[str, Any], code: str) -> str:
    """The logical id of the one CloudFront Function whose code is `code`."""
    [function_id] = [
        key
        for key, function in resources_of_type(template, "AWS::CloudFront::Function").items()
        if function["Properties"]["FunctionCode"] == code
    ]
    return function_id


def _viewer_request(function_id: str) -> list[dict[str, Any]]:
    return [{"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}]


def _run(code: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `handler` answers to each event, run by Node (CloudFront's runtime is JavaScript too)."""
    script = f"{code}\nprocess.stdout.write(JSON.stringify({json.dumps(events)}.map(handler)));"
    completed = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    answers: list[dict[str, Any]] = json.loads(completed.stdout)
    return answers


def _run_request_function(code: str, uris: list[str]) -> list[dict[str, Any]]:
    """The function's answers, run by Node (CloudFront's runtime is JavaScript too)."""
    events = [{"request": {"uri": uri, "method": "GET", "querystring": {}, "headers": {}}} for uri in uris]
    events.append(
        {
            "request": {
                "uri": "/app",
                "method": "GET",
                "querystring": {
                    "next": {"value": "menu"},
                    "a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}]},
                },
                "headers": {},
            }
        }
    )
    return _run(code, events)


# The bucket


def test_the_pages_bucket_is_private_encrypted_and_owns_its_objects(
    edge: dict[str, Any], stage: ShopfloorStage
) -> None:
    properties = edge["Resources"][_bucket_id(stage, stage.edge.site.bucket)]["Properties"]

    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
    }
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert "WebsiteConfiguration" not in properties


@pytest.mark.parametrize("stage_fixture", ["stage", "prod_stage"])
def test_the_pages_bucket_is_build_output_emptied_and_deleted_with_the_edge_stack_in_every_stage(
    request: pytest.FixtureRequest, stage_fixture: str
) -> None:
    """Changed with the stacks: the pages are uploaded again at every deploy, so the bucket holds no
    data and goes with its stack in prod too (it was retained there, as the stage's data is)."""
    stage, edge = _stage_and_edge(request, stage_fixture)
    bucket_id = _bucket_id(stage, stage.edge.site.bucket)
    bucket = edge["Resources"][bucket_id]
    [emptier] = [
        resource["Properties"]
        for resource in resources_of_type(edge, "Custom::S3AutoDeleteObjects").values()
        if resource["Properties"]["BucketName"] == {"Ref": bucket_id}
    ]

    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert emptier["ServiceToken"]["Fn::GetAtt"][0].startswith(AUTO_DELETE_OBJECTS_HANDLER)


@pytest.mark.parametrize("stage_fixture", ["stage", "prod_stage"])
def test_the_pages_bucket_logs_no_requests_of_its_own_and_says_why(
    request: pytest.FixtureRequest, stage_fixture: str
) -> None:
    """Changed with the stacks: server access logs would go to the data stack's bucket, whose policy
    would then name this one (the data stack depending on the edge stack). Its reads are
    CloudFront's, which logs them; cdk-nag's S1 is acknowledged on the bucket, with that reason."""
    stage, edge = _stage_and_edge(request, stage_fixture)
    properties = edge["Resources"][_bucket_id(stage, stage.edge.site.bucket)]["Properties"]
    reason = _acknowledged(stage.edge.site.bucket)[nag.BUCKET_ACCESS_LOGS]

    assert "LoggingConfiguration" not in properties
    assert "CloudFront" in reason
    assert "data stack" in reason


@pytest.mark.parametrize("stage_fixture", ["stage", "prod_stage"])
def test_only_this_distribution_may_read_the_pages_bucket_and_only_over_tls(
    request: pytest.FixtureRequest, stage_fixture: str
) -> None:
    """Besides CloudFront's reads, the bucket's policy lets CDK's auto-delete provider (of the edge
    stack) empty it, in every stage since the stacks (prod's did not have it before)."""
    stage, edge = _stage_and_edge(request, stage_fixture)
    bucket_id = _bucket_id(stage, stage.edge.site.bucket)
    [policy] = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in resources_of_type(edge, "AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    [distribution_id] = resources_of_type(edge, "AWS::CloudFront::Distribution")
    [emptier_role_id] = [
        logical_id
        for logical_id in resources_of_type(edge, "AWS::IAM::Role")
        if logical_id.startswith(AUTO_DELETE_OBJECTS_ROLE)
    ]
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    objects = {"Fn::Join": ["", [bucket_arn, "/*"]]}
    allowed = [statement for statement in policy if statement["Effect"] == "Allow"]
    denied = [statement for statement in policy if statement["Effect"] == "Deny"]

    assert sorted(allowed, key=json.dumps) == sorted(
        [
            {
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Condition": {
                    "StringEquals": {
                        "AWS:SourceArn": {
                            "Fn::Join": [
                                "",
                                [
                                    "arn:",
                                    {"Ref": "AWS::Partition"},
                                    ":cloudfront::",
                                    {"Ref": "AWS::AccountId"},
                                    ":distribution/",
                                    {"Ref": distribution_id},
                                ],
                            ]
                        }
                    }
                },
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Resource": [bucket_arn, objects],
            },
            {
                "Action": AUTO_DELETE_ACTIONS,
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::GetAtt": [emptier_role_id, "Arn"]}},
                "Resource": [bucket_arn, objects],
            },
        ],
        key=json.dumps,
    )
    assert [(d["Action"], d["Principal"], d["Condition"]) for d in denied] == [
        ("s3:*", {"AWS": "*"}, DENIED_WITHOUT_TLS)
    ]


def test_the_distribution_reads_the_bucket_through_origin_access_control(edge: dict[str, Any]) -> None:
    origin = _origins(edge)[_s3_origin_id(edge)]
    [(control_id, control)] = resources_of_type(edge, "AWS::CloudFront::OriginAccessControl").items()

    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [control_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert control["Properties"]["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None,
        "OriginAccessControlOriginType": "s3",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    assert not resources_of_type(edge, "AWS::CloudFront::CloudFrontOriginAccessIdentity")


# The behaviours


def test_the_pages_come_first_then_one_behaviour_per_api_path_pattern(edge: dict[str, Any]) -> None:
    patterns = [behavior["PathPattern"] for behavior in _behaviors(edge)]

    assert patterns == [SITE_PATTERN, *api_path_patterns()]
    assert len(patterns) <= MAX_CACHE_BEHAVIORS


@pytest.mark.parametrize("which", ["default", SITE_PATTERN])
def test_the_pages_go_to_the_bucket_over_https_read_only_cached_with_the_index_rewrite(
    edge: dict[str, Any], stage: ShopfloorStage, which: str
) -> None:
    behaviors = {behavior["PathPattern"]: behavior for behavior in _behaviors(edge)}
    behavior = _distribution(edge)["DefaultCacheBehavior"] if which == "default" else behaviors[which]
    function_id = _function_id(edge, request_function_code(SITE))

    assert behavior["TargetOriginId"] == _s3_origin_id(edge)
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["CachePolicyId"] == _ref(stage, cloudfront.CachePolicy.CACHING_OPTIMIZED.cache_policy_id)
    assert behavior["Compress"] is True
    assert behavior["ResponseHeadersPolicyId"] == _ref(
        stage, cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS.response_headers_policy_id
    )
    assert behavior["FunctionAssociations"] == _viewer_request(function_id)


def test_every_api_path_pattern_goes_to_the_api_uncached_with_every_method_and_viewer_header(
    edge: dict[str, Any], stage: ShopfloorStage
) -> None:
    api_behaviors = [behavior for behavior in _behaviors(edge) if behavior["PathPattern"] != SITE_PATTERN]
    function_id = _function_id(edge, api_request_function_code())

    assert [behavior["PathPattern"] for behavior in api_behaviors] == api_path_patterns()
    for behavior in api_behaviors:
        assert behavior["TargetOriginId"] == _api_origin_id(edge), behavior["PathPattern"]
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        assert behavior["AllowedMethods"] == ALL_METHODS
        assert behavior["CachePolicyId"] == _ref(
            stage, cloudfront.CachePolicy.CACHING_DISABLED.cache_policy_id
        )
        assert behavior["OriginRequestPolicyId"] == _ref(
            stage, cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.origin_request_policy_id
        )
        # The viewer's Host in the API's own header, which the policy passes on with the others.
        assert behavior["FunctionAssociations"] == _viewer_request(function_id), behavior["PathPattern"]
        # The functions gzip for a viewer whose Accept-Encoding (passed on) allows it.
        assert behavior["Compress"] is False, behavior["PathPattern"]


def test_the_api_origin_is_the_http_apis_endpoint_over_https_with_no_path(
    edge: dict[str, Any], stage: ShopfloorStage
) -> None:
    """The API and the distribution are both the edge stack's: the origin refers to the API itself."""
    origin = _origins(edge)[_api_origin_id(edge)]

    # The $default stage answers at the endpoint's root: no origin path.
    assert "OriginPath" not in origin
    assert origin["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    # <api id>.execute-api.<region>.<suffix>: the host of the API's URL.
    assert origin["DomainName"] == {
        "Fn::Join": [
            "",
            [
                _ref(stage, stage.edge.api.http_api.api_id),
                ".execute-api.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
            ],
        ]
    }
    url_parts = _ref(stage, stage.edge.api.url)["Fn::Join"][1]
    assert url_parts == ["https://", *origin["DomainName"]["Fn::Join"][1], "/"]


def test_every_route_reaches_the_api_and_every_page_the_bucket() -> None:
    patterns = [SITE_PATTERN, *api_path_patterns()]
    for route, _ in all_routes():
        path = _example_path(route.resource_path)
        for variant in (path, f"{path}/"):
            assert _first_match(variant, patterns) in api_path_patterns(), variant
    for page in ("/app/", "/app/index.html", "/app/menu.html", "/app/js/api.js", "/app/css/app.css"):
        assert _first_match(page, patterns) == SITE_PATTERN
    for elsewhere in ("/", "/app", "/favicon.ico"):
        assert _first_match(elsewhere, patterns) == "default"


def test_api_path_patterns_are_the_first_segments_of_the_topologys_routes() -> None:
    firsts = {route.resource_path.split("/")[1] for route, _ in all_routes()}

    assert {pattern.strip("/*") for pattern in api_path_patterns()} == firsts
    assert api_path_patterns()[:4] == ["/products*", "/warranties*", "/warranty-plans*", "/v1/*"]
    assert {"/auth/*", "/users/*", "/menu*", "/orders*", "/health*", "/docs*", "/openapi.json*"} <= set(
        api_path_patterns()
    )


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/", "the root path is the site's"),
        ("/app/things", "would take the site's"),
        ("/a", "would take the site's"),
    ],
)
def test_a_route_that_would_take_the_sites_paths_is_refused(
    monkeypatch: pytest.MonkeyPatch, path: str, refused: str
) -> None:
    clash = Function(
        name="clash", description="clash", context=OPERATIONS_CONTEXT, routes=(Route("GET", path),)
    )
    monkeypatch.setattr(topology, "FUNCTIONS", (*topology.FUNCTIONS, clash))

    with pytest.raises(ValueError, match=refused):
        api_path_patterns()


def test_the_distribution_logs_to_the_data_stacks_cloudfront_log_bucket_and_names_a_root_object(
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    """Changed with the stacks: CloudFront's log bucket is the data stack's (it was the site's own),
    which the edge stack reads; logs are kept where the stage keeps its data."""
    edge = templates[stage.edge.stack_name]
    logs_id = _bucket_id(stage, stage.data.buckets.cloudfront_logs)
    read = _distribution(edge)["Logging"]["Bucket"]

    assert stage.edge.site.logs is stage.data.buckets.cloudfront_logs
    assert logs_id in templates[stage.data.stack_name]["Resources"]
    assert logs_id not in edge["Resources"]
    assert read[GET_STACK_OUTPUT]["StackName"] == stage.data.stack_name
    assert _distribution(template_dict)["Logging"] == {
        "Bucket": {"Fn::GetAtt": [logs_id, "RegionalDomainName"]},
        "IncludeCookies": False,
        "Prefix": "cloudfront/",
    }
    assert _distribution(edge)["DefaultRootObject"] == f"{SITE.key_prefix}{SITE.index}"


@pytest.mark.parametrize(("stage_fixture", "kept"), [("stage", "Delete"), ("prod_stage", "Retain")])
def test_cloudfronts_log_bucket_takes_acls_expires_its_logs_and_logs_its_own_requests(
    request: pytest.FixtureRequest, stage_fixture: str, kept: str
) -> None:
    """In the data stack, beside the access-log bucket it logs its requests to, and deleted with it
    or kept as the stage's data is (the pages' bucket is deleted in every stage)."""
    stage: ShopfloorStage = request.getfixturevalue(stage_fixture)
    data = request.getfixturevalue("templates" if stage_fixture == "stage" else "prod_templates")[
        stage.data.stack_name
    ]
    bucket = data["Resources"][_bucket_id(stage, stage.data.buckets.cloudfront_logs)]
    logs = bucket["Properties"]

    # CloudFront delivers its logs with an ACL: the bucket takes ACLs, and nobody else's.
    assert logs["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    assert all(logs["PublicAccessBlockConfiguration"].values())
    [rule] = logs["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == ACCESS_LOG_RETENTION_DAYS
    assert logs["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": _bucket_id(stage, stage.data.buckets.access_logs)
    }
    assert logs["LoggingConfiguration"]["LogFilePrefix"] == f"{SITE.name}-cloudfront-logs/"
    assert bucket["DeletionPolicy"] == kept


# The request function


def test_the_two_functions_are_the_sites_and_the_apis_in_cloudfronts_javascript_2(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    """The stage's only CloudFront Functions, both the edge stack's."""
    functions = resources_of_type(templates[stage.edge.stack_name], "AWS::CloudFront::Function")
    elsewhere = {
        name
        for name, template in templates.items()
        if name != stage.edge.stack_name and resources_of_type(template, "AWS::CloudFront::Function")
    }

    assert elsewhere == set()

    assert sorted(function["Properties"]["FunctionCode"] for function in functions.values()) == sorted(
        [request_function_code(SITE), api_request_function_code()]
    )
    for function in functions.values():
        assert function["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
        assert function["Properties"]["AutoPublish"] is True


def test_the_request_function_redirects_the_root_and_the_prefix_and_rewrites_folders_to_their_index() -> None:
    uris = ["/", "/app", *(uri for uri, _ in REWRITES)]
    *answers, with_query = _run_request_function(request_function_code(SITE), uris)

    root, prefix, *rewritten = answers
    assert root == {
        "statusCode": 302,
        "statusDescription": "Found",
        "headers": {"location": {"value": "/app/"}},
    }
    assert prefix["statusCode"] == 301
    assert prefix["headers"] == {"location": {"value": "/app/"}}
    assert [answer["uri"] for answer in rewritten] == [uri for _, uri in REWRITES]
    assert with_query["headers"]["location"]["value"] == "/app/?next=menu&a=1&a=2"


def test_the_api_function_names_the_header_the_api_reads() -> None:
    assert constants.SITE_HOST_HEADER == SITE_HOST_HEADER == SITE_HOST_HEADER.lower()
    assert json.dumps(SITE_HOST_HEADER) in api_request_function_code()
    assert "__HEADER__" not in api_request_function_code()


def test_the_api_function_copies_the_viewers_host_into_the_apis_header_and_changes_nothing_else() -> None:
    request: dict[str, Any] = {
        "method": "POST",
        "uri": "/v1/factories",
        "querystring": {
            "limit": {"value": "20"},
            "a": {"value": "1", "multiValue": [{"value": "1"}, {"value": "2"}]},
        },
        "headers": {
            "host": {"value": "d123.cloudfront.net"},
            "authorization": {"value": "Bearer token"},
            "idempotency-key": {"value": "key-1"},
            "accept": {"value": "text/html", "multiValue": [{"value": "text/html"}, {"value": "*/*"}]},
        },
        "cookies": {"session": {"value": "s"}},
    }
    # A viewer that sends the header itself gets the Host it called instead.
    spoofed = {**request, "headers": {**request["headers"], SITE_HOST_HEADER: {"value": "evil.example.com"}}}
    without_host = {**request, "headers": {SITE_HOST_HEADER: {"value": "evil.example.com"}}}
    viewer = {"ip": "198.51.100.7"}
    events = [
        {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": viewer, "request": sent}
        for sent in (request, spoofed, without_host)
    ]

    answered, answered_spoofed, answered_without_host = _run(api_request_function_code(), events)

    expected = {
        **request,
        "headers": {**request["headers"], SITE_HOST_HEADER: {"value": "d123.cloudfront.net"}},
    }
    assert answered == expected
    assert answered_spoofed == expected
    assert answered_without_host == {**request, "headers": {}}


# The deployment


def test_web_is_uploaded_under_app_with_no_cache_and_pruned(
    edge: dict[str, Any], stage: ShopfloorStage
) -> None:
    [deployment] = resources_of_type(edge, "Custom::CDKBucketDeployment").values()
    [staged] = [
        child
        for child in stage.edge.site.deployment.node.find_all()
        if isinstance(child, AssetStaging) and Path(child.source_path) == SITE.source_dir
    ]
    properties = deployment["Properties"]

    assert properties["SourceObjectKeys"] == [f"{staged.asset_hash}.zip"]
    assert properties["DestinationBucketName"] == {"Ref": _bucket_id(stage, stage.edge.site.bucket)}
    assert properties["DestinationBucketKeyPrefix"] == SITE.key_prefix == "app/"
    assert properties["Prune"] is True
    assert properties["Exclude"] == list(SITE.exclude)
    assert properties["SystemMetadata"] == {"cache-control": "no-cache"}


def test_the_deployment_handler_is_traced_logged_with_a_retention_and_has_no_managed_policy(
    edge: dict[str, Any],
) -> None:
    [handler_id] = [
        logical_id
        for logical_id in cdk_function_logical_ids(edge)
        if logical_id.startswith(BUCKET_DEPLOYMENT_HANDLER)
    ]
    handler = edge["Resources"][handler_id]["Properties"]
    role = edge["Resources"][handler["Role"]["Fn::GetAtt"][0]]["Properties"]
    log_group = edge["Resources"][handler["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]

    assert handler["TracingConfig"] == {"Mode": "Active"}
    assert "ManagedPolicyArns" not in role
    assert log_group["RetentionInDays"] > 0


def test_the_site_url_is_an_output_of_the_edge_stack(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    edge = templates[stage.edge.stack_name]
    [distribution_id] = resources_of_type(edge, "AWS::CloudFront::Distribution")

    assert [
        name for name, template in templates.items() if SITE_URL_OUTPUT in template.get("Outputs", {})
    ] == [stage.edge.stack_name]
    assert edge["Outputs"][SITE_URL_OUTPUT]["Value"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/app/"]]
    }


def test_a_missing_pages_folder_is_refused_at_synth(tmp_path: Path) -> None:
    stack = Stack(App(), "Missing")
    api = apigatewayv2.HttpApi(stack, "Api")

    with pytest.raises(ValueError, match="does not exist"):
        Site(
            stack,
            "Site",
            api=api,
            log_bucket=s3.Bucket(stack, "Logs"),
            removal_policy=RemovalPolicy.DESTROY,
            log_retention=logs.RetentionDays.ONE_WEEK,
            site=dataclasses.replace(SITE, source_dir=tmp_path / "nope"),
        )


# Parity with the local gateway


def test_the_local_gateway_serves_each_uploaded_file_at_the_path_cloudfront_serves_its_key(
    stage: ShopfloorStage,
) -> None:
    """A page's path is its key in the bucket with a leading slash; locally it is that file."""
    local = LocalSite()
    uploaded = {
        file.relative_to(SITE.source_dir).as_posix(): file
        for file in SITE.source_dir.rglob("*")
        if file.is_file()
        and not any(fnmatchcase(file.relative_to(SITE.source_dir).as_posix(), p) for p in SITE.exclude)
    }

    assert stage.edge.site.site.source_dir == local.root == ROOT / "web"
    assert uploaded, "web/ has no page"
    for relative, file in uploaded.items():
        key = f"{SITE.key_prefix}{relative}"
        assert local.file_for(f"/{key}") == file.resolve()
    # `/app/` is app/index.html both ways (CloudFront's request function rewrites it).
    assert local.file_for(SITE.home_path) == (SITE.source_dir / SITE.index).resolve()
