"""`make openapi`: print the merged OpenAPI document that `GET /openapi.json` serves.

The docs function's own copy is made when its code is built (infra.build.function_code_dir: at
synth, and when the local cloud starts), never kept in the repository, where it could go stale.
"""

from __future__ import annotations

import argparse
import json
import sys

from infra.topology import SHARED_LAYER_DIR


def document_text() -> str:
    """The document the routes make, as the docs function keeps it (its server "/")."""
    layer = str(SHARED_LAYER_DIR / "python")
    if layer not in sys.path:  # once, though every build of the docs function's code calls this
        sys.path.insert(0, layer)
    from infra.openapi_document import openapi_document, routes_resolver

    return json.dumps(openapi_document(routes_resolver()), indent=1) + "\n"


def docs_function_files() -> dict[str, str]:
    """The files the docs function's code gets at build time: the document, under the name the
    function reads it by."""
    document = document_text()  # puts the layer on sys.path
    from shopfloor.operations.docs import DOCUMENT_FILE

    return {DOCUMENT_FILE: document}


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    print(document_text(), end="")


if __name__ == "__main__":
    main()
