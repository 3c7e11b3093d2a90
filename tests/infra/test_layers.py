"""Code packaged per context: each code layer is an asset of its own part of the shopfloor package, so
a change to one context's code changes that context's layer alone, and so that context's stack
alone: each stack of functions makes its own layers (the dependencies, the platform and its
contexts' layers, no other context's), and each function runs with the dependencies, the platform
and its context's layer of its own stack."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import CopyOptions, FileSystem
from constructs import Construct

from infra.constants import ASSET_EXCLUDES
from infra.constructs.layers import CODE_LAYER_IGNORE_MODE, CODE_LAYERS, PLATFORM_LAYER, code_layer_excludes
from infra.stack import FunctionsStack, ShopfloorStage
from infra.topology import FUNCTIONS, SHARED_LAYER_DIR, SHARED_PACKAGE, Function
from tests.infra.template import cdk_function_logical_ids, function_logical_ids, resources_of_type

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


@functools.cache
def shipped_assets() -> dict[str, str]:
    """The asset (S3 key) of each code layer of the package as it is: its fingerprint."""
    return {name: f"{fingerprint}.zip" for name, fingerprint in fingerprints(SHARED_LAYER_DIR).items()}


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


def _logical_id(stack: FunctionsStack, layer: Construct) -> str:
    return stack.get_logical_id(layer.node.default_child)  # type: ignore[arg-type]


def _own_layer_ids(stack: FunctionsStack) -> dict[str, str]:
    """The logical id of each layer the stack makes, by name (`dependencies`, `platform`, contexts')."""
    return {
        name: _logical_id(stack, layer)
        for name, layer in {"dependencies": stack.layers.dependencies, **stack.layers.code}.items()
    }


def _asset_keys(template: dict[str, Any]) -> dict[str, str]:
    """The asset (S3 key) of each layer of a template, by logical id."""
    return {
        logical_id: layer["Properties"]["Content"]["S3Key"]
        for logical_id, layer in resources_of_type(template, "AWS::Lambda::LayerVersion").items()
    }


def _needs(stack: FunctionsStack, name: str) -> bool:
    """Whether the stack's functions need code layer `name`: the platform's, or one of its contexts'."""
    return name == PLATFORM_LAYER or name in {context.name for context in stack.contexts}


def test_each_function_stack_makes_the_dependencies_the_platform_and_its_contexts_layers_only(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]]
) -> None:
    """New with the split: a layer per stack, not one set for the stage. Besides them, only the
    layer of CDK's BucketDeployment handler (the edge's, for the site)."""
    for stack in stage.function_stacks:
        template = templates[stack.stack_name]
        own = _own_layer_ids(stack)
        cdk_layers = {
            reference["Ref"]
            for logical_id in cdk_function_logical_ids(template)
            for reference in template["Resources"][logical_id]["Properties"].get("Layers", [])
        }

        assert set(stack.layers.code) == {name for name in CODE_LAYERS if _needs(stack, name)}, (
            stack.stack_name
        )
        assert set(_asset_keys(template)) == set(own.values()) | cdk_layers, stack.stack_name
        assert not cdk_layers & set(own.values()), stack.stack_name
    assert "shop" not in stage.contexts["catalog"].layers.code
    assert set(stage.edge.layers.code) == {PLATFORM_LAYER, "operations"}


def test_a_code_layers_asset_is_in_the_stacks_that_need_it_alone(
    stage: ShopfloorStage, templates: dict[str, dict[str, Any]]
) -> None:
    """A code layer's asset is its fingerprint (what test_a_change_to_one_layers_code_changes_that_
    layers_asset_alone changes): a change to a context's code changes its stack's template and no
    other; the platform's, every stack of functions'. The dependencies are one asset, in each."""
    keys = shipped_assets()
    stacks_of_key = {
        key: {
            stack_name for stack_name, template in templates.items() if key in _asset_keys(template).values()
        }
        for key in keys.values()
    }

    assert len(set(keys.values())) == len(keys)
    for name, key in keys.items():
        assert stacks_of_key[key] == {
            stack.stack_name for stack in stage.function_stacks if _needs(stack, name)
        }, name
    assert stacks_of_key[keys["shop"]] == {stage.contexts["shop"].stack_name}
    dependencies = {
        _asset_keys(templates[stack.stack_name])[_own_layer_ids(stack)["dependencies"]]
        for stack in stage.function_stacks
    }
    assert len(dependencies) == 1
    assert dependencies.isdisjoint(keys.values())


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.name)
def test_a_function_runs_with_the_dependencies_the_platform_and_its_own_contexts_layer(
    function: Function, stage: ShopfloorStage, templates: dict[str, dict[str, Any]]
) -> None:
    """Those of its own stack (a reference to a resource of its template, no other stack's output),
    whose assets are the platform's and its context's code."""
    stack = stage.stack_of_function[function.name]
    template = templates[stack.stack_name]
    own = _own_layer_ids(stack)
    properties = template["Resources"][function_logical_ids(template)[function.name]]["Properties"]

    assert all(set(reference) == {"Ref"} for reference in properties["Layers"]), properties["Layers"]
    refs = {reference["Ref"] for reference in properties["Layers"]}
    assert refs == {own["dependencies"], own[PLATFORM_LAYER], own[function.context.name]}
    assert {_asset_keys(template)[own[name]] for name in (PLATFORM_LAYER, function.context.name)} == {
        shipped_assets()[PLATFORM_LAYER],
        shipped_assets()[function.context.name],
    }
