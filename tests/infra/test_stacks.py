"""A stack per context: every stack within CloudFormation's limits with room to grow, the data in one
stack that no other stack can change, and a context's code change reaching its own stack alone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stage

from infra.constants import ASSET_EXCLUDES
from infra.stack import (
    CONTEXT_STACKS,
    DATA,
    DATA_STACK_PARTS,
    STACK_PARTS,
    DataStack,
    ShopfloorStage,
    add_stages,
    set_context_defaults,
)
from infra.stages import DEV, PROD, StageSettings
from infra.topology import FUNCTIONS, FUNCTIONS_DIR, SHARED_LAYER_DIR, SHARED_PACKAGE, BoundedContext
from tests.infra.conftest import OFFLINE, cdk_context
from tests.infra.template import (
    PUBLISHED_OUTPUT_PREFIX,
    resources_of_type,
    stack_output_reads,
    stack_reads,
)

pytestmark = pytest.mark.infra

# What the issue allows a stack: CloudFormation's limits are 500 resources and 1 MB of template
# (uploaded through S3); these leave each stack room for its context to grow.
MAX_RESOURCES = 200
MAX_TEMPLATE_BYTES = 400 * 1000
# What holds data: it must live in the data stack alone, and survive the others.
DATA_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::Cognito::UserPool",
    "AWS::Events::Archive",
    "AWS::SecretsManager::Secret",
    "AWS::SES::EmailIdentity",
)
RETAIN = "Retain"


def _stack_named(templates: Mapping[str, Any], part: str, settings: StageSettings) -> dict[str, Any]:
    return dict(templates[settings.stack_name(part)])


def _template_bytes(stage: ShopfloorStage) -> dict[str, int]:
    """Each stack's template as `cdk synth` writes it, in bytes, by stack name."""
    assembly = stage.synth()
    return {
        stack.stack_name: Path(assembly.get_stack_artifact(stack.artifact_id).template_full_path)
        .stat()
        .st_size
        for stack in stage.stacks
    }


