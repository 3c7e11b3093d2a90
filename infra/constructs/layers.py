"""The layers functions run with: third-party packages, the platform code, and one bounded context's code.

Plain `LayerVersion`s from folders that already hold `python/`: nothing is bundled in Docker. The
code layers are each an asset of a part of layers/shopfloor (only their files are fingerprinted and
zipped), so a change to one context's code changes that context's layer and no other. Lambda
extracts a function's layers into /opt, where the parts merge into one `shopfloor` package: the
platform layer ships shopfloor/__init__.py, each context's layer only its own packages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from aws_cdk import IgnoreMode
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constants import ASSET_EXCLUDES
from infra.constructs.naming import construct_id
from infra.topology import (
    BOUNDED_CONTEXTS,
    PLATFORM_PACKAGE,
    SHARED_LAYER_DIR,
    SHARED_PACKAGE,
    BoundedContext,
    Function,
)

# The wheels of the dependency layer are built for this CPython (infra.constants.PYTHON_VERSION).
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64

PLATFORM_LAYER = "platform"
# What each code layer holds of python/shopfloor/ (a package's folder, or a file): the platform
# layer the package's own __init__.py and the platform, each context's layer its packages.
CODE_LAYERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        PLATFORM_LAYER: ("__init__.py", PLATFORM_PACKAGE),
        **{context.name: context.packages for context in BOUNDED_CONTEXTS},
    }
)
# The code layers' patterns are .gitignore's (IgnoreMode.GIT), which can exclude all but one folder.
CODE_LAYER_IGNORE_MODE = IgnoreMode.GIT


def code_layer_excludes(name: str) -> list[str]:
    """What the asset of code layer `name`, rooted at SHARED_LAYER_DIR, leaves out: everything but
    its entries of python/shopfloor/ (and, in them, Python's caches)."""
    package = f"/python/{SHARED_PACKAGE}"
    kept = [f"!{package}/{entry}" for entry in CODE_LAYERS[name]]
    return ["/*", "!/python/", "/python/*", f"!{package}/", f"{package}/*", *kept]


class Layers(Construct):
    """The dependency layer, the platform's and the code layers of `contexts` (every context by
    default), by name. Each stack of functions makes its own, so that every asset its functions run
    is the stack's own: a change to one context's code publishes a layer version in that stack alone,
    and no stack waits on another's deploy for a new layer's ARN. The same folder is the same asset
    (one upload), so a copy per stack costs a layer version, not a build."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        dependency_layer_dir: Path,
        contexts: Sequence[BoundedContext] = BOUNDED_CONTEXTS,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.dependencies = _layer(
            self,
            "Dependencies",
            _asset(dependency_layer_dir, list(ASSET_EXCLUDES)),
            "Third-party packages from requirements.txt.",
        )
        self.code: Mapping[str, lambda_.LayerVersion] = MappingProxyType(
            {
                name: _layer(
                    self,
                    construct_id(name),
                    _asset(
                        SHARED_LAYER_DIR,
                        [*code_layer_excludes(name), *ASSET_EXCLUDES],
                        ignore_mode=CODE_LAYER_IGNORE_MODE,
                    ),
                    f"Shopfloor's code: {', '.join(f'{SHARED_PACKAGE}/{entry}' for entry in entries)}.",
                )
                for name, entries in CODE_LAYERS.items()
                if name == PLATFORM_LAYER or name in {context.name for context in contexts}
            }
        )

    def of(self, function: Function) -> list[lambda_.ILayerVersion]:
        """The layers `function` runs with: the dependencies, the platform and its context's code."""
        return [self.dependencies, self.code[PLATFORM_LAYER], self.code[function.context.name]]


def _asset(folder: Path, exclude: list[str], ignore_mode: IgnoreMode | None = None) -> lambda_.AssetCode:
    if not (folder / "python").is_dir():
        raise FileNotFoundError(f"{folder} holds no python/ folder; run `make build` first")
    return lambda_.Code.from_asset(str(folder), exclude=exclude, ignore_mode=ignore_mode)


def _layer(scope: Construct, id_: str, code: lambda_.Code, description: str) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        id_,
        code=code,
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description=description,
    )
