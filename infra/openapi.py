"""`make openapi`: print the merged OpenAPI document that `GET /openapi.json` serves."""

from __future__ import annotations

import json
import sys

from infra.topology import SHARED_LAYER_DIR


def main() -> None:
    sys.path.insert(0, str(SHARED_LAYER_DIR / "python"))
    from shopfloor.operations.docs import docs_resolver, openapi_document

    print(json.dumps(openapi_document(docs_resolver()), indent=2))


if __name__ == "__main__":
    main()
