"""Names and magic strings of the deployed stack, in one place.

Plain values only: `python -m infra.build` reads this module and should not pay for loading CDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from infra.topology import ROOT

# The Lambda runtime and the wheels of the dependency layer must agree on these two.
PYTHON_VERSION: Final = "3.13"
WHEEL_PLATFORM: Final = "manylinux2014_aarch64"

REQUIREMENTS_FILE: Final = ROOT / "requirements.txt"
BUILD_DIR: Final = ROOT / "build"
DEPENDENCY_LAYER_DIR: Final = BUILD_DIR / "layers" / "dependencies"
# The code folders built for functions whose code holds generated files (infra.build.function_code_dir).
FUNCTIONS_BUILD_DIR: Final = BUILD_DIR / "functions"
ASSET_EXCLUDES: Final = ("__pycache__", "*.pyc")

# Where the CDK CLI puts the account and region of its credentials, for a stage that names none.
CDK_DEFAULT_ACCOUNT: Final = "CDK_DEFAULT_ACCOUNT"
CDK_DEFAULT_REGION: Final = "CDK_DEFAULT_REGION"
# The stage decides what happens to data (infra.stages: dev destroys, prod retains); the context
# key that used to decide it is refused, so that no deployer believes it still does.
REMOVAL_POLICY_CONTEXT_KEY: Final = "removalPolicy"
# `cdk deploy -c alarmEmail=oncall@example.com`: the alarm topic e-mails this address (the stage's
# default otherwise; none by default: no one).
ALARM_EMAIL_CONTEXT_KEY: Final = "alarmEmail"

FUNCTION_TAG: Final = "shopfloor:function"
# In a stage that rolls out gradually (infra.stages: prod), what invokes a function invokes this alias
# of it, which CodeDeploy moves from the old version to the new (infra.constructs.rollout).
LIVE_ALIAS: Final = "live"

API_NAME: Final = "shopfloor"
API_URL_OUTPUT: Final = "ApiUrl"
# The functions gzip an answer at least this large when the client accepts it (a page of orders is
# about a tenth of its size gzipped); a smaller one gains less than the work costs. The HTTP API
# does not compress.
API_MIN_COMPRESSION_BYTES: Final = 1024
# The web pages and the API on one CloudFront domain (infra.constructs.site): `https://<domain>/app/`.
SITE_URL_OUTPUT: Final = "SiteUrl"
# The header CloudFront's function on the API's behaviours puts the viewer's Host in, from which the
# API builds its absolute URLs (shopfloor.platform.http names the same; tests/infra/test_site.py).
SITE_HOST_HEADER: Final = "x-shopfloor-site-host"
# CloudFront's default quota of cache behaviours per distribution (the pages' and one per API path).
MAX_CACHE_BEHAVIORS: Final = 25
ALARM_TOPIC_OUTPUT: Final = "AlarmTopicArn"
# The stage's default for every route: protects Lambda concurrency and the tables from one noisy
# client.
API_THROTTLE_RATE_LIMIT: Final = 500
API_THROTTLE_BURST_LIMIT: Final = 1000

# Routes that need no sign-in, and why: every other route is behind the user pool's JWT authorizer
# (`Route.signed_in` in the topology). The reason is acknowledged to cdk-nag (APIG4) on each public
# route; the synth fails on a public route without a reason and on a signed-in one with one.
# Functions none of whose routes needs sign-in, with the reason for all of their routes:
PUBLIC_FUNCTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "products": "the product catalogue is public by contract; its API has no sign-in.",
        "offers": "offers, price history and trends are public catalogue data, like the products.",
        "health": "the liveness probe is for monitors and carries no data.",
        "docs": "the OpenAPI document and Swagger UI describe a public API; Swagger UI's Authorize "
        "button is where one signs in to try the shop's routes.",
        "warranties": "stores post sold items and read warranties without sign-in, as the warranty "
        "service's contract has it; POST is idempotent by Idempotency-Key and the stage throttles.",
        "factories": "the sprocket challenge's factories API is public by contract; it has no sign-in.",
        "sprockets": "the sprocket challenge's sprockets API is public by contract; it has no sign-in.",
    }
)
# The public routes of functions that also have signed-in routes (method, path template), each
# with its own reason:
PUBLIC_ROUTES: Final[Mapping[tuple[str, str], str]] = MappingProxyType(
    {
        ("GET", "/menu"): "the shop's menu is public by contract: anyone may see what is on offer "
        "before signing in. It is one read of a precomputed item; changing the menu needs a "
        "manager's token.",
        ("POST", "/auth/signup"): "signing up is how a customer gets an account, before any token "
        "exists. It creates customers only (never managers), and the stage throttles it.",
        ("POST", "/auth/token"): "the OAuth2 password grant is how a caller gets a token, so it "
        "cannot require one. Cognito checks the password, and the answer is the same for an "
        "unknown e-mail and a wrong password.",
    }
)

# The user pools (infra.constructs.user_pools). Sign-up goes through the API only: the function
# that administers a pool may create a user, set its (permanent) password, put it in a group, and
# delete it again when a later step fails; nothing else. Signing in (InitiateAuth with
# USER_PASSWORD_AUTH on the app client) is a public Cognito call that needs no IAM permission.
USER_POOL_ADMIN_ACTIONS: Final = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminDeleteUser",
)
# The token route hands out no refresh token: they live as briefly as Cognito allows (60 minutes).
REFRESH_TOKEN_MIN_VALIDITY_MINUTES: Final = 60
# AdminCreateUser gives a user a temporary password that AdminSetUserPassword replaces at once.
TEMPORARY_PASSWORD_VALIDITY_DAYS: Final = 1
USER_POOL_ID_OUTPUT_SUFFIX: Final = "UserPoolId"
USER_POOL_CLIENT_ID_OUTPUT_SUFFIX: Final = "UserPoolClientId"
# Where the HTTP API's JWT authorizer reads the token (`Bearer <token>` or the token alone).
AUTHORIZATION_HEADER: Final = "Authorization"

# A dead-letter queue alarms as soon as one message waits in it.
DEAD_LETTER_ALARM_THRESHOLD: Final = 1
DEAD_LETTER_ALARM_PERIOD_MINUTES: Final = 1

# Buckets: old versions of an object (an overwrite or a delete) are kept this long, then expire;
# an upload that never completed stops costing after a week; access logs are kept for a year.
NONCURRENT_VERSION_EXPIRATION_DAYS: Final = 90
INCOMPLETE_UPLOAD_ABORT_DAYS: Final = 7
ACCESS_LOG_RETENTION_DAYS: Final = 365
# S3 refuses a transition to Standard-IA earlier than 30 days after creation, and one out of it
# earlier than 30 days after entering it (its minimum storage duration).
MIN_DAYS_BEFORE_INFREQUENT_ACCESS: Final = 30
MIN_DAYS_IN_INFREQUENT_ACCESS: Final = 30

# A scheduled run is useless once the next one is due: bounded retries, then the dead letters.
SCHEDULE_RETRY_ATTEMPTS: Final = 2  # EventBridge's attempts to invoke the function
SCHEDULE_MAX_EVENT_AGE_MINUTES: Final = 2
SCHEDULED_RUN_RETRY_ATTEMPTS: Final = 0  # Lambda's retries of a failed run: the next tick is the retry
SCHEDULE_DEAD_LETTER_RETENTION_DAYS: Final = 14

# The event buses (infra.constructs.event_buses). The bus named after the app takes the stage's
# prefix, lowercased: stage Dev (stacks Shopfloor-Dev-*) has bus "shopfloor-dev", Prod in the same
# account "shopfloor-prod". Any other bus is "<prefix>-<bus>", lowercased. Its archive is "<bus>-archive".
EVENT_ARCHIVE_SUFFIX: Final = "-archive"
# EventBridge limits an archive's name to 48 characters.
EVENT_ARCHIVE_NAME_MAX_LENGTH: Final = 48
# Lambda's limit on a function's name.
FUNCTION_NAME_MAX_LENGTH: Final = 64
# A rule's SQS target: EventBridge retries a failed delivery (throttling, an SQS outage) with
# exponential backoff for up to this long, then sends the event to the rule's dead-letter queue,
# whose alarm fires on its first message. The count is EventBridge's maximum: the age ends the
# retries. An hour late is still worth an e-mail; later, an operator looks first.
EVENT_TARGET_RETRY_ATTEMPTS: Final = 185
EVENT_TARGET_MAX_EVENT_AGE_MINUTES: Final = 60
EVENT_TARGET_DEAD_LETTER_RETENTION_DAYS: Final = 14
EVENT_BUS_NAME_OUTPUT_SUFFIX: Final = "EventBusName"
EVENT_BUS_ARN_OUTPUT_SUFFIX: Final = "EventBusArn"
EVENT_ARCHIVE_NAME_OUTPUT_SUFFIX: Final = "EventArchiveName"
EVENT_ARCHIVE_ARN_OUTPUT_SUFFIX: Final = "EventArchiveArn"
EVENT_RULE_ARN_OUTPUT_SUFFIX: Final = "RuleArn"

# SES (infra.constructs.email). The notifier calls SESv2 SendEmail, whose IAM action is ses:SendEmail
# (SendRawEmail is the v1 API's): granted on the sender's identity, nothing else of SES.
SES_SEND_EMAIL: Final = "ses:SendEmail"
SES_FROM_ADDRESS_CONDITION_KEY: Final = "ses:FromAddress"
# While the account is in the SES sandbox, SES also authorizes a send against each recipient, which
# must be a verified identity of the account: `cdk deploy -c sesSandboxRecipients=a@x.com,b@y.com`
# adds those identities to the grant, as recipients only (the From address stays the sender's).
# Empty (the stages' default) once the account has production access.
SES_SANDBOX_RECIPIENTS_CONTEXT_KEY: Final = "sesSandboxRecipients"
EMAIL_IDENTITY_OUTPUT_SUFFIX: Final = "EmailIdentity"
EMAIL_IDENTITY_ARN_OUTPUT_SUFFIX: Final = "EmailIdentityArn"

# An external service's base URL is the context key `<camelCase name>Url` (cdk.json has defaults).
SERVICE_URL_CONTEXT_SUFFIX: Final = "Url"
HTTPS: Final = "https"

JSON: Final = "application/json"

# The same texts as shopfloor.platform.errors (the handlers' own answers, 404 and 405 among them).
MESSAGE_NOT_FOUND: Final = "Not found."
MESSAGE_METHOD_NOT_ALLOWED: Final = "Method not allowed."
MESSAGE_INTERNAL_ERROR: Final = "Internal server error."
MESSAGE_UNAUTHORIZED: Final = "Unauthorized."

# What the HTTP API itself answers (its own bodies, `{"message": ...}`), played by the local gateway:
# no route for the path, a JWT the authorizer refuses, the throttle, and a function that failed or
# answered something that is not a response.
HTTP_API_MESSAGE_NOT_FOUND: Final = "Not Found"
HTTP_API_MESSAGE_UNAUTHORIZED: Final = "Unauthorized"
HTTP_API_MESSAGE_TOO_MANY_REQUESTS: Final = "Too Many Requests"
HTTP_API_MESSAGE_INTERNAL_ERROR: Final = "Internal Server Error"
# The HTTP API's one stage: deployed by itself on every change, and absent from URLs.
HTTP_API_STAGE: Final = "$default"
