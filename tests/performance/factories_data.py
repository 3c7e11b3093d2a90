"""Factory 1 and sprocket 1 of the demo seeds in the benchmark's DynamoDB, stored as the functions
store them, for the cold start of `GET /v1/factories/1` and `GET /v1/sprockets/1`."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from infra.seed import DEMO_SEED_FILES, read_seed_file
from infra.topology import SHARED_LAYER_DIR


def put_factory_and_sprocket(dynamodb: Any, table_names: Mapping[str, str]) -> None:
    if str(SHARED_LAYER_DIR / "python") not in sys.path:
        sys.path.insert(0, str(SHARED_LAYER_DIR / "python"))
    from shopfloor.factories.points import pack

    entries = [entry for path in DEMO_SEED_FILES for entry in read_seed_file(path)]
    chart = next(entry.body for entry in entries if entry.kind == "factories")["factory"]["chart_data"]
    sprocket = next(entry.body for entry in entries if entry.kind == "sprockets")
    times = chart["time"]
    dynamodb.put_item(
        TableName=table_names["factory-points"],
        Item={
            "factory_id": {"N": "1"},
            "start": {"N": str(times[0])},
            "end": {"N": str(times[-1])},
            "time": {"B": pack(times)},
            "actual": {"B": pack(chart["sprocket_production_actual"])},
            "goal": {"B": pack(chart["sprocket_production_goal"])},
        },
    )
    dynamodb.put_item(
        TableName=table_names["factories"],
        Item={
            "id": {"N": "1"},
            "points": {"N": str(len(times))},
            "first_time": {"N": str(times[0])},
            "last_time": {"N": str(times[-1])},
        },
    )
    dynamodb.put_item(
        TableName=table_names["sprockets"],
        Item={"id": {"N": "1"}, **{name: {"N": json.dumps(value)} for name, value in sprocket.items()}},
    )
