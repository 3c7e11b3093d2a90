"""Code packaged per context: each code layer is an asset of its own part of the shopfloor package, so
a change to one context's code changes that context's layer alone; each function runs with the
dependencies, the platform and its own context's layer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import CopyOptions, FileSystem

from infra.constants import ASSET_EXCLUDES
from infra.constructs.layers import CODE_LAYER_IGNORE_MODE, CODE_LAYERS, PLATFORM_LAYER, code_layer_excludes
from infra.stack import ShopfloorStack
from infra.topology import FUNCTIONS, SHARED_LAYER_DIR, SHARED_PACKAGE, Function

PACKAGE = Path("python") / SHARED_PACKAGE


def excludes(name: str) -> list[str]:
    return [*code_layer_excludes(name), *ASSET_EXCLUDES]


def shipped(name: str, source: Path, tmp_path: Path) -> set[Path]:
    """The files of code layer `name`, copied from `source` as CDK stages the asset, below python/."""
    staged = tmp_path / name
    options = CopyOptions(exclude=excludes(name), ignore_mode=CODE_LAYER_IGNORE_MODE)
    FileSystem.copy_directory(str(source), str(staged), options)
    return {path.relative_to(staged / "python") for path in staged.rglob("*") if path.is_file()}


def fingerprints(source: Path) -> dict[str, str]:
    """Each code layer's asset hash, computed as CDK computes it from `source`."""
    return {
        name: FileSystem.fingerprint(str(source), exclude=excludes(name), ignore_mode=CODE_LAYER_IGNORE_MODE)
        for name in CODE_LAYERS
    }


def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "shopfloor-layer"
    shutil.copytree(SHARED_LAYER_DIR, copy, ignore=shutil.ignore_patterns(*ASSET_EXCLUDES))
    return copy


def test_each_code_layer_ships_its_own_packages_and_together_they_ship_the_whole_package_once(
    tmp_path: Path,
) -> None:
    layers = {name: shipped(name, SHARED_LAYER_DIR, tmp_path) for name in CODE_LAYERS}

    for name, files in layers.items():
        assert files, name
        assert {file.parts[1] for file in files} == set(CODE_LAYERS[name]), name
    everything = {
        path.relative_to(SHARED_LAYER_DIR / "python")
        for path in (SHARED_LAYER_DIR / PACKAGE).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert sorted(file for files in layers.values() for file in files) == sorted(everything)
    assert layers[PLATFORM_LAYER] >= {Path(SHARED_PACKAGE) / "__init__.py"}


@pytest.mark.parametrize("changed", list(CODE_LAYERS))
def test_a_change_to_one_layers_code_changes_that_layers_asset_alone(changed: str, tmp_path: Path) -> None:
    source = package_copy(tmp_path)
    before = fingerprints(source)
    module = next(iter(sorted((source / PACKAGE / CODE_LAYERS[changed][-1]).rglob("*.py"))))

    with module.open("a", encoding="utf-8") as code:
        code.write("\n# changed\n")
    after = fingerprints(source)

    assert {name for name in CODE_LAYERS if after[name] != before[name]} == {changed}


def test_a_file_outside_every_layers_part_changes_no_layer(tmp_path: Path) -> None:
    source = package_copy(tmp_path)
    before = fingerprints(source)

    (source / "README.md").write_text("not code\n", encoding="utf-8")
    (source / "python" / "stray.py").write_text("\n", encoding="utf-8")

    assert fingerprints(source) == before


def layer_refs(properties: dict[str, Any]) -> set[str]:
    return {layer["Ref"] for layer in properties["Layers"]}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_a_function_runs_with_the_dependencies_the_platform_and_its_own_contexts_layer(
    function: Function, stack: ShopfloorStack, template_dict: dict[str, Any]
) -> None:
    logical_id = stack.get_logical_id(stack.functions.by_name[function.name].node.default_child)  # type: ignore[arg-type]
    layer_ids = {
        name: stack.get_logical_id(layer.node.default_child)  # type: ignore[arg-type]
        for name, layer in {**stack.layers.code, "dependencies": stack.layers.dependencies}.items()
    }

    refs = layer_refs(template_dict["Resources"][logical_id]["Properties"])

    assert refs == {layer_ids["dependencies"], layer_ids[PLATFORM_LAYER], layer_ids[function.context.name]}
