"""The web pages (`infra.topology.SITE`) and the API behind one CloudFront distribution: one origin,
so the pages call the API with relative URLs and nothing needs CORS.

- The pages live in a private bucket (no public access, SSE-S3, TLS only), under the key prefix
  `app/`, uploaded from `web/` by a BucketDeployment (a Lambda function with the AWS CLI: no Docker)
  at every deploy; files gone from `web/` are deleted. Each object says `Cache-Control: no-cache`,
  as the local gateway does: the browser revalidates each load with the ETag (304), and CloudFront
  keeps a copy for the managed CachingOptimized policy's minimum TTL only (1 second), so a deploy
  shows at once, without an invalidation.
- CloudFront reads the bucket through Origin Access Control: the bucket policy lets
  cloudfront.amazonaws.com read (and list, so that a missing page is 404 rather than 403) for this
  distribution alone. `/app/*` and the default behaviour go to the bucket, HTTP redirected to HTTPS,
  with the managed security headers; a viewer-request function answers `/` and `/app` with a
  redirect to `/app/` and rewrites a path ending in `/` to its `index.html` (CloudFront's default
  root object would apply to `/` alone).
- Every API path pattern (`infra.topology.api_path_patterns`) goes to the HTTP API's endpoint
  (`<api id>.execute-api.<region>.<suffix>`; its `$default` stage adds no path): HTTPS only, every
  method, nothing cached, every viewer header (Authorization, Idempotency-Key, Accept-Encoding),
  the query string and the body passed on; the Host header is the HTTP API's own. A viewer-request
  function on them copies the viewer's Host into `x-shopfloor-site-host` (SITE_HOST_HEADER), from
  which the API builds its absolute URLs (`Location`, `Link`, the document's server) on the
  distribution's domain. The functions gzip the answers (from the Accept-Encoding passed on), not
  CloudFront, nor the HTTP API.
- Standard access logs go to a bucket of their own, in the data stack (CloudFront delivers them with
  an ACL, which the access-log bucket does not take). The pages' bucket is build output, deleted
  with its stack in every stage: this stack holds no data.
"""

from __future__ import annotations

import json

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct, IConstruct

from infra.constants import (
    INCOMPLETE_UPLOAD_ABORT_DAYS,
    MAX_CACHE_BEHAVIORS,
    SITE_HOST_HEADER,
)
from infra.constructs import nag
from infra.constructs.buckets import exempt_auto_delete_handler_from_tracing, private_bucket
from infra.topology import SITE, api_path_patterns
from infra.topology import Site as SiteDeclaration

# The pages are a few small files: the deployment function unzips and syncs them in seconds.
DEPLOYMENT_MEMORY_MB = 512
# What Lambda's active tracing needs, as lambda.Function grants it (no resource-level permissions).
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
CLOUDFRONT_LOG_PREFIX = "cloudfront/"
# The construct id of the singleton function every BucketDeployment of a stack shares (with a
# suffix of its memory size).
DEPLOYMENT_HANDLER_ID_PREFIX = "Custom::CDKBucketDeployment"
# CDK warns of an S3 origin that may list its bucket (AccessLevel.LIST), whatever else is set.
LIST_BUCKET_WARNING = "@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk"

# CloudFront Functions (JavaScript runtime 2.0), on viewer requests to the bucket. `__SITE__` is
# replaced by the site's paths; tests/infra/test_site.py runs it under Node.
_REQUEST_FUNCTION = """\
var SITE = __SITE__;

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/") {
    return redirect(302, "Found", SITE.home + query(request.querystring));
  }
  if (uri === SITE.prefix) {
    return redirect(301, "Moved Permanently", SITE.home + query(request.querystring));
  }
  if (uri.indexOf(SITE.home) === 0 && uri.charAt(uri.length - 1) === "/") {
    request.uri = uri + SITE.index;
  }
  return request;
}

function redirect(status, description, location) {
  return { statusCode: status, statusDescription: description, headers: { location: { value: location } } };
}

function query(querystring) {
  var parts = [];
  for (var name in querystring) {
    var entry = querystring[name];
    var values = entry.multiValue || [entry];
    for (var i = 0; i < values.length; i++) {
      parts.push(values[i].value === "" ? name : name + "=" + values[i].value);
    }
  }
  return parts.length ? "?" + parts.join("&") : "";
}
"""


