"""The AWS prices the cost benchmark applies: one table, with its date and source."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MILLION = 1_000_000


@dataclass(frozen=True)
class Prices:
    """List prices in US dollars, us-east-1, without free tiers or volume discounts."""

    date: str = "2026-12-06"
    source: str = "AWS list prices, us-east-1"
    # API Gateway, per million requests.
    http_api_per_million_requests: float = 1.00
    rest_api_per_million_requests: float = 3.50
    # Lambda on arm64 (Graviton).
    lambda_arm64_per_gb_second: float = 0.0000133334
    lambda_per_million_requests: float = 0.20
    # DynamoDB on demand.
    dynamodb_per_million_write_units: float = 0.625
    dynamodb_per_million_read_units: float = 0.125
    sqs_per_million_requests: float = 0.40
    eventbridge_per_million_events: float = 1.00
    ses_per_thousand_emails: float = 0.10
    cloudfront_per_10k_https_requests: float = 0.0100
    # Not in issue 19's table, but paid on two paths: S3 Standard PUT requests (an archived
    # warranty is one object) and Secrets Manager API calls (a product's first registration).
    s3_per_thousand_puts: float = 0.005
    secrets_manager_per_10k_calls: float = 0.05

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


PRICES = Prices()