@pytest.mark.parametrize("which", ["stage", "prod_stage"])
def test_every_stage_has_a_stack_per_part_each_within_the_limits(
    request: pytest.FixtureRequest, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stage: ShopfloorStage = request.getfixturevalue(which)
    templates: dict[str, Any] = request.getfixturevalue("templates" if which == "stage" else "prod_templates")
    sizes = _template_bytes(stage)
    counts = {name: len(template["Resources"]) for name, template in templates.items()}
    with capsys.disabled():
        print(f"\n{stage.settings.prefix}: resources and template size per stack")
        for name in templates:
            print(f"  {name:28} {counts[name]:4d} resources  {sizes[name] / 1000:6.1f} KB")

    assert list(templates) == [stage.settings.stack_name(part) for part in STACK_PARTS]
    assert {name: count for name, count in counts.items() if count > MAX_RESOURCES} == {}
    assert {name: size for name, size in sizes.items() if size > MAX_TEMPLATE_BYTES} == {}


def test_a_context_stack_per_bounded_context_with_its_functions(stage: ShopfloorStage) -> None:
    for context in CONTEXT_STACKS:
        stack = stage.contexts[context.name]
        assert stack.stack_name == f"Shopfloor-Dev-{context.name.capitalize()}"
        assert set(stack.functions.by_name) == {f.name for f in FUNCTIONS if f.context is context}
    assert set(stage.stack_of_function) == {function.name for function in FUNCTIONS}


@pytest.mark.parametrize("which", ["templates", "prod_templates"])
def test_only_the_data_stack_holds_data(request: pytest.FixtureRequest, which: str) -> None:
    """Every table, bucket, user pool, archive, secret and SES identity is the data stack's, but the
    pages' bucket: build output, uploaded again at every deploy and deleted with the edge stack."""
    templates: dict[str, Any] = request.getfixturevalue(which)
    settings = DEV if which == "templates" else PROD

    elsewhere = {
        (name, logical_id, resource["Type"]): resource.get("DeletionPolicy")
        for name, template in templates.items()
        if name != settings.stack_name(DATA)
        for resource_type in DATA_TYPES
        for logical_id, resource in resources_of_type(template, resource_type).items()
    }

    assert [(name, resource_type) for name, _, resource_type in elsewhere] == [
        (settings.stack_name("Edge"), "AWS::S3::Bucket")
    ]
    assert list(elsewhere.values()) == ["Delete"]
    data = _stack_named(templates, DATA, settings)
    for resource_type in DATA_TYPES:
        assert resources_of_type(data, resource_type), resource_type


def test_prod_retains_every_resource_of_the_data_stack(prod_templates: dict[str, Any]) -> None:
    data = _stack_named(prod_templates, DATA, PROD)
    kept = {
        logical_id: (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
        for resource_type in DATA_TYPES
        for logical_id, resource in resources_of_type(data, resource_type).items()
    }

    assert kept
    assert {
        logical_id: policies for logical_id, policies in kept.items() if policies != (RETAIN, RETAIN)
    } == {}


@pytest.mark.parametrize("which", ["stage", "prod_stage"])
def test_termination_protection_guards_the_stacks_that_hold_data_alone(
    request: pytest.FixtureRequest, which: str
) -> None:
    stage: ShopfloorStage = request.getfixturevalue(which)
    assembly = stage.synth()

    protected = {
        stack.stack_name
        for stack in stage.stacks
        if assembly.get_stack_artifact(stack.artifact_id).termination_protection
    }

    settings = stage.settings
    expected = (
        {settings.stack_name(part) for part in DATA_STACK_PARTS} if settings.termination_protection else set()
    )
    assert protected == expected
    assert {DATA} == DATA_STACK_PARTS


def test_the_data_stack_reads_no_other_stack_and_depends_on_none(
    stage: ShopfloorStage, templates: dict[str, Any]
) -> None:
    data = _stack_named(templates, DATA, DEV)

    assert stack_reads(data) == set()
    assert stage.data.dependencies == []
    for stack in stage.stacks[1:]:
        assert stage.data in stack.dependencies or any(
            stage.data in dep.dependencies for dep in stack.dependencies
        )


def _data_alone(settings: StageSettings) -> dict[str, Any]:
    """The data stack of a stage that has no other stack: what it would be if every stateless stack
    were destroyed (or not made yet)."""
    app = App(context=cdk_context())
    stage = Stage(app, settings.construct_id)
    set_context_defaults(stage, settings)
    stack = DataStack(stage, settings=settings)
    assembly = stage.synth()
    return dict(assembly.get_stack_artifact(stack.artifact_id).template)


@pytest.mark.parametrize("settings", [DEV, PROD], ids=lambda settings: settings.name)
def test_the_data_does_not_depend_on_the_stacks_without_data(
    request: pytest.FixtureRequest, settings: StageSettings
) -> None:
    """Destroying and making again any stack without data leaves the data stack as it is: its
    resources' logical ids, properties and retention are the same with or without the other stacks;
    only the outputs it publishes for them differ (CDK's weak references: no export ties a stack to
    it, so a stack that stops reading one is deployed freely)."""
    templates: dict[str, Any] = request.getfixturevalue("templates" if settings is DEV else "prod_templates")
    with_others = _stack_named(templates, DATA, settings)
    alone = _data_alone(settings)

    def own_outputs(template: dict[str, Any]) -> dict[str, Any]:
        return {
            output_id: output
            for output_id, output in template.get("Outputs", {}).items()
            if not output_id.startswith(PUBLISHED_OUTPUT_PREFIX)
        }

    assert with_others["Resources"] == alone["Resources"]
    assert own_outputs(with_others) == own_outputs(alone)
    assert {
        output_id for output_id in with_others["Outputs"] if output_id.startswith(PUBLISHED_OUTPUT_PREFIX)
    }


# What names a resource, where its stack gives it one (not CloudFormation): its ARN is then the same
# after its stack is destroyed and made again.
NAME_PROPERTIES = {"AWS::Lambda::Function": "FunctionName", "AWS::SNS::Topic": "TopicName"}


def _published_reads(templates: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(producing stack, output) of every value a stack reads of another."""
    return {(read["StackName"], read["OutputName"]) for read in stack_output_reads(templates)}


def _named_resource(template: Mapping[str, Any], value: Mapping[str, Any]) -> tuple[str, Any]:
    """The type and the name property of what an output's value refers to (an alias: its function's)."""
    logical_id = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
    resource = template["Resources"][logical_id]
    if resource["Type"] == "AWS::Lambda::Alias":
        resource = template["Resources"][resource["Properties"]["FunctionName"]["Ref"]]
    return resource["Type"], resource["Properties"].get(NAME_PROPERTIES.get(resource["Type"], ""))


@pytest.mark.parametrize("which", ["templates", "prod_templates"])
def test_what_a_stack_without_data_lends_another_is_named_after_the_stage(
    request: pytest.FixtureRequest, which: str
) -> None:
    """A stack reads another's values when it is deployed (weak references: Fn::GetStackOutput), and
    a deploy skips a stack whose template has not changed. What a stack without data lends another
    (a function's or an alias's ARN, the alarm topic's) is therefore named after the stage, so that
    the stack destroyed and made again lends the same values, and its readers stay right."""
    templates: dict[str, Any] = request.getfixturevalue(which)
    settings = DEV if which == "templates" else PROD
    reads = {
        (stack, output) for stack, output in _published_reads(templates) if stack != settings.stack_name(DATA)
    }

    lent = {
        _named_resource(templates[stack], templates[stack]["Outputs"][output]["Value"])
        for stack, output in reads
    }

    assert {resource_type for resource_type, _ in lent} == set(NAME_PROPERTIES)
    assert {
        (resource_type, name)
        for resource_type, name in lent
        if not (isinstance(name, str) and name.startswith(f"{settings.prefix}-"))
    } == set()


# --- A change to one context's code reaches that context's stack alone -----------------------------


def _snapshot(stage: ShopfloorStage) -> dict[str, tuple[str, str]]:
    """Each stack's template and asset manifest, as `cdk synth` writes them, by stack part."""
    assembly = stage.synth()
    snapshot: dict[str, tuple[str, str]] = {}
    for stack in stage.stacks:
        artifact = assembly.get_stack_artifact(stack.artifact_id)
        template = Path(artifact.template_full_path).read_text(encoding="utf-8")
        assets = next(
            Path(assembly.directory, dependency.id + ".json").read_text(encoding="utf-8")
            for dependency in artifact.dependencies
            if dependency.id.endswith(".assets")
        )
        snapshot[stack.node.id] = (template, _asset_sources(assets))
    return snapshot


def _asset_sources(manifest: str) -> str:
    """An asset manifest without the folders its files were staged from (which name the synth's
    temporary directory): what is uploaded, and where to."""
    files = json.loads(manifest).get("files", {})
    return json.dumps(
        {asset_hash: entry["destinations"] for asset_hash, entry in files.items()}, sort_keys=True
    )


@pytest.fixture(scope="module")
def code_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A copy of the shopfloor package and of the functions' folders, which the tests change, and a
    stand-in for the dependency layer: third-party code no test here changes, whose tens of
    megabytes CDK would hash and copy at every synth."""
    root = tmp_path_factory.mktemp("code")
    layer = root / "shopfloor-layer"
    functions = root / "functions"
    dependencies = root / "dependencies"
    ignore = shutil.ignore_patterns(*ASSET_EXCLUDES)
    shutil.copytree(SHARED_LAYER_DIR, layer, ignore=ignore)
    shutil.copytree(FUNCTIONS_DIR, functions, ignore=ignore)
    (dependencies / "python").mkdir(parents=True)
    (dependencies / "python" / "third_party.py").write_text("# unchanged\n", encoding="utf-8")
    return layer, functions, dependencies


def _synth_from(
    layer: Path, functions: Path, dependencies: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, tuple[str, str]]:
    """The dev stage, synthesized from `layer` and `functions` instead of the repository's code."""
    monkeypatch.setattr("infra.constructs.layers.SHARED_LAYER_DIR", layer)
    monkeypatch.setattr("infra.topology.FUNCTIONS_DIR", functions)
    app = App(context=cdk_context())
    stage = add_stages(app, dependency_layer_dir=dependencies, stages=(DEV,), environ=OFFLINE)[DEV.name]
    return _snapshot(stage)


@pytest.fixture(scope="module")
def before(code_copy: tuple[Path, Path, Path]) -> dict[str, tuple[str, str]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _synth_from(*code_copy, monkeypatch)


def _change(context: BoundedContext, layer: Path, functions: Path) -> dict[Path, str]:
    """Append a line to a module of the context's package and to one of its functions' handlers;
    what they held before, to put back."""
    package = layer / "python" / SHARED_PACKAGE / context.packages[0]
    module = sorted(package.rglob("*.py"))[0]
    handler = functions / next(f.name for f in FUNCTIONS if f.context is context) / "handler.py"
    originals = {path: path.read_text(encoding="utf-8") for path in (module, handler)}
    for path, text in originals.items():
        path.write_text(text + "\n# changed by tests/infra/test_stacks.py\n", encoding="utf-8")
    return originals


@pytest.mark.parametrize("context", CONTEXT_STACKS, ids=lambda context: context.name)
def test_a_change_to_one_contexts_code_changes_its_stack_alone(
    context: BoundedContext,
    code_copy: tuple[Path, Path, Path],
    before: dict[str, tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer, functions, dependencies = code_copy
    originals = _change(context, layer, functions)
    try:
        after = _synth_from(layer, functions, dependencies, monkeypatch)
    finally:
        for path, text in originals.items():  # the next context starts from the original code
            path.write_text(text, encoding="utf-8")

    templates_changed = {part for part in before if after[part][0] != before[part][0]}
    assets_changed = {part for part in before if after[part][1] != before[part][1]}
    own = next(part for part in STACK_PARTS if part.lower() == context.name)
    assert templates_changed == {own}
    assert assets_changed == {own}