# CloudFront Function (JavaScript runtime 2.0), on viewer requests to the API: the origin gets the
# HTTP API's own Host, so the viewer's goes in a header of the project's own (`__HEADER__`,
# SITE_HOST_HEADER), set or replaced (never one the viewer sent), and the request is otherwise
# passed on as it came. tests/infra/test_site.py runs it under Node.
_API_REQUEST_FUNCTION = """\
var HEADER = __HEADER__;

function handler(event) {
  var request = event.request;
  var host = request.headers.host;
  if (host) {
    request.headers[HEADER] = { value: host.value };
  } else {
    delete request.headers[HEADER];
  }
  return request;
}
"""


def api_domain_name(api: apigatewayv2.IHttpApi) -> str:
    """`<api id>.execute-api.<region>.<url suffix>`: the HTTP API's default endpoint, whose
    `$default` stage answers at its root."""
    stack = Stack.of(api)
    return f"{api.api_id}.execute-api.{stack.region}.{stack.url_suffix}"


def request_function_code(site: SiteDeclaration = SITE) -> str:
    """The viewer-request function's JavaScript for a site."""
    paths = {"prefix": site.path_prefix, "home": site.home_path, "index": site.index}
    return _REQUEST_FUNCTION.replace("__SITE__", json.dumps(paths))


def api_request_function_code(header: str = SITE_HOST_HEADER) -> str:
    """The API's viewer-request function's JavaScript: the viewer's Host copied into `header`.
    CloudFront Functions name headers in lowercase."""
    return _API_REQUEST_FUNCTION.replace("__HEADER__", json.dumps(header.lower()))


