"""The two layers every function runs with: the project's shared code and its third-party packages.

Plain `LayerVersion`s from folders that already hold `python/`: nothing is bundled in Docker.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constants import ASSET_EXCLUDES
from infra.topology import SHARED_LAYER_DIR

# The wheels of the dependency layer are built for this CPython (infra.constants.PYTHON_VERSION).
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64


class Layers(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, dependency_layer_dir: Path) -> None:
        super().__init__(scope, construct_id)
        self.shared = _layer(self, "Shared", SHARED_LAYER_DIR, "Shopfloor's shared code (shopfloor package).")
        self.dependencies = _layer(
            self, "Dependencies", dependency_layer_dir, "Third-party packages from requirements.txt."
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.dependencies, self.shared]


def _layer(scope: Construct, construct_id: str, folder: Path, description: str) -> lambda_.LayerVersion:
    if not (folder / "python").is_dir():
        raise FileNotFoundError(f"{folder} holds no python/ folder; run `make build` first")
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(str(folder), exclude=list(ASSET_EXCLUDES)),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description=description,
    )
