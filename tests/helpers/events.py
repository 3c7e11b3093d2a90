"""API Gateway REST proxy events, as API Gateway sends them to a Lambda function."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    stage: str = "prod",
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An event for `method path` (the path may carry a query string); with `claims`, as API
    Gateway's Cognito authorizer passes a verified token's claims (every value a string)."""
    path, _, query = path.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    all_headers = {"Host": "api.example.com", "X-Forwarded-Proto": "https", **(headers or {})}
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
        all_headers.setdefault("Content-Type", "application/json")
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "local",
            "identity": {"sourceIp": "127.0.0.1"},
            **({"authorizer": {"claims": claims}} if claims is not None else {}),
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


def sqs_event(*bodies: str, queue: str = "offers-sync") -> dict[str, Any]:
    """An SQS event source batch, one record per message body."""
    return {
        "Records": [
            {
                "messageId": f"m{index}",
                "receiptHandle": f"receipt-{index}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{queue}",
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


def scheduled_event(rule: str = "offers-dispatch") -> dict[str, Any]:
    """What an EventBridge schedule sends its target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "2026-11-22T10:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule}"],
        "detail": {},
    }


def stream_event(
    images: list[dict[str, Any]],
    *,
    table: str = "warranties",
    first_sequence: int = 100,
    event_names: list[str] | None = None,
) -> dict[str, Any]:
    """The event a DynamoDB stream event source sends: one record per new image (typed JSON), an
    INSERT unless `event_names` says otherwise."""
    names = event_names or ["INSERT"] * len(images)
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/2026-11-22T00:00:00.000"
    return {
        "Records": [
            {
                "eventID": f"event-{position}",
                "eventName": names[position],
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1795300000,
                    "Keys": {"id": image["id"]} if "id" in image else {},
                    "NewImage": image,
                    "SequenceNumber": str(first_sequence + position),
                    "SizeBytes": 512,
                    "StreamViewType": "NEW_IMAGE",
                },
                "eventSourceARN": arn,
            }
            for position, image in enumerate(images)
        ]
    }