class Site(Construct):
    """The site's bucket, its upload, and the distribution in front of it and of `api`, which logs
    every request to `log_bucket` (the data stack's: logs are kept, the pages are not)."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        api: apigatewayv2.IHttpApi,
        log_bucket: s3.IBucket,
        removal_policy: RemovalPolicy,
        log_retention: logs.RetentionDays,
        site: SiteDeclaration = SITE,
    ) -> None:
        super().__init__(scope, construct_id_)
        if not site.source_dir.is_dir():
            raise ValueError(f"the {site.name} site is deployed from {site.source_dir}, which does not exist")
        self.site = site
        # The pages are build output: every deploy uploads web/ again, so the bucket holds nothing to
        # keep and goes with its stack in every stage (emptied first), which holds no data.
        self.bucket = private_bucket(
            self,
            "Bucket",
            access_logs=None,
            log_prefix=None,
            # Not versioned: the pages are a copy of web/ at the deployed commit; git keeps their history.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="clean-up-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(INCOMPLETE_UPLOAD_ABORT_DAYS),
                )
            ],
            removal_policy=RemovalPolicy.DESTROY,
        )
        nag.acknowledge(
            self.bucket,
            nag.BUCKET_ACCESS_LOGS,
            "Every read of the pages goes through CloudFront (Origin Access Control), whose standard logs "
            "record it in the data stack's log bucket; the only writer is the deployment at deploy time. "
            "Server access logs would go to a bucket of another stack, whose policy would then have to "
            "name this bucket: the data stack would depend on this one.",
        )
        exempt_auto_delete_handler_from_tracing(Stack.of(self))
        self.logs = log_bucket
        self.request_function = cloudfront.Function(
            self,
            "RequestFunction",
            code=cloudfront.FunctionCode.from_inline(request_function_code(site)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment=f"{site.path_prefix}: redirects / and {site.path_prefix} to {site.home_path}; "
            "a folder's path to its index",
        )
        self.api_request_function = cloudfront.Function(
            self,
            "ApiRequestFunction",
            code=cloudfront.FunctionCode.from_inline(api_request_function_code()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment=f"The API: the viewer's Host in {SITE_HOST_HEADER}, for the API's absolute URLs",
        )
        pages = cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(
                self.bucket, origin_access_levels=[cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST]
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            compress=True,
            response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
            function_associations=[
                cloudfront.FunctionAssociation(
                    function=self.request_function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                )
            ],
        )
        api_behavior = cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(
                api_domain_name(api),
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            ),
            # A POST redirected from http:// would come back a GET: refused instead (403).
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # Every viewer header, and the one the function adds.
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            # The functions gzip (from 1 KiB on): the viewer's Accept-Encoding is one of the headers
            # passed on, and CloudFront sends the answer as it comes.
            compress=False,
            function_associations=[
                cloudfront.FunctionAssociation(
                    function=self.api_request_function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                )
            ],
        )
        # LIST lets a missing page be 404 instead of 403. S3 would answer a request for the bucket's
        # root with a listing: the function redirects `/`, and the default root object names a page.
        Annotations.of(self).acknowledge_warning(
            LIST_BUCKET_WARNING,
            "/ never reaches the bucket (the request function redirects it) and the default root object "
            "is set: no request lists the bucket",
        )
        # Matched in this order, the first match wins: the pages first, so no API pattern takes them.
        behaviors = {f"{site.home_path}*": pages} | dict.fromkeys(api_path_patterns(), api_behavior)
        if len(behaviors) > MAX_CACHE_BEHAVIORS:
            raise ValueError(
                f"{len(behaviors)} cache behaviours: CloudFront allows {MAX_CACHE_BEHAVIORS} per "
                "distribution unless the quota is raised"
            )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{Stack.of(self).stack_name}: the pages at {site.home_path} and the API",
            default_behavior=pages,
            additional_behaviors=behaviors,
            # The function answers `/` with a redirect before this applies; it stays so that the
            # bucket's root (which the LIST access level would answer with a listing) is never asked.
            default_root_object=f"{site.key_prefix}{site.index}",
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix=CLOUDFRONT_LOG_PREFIX,
            log_includes_cookies=False,
        )
        self.deployment = self._deploy(site, removal_policy, log_retention)
        self._acknowledge_findings()

    @property
    def url(self) -> str:
        """`https://<distribution domain>/app/`: the pages (and the API beside them)."""
        return f"https://{self.distribution.distribution_domain_name}{self.site.home_path}"

    def _deploy(
        self, site: SiteDeclaration, removal_policy: RemovalPolicy, log_retention: logs.RetentionDays
    ) -> s3deploy.BucketDeployment:
        log_group = logs.LogGroup(
            self, "DeploymentLogs", retention=log_retention, removal_policy=removal_policy
        )
        # An explicit role instead of the default one, which carries the AWS-managed
        # AWSLambdaBasicExecutionRole (every log group of the account), as every function here does.
        self.deployment_role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Uploads {site.source_dir.name}/ to the site's bucket at each deploy.",
        )
        log_group.grant_write(self.deployment_role)
        deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            sources=[s3deploy.Source.asset(str(site.source_dir))],
            destination_bucket=self.bucket,
            destination_key_prefix=site.key_prefix,
            exclude=list(site.exclude),
            prune=True,
            cache_control=[s3deploy.CacheControl.no_cache()],
            role=self.deployment_role,
            log_group=log_group,
            memory_limit=DEPLOYMENT_MEMORY_MB,
            # The custom resource would answer CloudFormation with every key uploaded: nobody reads them.
            output_object_keys=False,
        )
        # Traced like every function of the stack (cfn-lint-serverless WS1000); BucketDeployment has
        # no setting for it.
        handler = self._deployment_handler().node.default_child
        if not isinstance(handler, lambda_.CfnFunction):
            raise TypeError("the BucketDeployment handler has no CfnFunction")
        handler.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
        self.deployment_role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(XRAY_ACTIONS), resources=["*"])
        )
        return deployment

    def _acknowledge_findings(self) -> None:
        distribution = self.distribution
        nag.acknowledge(
            distribution,
            nag.CLOUDFRONT_GEO_RESTRICTIONS,
            "The shop's pages and API are for anyone, wherever they are: no country is excluded by "
            "contract, and a geo restriction would be a business decision, not a security control.",
        )
        nag.acknowledge(
            distribution,
            nag.CLOUDFRONT_WAF,
            "No WAF web ACL yet (an HTTP API takes none: CloudFront is where one would go): the API's "
            "stage throttles every route whether reached through CloudFront or directly, every handler "
            "validates its input, the pages are static files, and a web ACL adds a fixed monthly cost "
            "the project has not taken on. Revisit before the shop's sign-in routes take real traffic.",
        )
        nag.acknowledge(
            distribution,
            nag.CLOUDFRONT_TLS_VERSION,
            "The distribution answers on its *.cloudfront.net name with CloudFront's default "
            "certificate, for which CloudFront fixes the minimum viewer protocol at TLSv1 (the setting "
            "is ignored). A TLSv1.2_2021 policy needs a custom domain with an ACM certificate in "
            "us-east-1, which the project does not have yet.",
        )
        policy = self.deployment_role.node.find_child("DefaultPolicy")
        assets = _bootstrap_assets_objects(Stack.of(self))
        for finding, reason in (
            (
                nag.WILDCARD_RESOURCE,
                "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level "
                "permissions: the X-Ray documentation requires Resource '*' for them.",
            ),
            (
                nag.wildcard_resource(self.bucket, "Arn", "/*", grantee=self.deployment_role),
                "The deployment syncs web/ into the site's own bucket, which holds nothing else: it "
                "puts, overwrites and deletes (prune) pages whose keys come from the folder's files.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{assets}]",
                "CDK's BucketDeployment reads its source, a zip of web/, from the CDK bootstrap assets "
                "bucket, under a key that is the content's hash, known only once synthesized.",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:GetObject*]",
                "CDK's BucketDeployment grant (read the source zip; the AWS CLI's sync compares the "
                "bucket's objects): on the assets bucket and the site's bucket only.",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:GetBucket*]",
                "CDK's BucketDeployment grant, for the AWS CLI's sync to read the two buckets' "
                "location and settings: on the assets bucket and the site's bucket only.",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:List*]",
                "CDK's BucketDeployment grant, for the AWS CLI's sync to list what is already under "
                "app/ (to upload changes and prune): on the assets bucket and the site's bucket only.",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
                "CDK's BucketDeployment grant: prune deletes pages no longer in web/, on the site's "
                "bucket only, which holds nothing but the pages.",
            ),
            (
                "AwsSolutions-IAM5[Action::s3:Abort*]",
                "CDK's BucketDeployment grant: the AWS CLI aborts a multipart upload that fails, on the "
                "site's bucket only.",
            ),
        ):
            nag.acknowledge(policy, finding, reason)
        nag.acknowledge(
            self._deployment_handler(),
            nag.LATEST_RUNTIME,
            "CDK's BucketDeployment handler: aws-cdk-lib chooses its Python runtime (one its AWS CLI "
            "layer supports) and offers no setting for it; it runs at deploy time only, never on a "
            "request, and moves with aws-cdk-lib's upgrades.",
        )

    def _deployment_handler(self) -> IConstruct:
        """BucketDeployment's handler: a singleton function CDK puts at the stack's top level."""
        stack = Stack.of(self)
        handlers = [
            child for child in stack.node.children if child.node.id.startswith(DEPLOYMENT_HANDLER_ID_PREFIX)
        ]
        if len(handlers) != 1:
            raise ValueError(f"expected one {DEPLOYMENT_HANDLER_ID_PREFIX} function, found {len(handlers)}")
        return handlers[0]


def _bootstrap_assets_objects(stack: Stack) -> str:
    """The CDK bootstrap assets bucket's objects as cdk-nag names them in a finding: a stage in a
    known account and region has their values, an environment-agnostic one CloudFormation's
    pseudo parameters (`arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-...`)."""

    def rendered(value: str, pseudo_parameter: str) -> str:
        return f"<AWS::{pseudo_parameter}>" if Token.is_unresolved(value) else value

    partition = rendered(stack.partition, "Partition")
    account = rendered(stack.account, "AccountId")
    region = rendered(stack.region, "Region")
    return f"arn:{partition}:s3:::cdk-hnb659fds-assets-{account}-{region}/*"
