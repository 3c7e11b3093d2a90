"""`make openapi`: print the merged OpenAPI document that `GET /openapi.json` serves.

The docs function's own copy is made when its code is built (infra.build.function_code_dir: at
synth, and when the local cloud starts), never kept in the repository, where it could go stale.
It is made in an interpreter of its own (`python -m infra.openapi --files`), because making it
imports every context: a process that asks for the docs function's code (the CDK app, the local
cloud, a benchmark) keeps its own modules, and Powertools' settings read at import, untouched.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys

from infra.topology import ROOT, SHARED_LAYER_DIR


def document_text() -> str:
    """The document the routes make, as the docs function keeps it (its server "/"). Imports every
    context: call it in a process of its own (`docs_function_files`)."""
    layer = str(SHARED_LAYER_DIR / "python")
    if layer not in sys.path:
        sys.path.insert(0, layer)
    from infra.openapi_document import openapi_document, routes_resolver

    return json.dumps(openapi_document(routes_resolver()), indent=1) + "\n"


def _files() -> dict[str, str]:
    document = document_text()  # puts the layer on sys.path
    from shopfloor.operations.docs import DOCUMENT_FILE

    return {DOCUMENT_FILE: document}


@functools.cache
def docs_function_files() -> dict[str, str]:
    """The files the docs function's code gets at build time: the document, under the name the
    function reads it by; made once a process, in a process of its own."""
    made = subprocess.run(
        [sys.executable, "-m", "infra.openapi", "--files"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        raise RuntimeError(f"python -m infra.openapi --files failed:\n{made.stderr}")
    files: dict[str, str] = json.loads(made.stdout)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--files", action="store_true", help="the docs function's generated files, as one JSON object"
    )
    if parser.parse_args().files:
        print(json.dumps(_files()))
    else:
        print(document_text(), end="")


if __name__ == "__main__":
    main()
