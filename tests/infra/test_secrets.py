"""Secrets: one per topology secret, in the data stack, kept on delete, readable only by the functions
naming it, its ARN an output of the data stack for the operator who puts the value in."""

from __future__ import annotations

from typing import Any

import pytest

from infra.constructs.secrets import output_id
from infra.stack import ShopfloorStage
from infra.topology import FUNCTIONS, SECRETS, Secret
from tests.infra.template import actions_on, function_statements, resources_of_type, statement_resources

pytestmark = pytest.mark.infra

READ = "secretsmanager:GetSecretValue"


def _reference(stage: ShopfloorStage, secret: Secret) -> Any:
    return stage.data.resolve(stage.data.secrets.by_name[secret.name].secret_arn)


def test_there_is_one_secret_per_topology_secret_all_in_the_data_stack(
    template_dict: dict[str, Any], templates: dict[str, dict[str, Any]], stage: ShopfloorStage
) -> None:
    data = templates[stage.data.stack_name]

    assert len(resources_of_type(template_dict, "AWS::SecretsManager::Secret")) == len(SECRETS)
    assert len(resources_of_type(data, "AWS::SecretsManager::Secret")) == len(SECRETS)


@pytest.mark.parametrize("secret", SECRETS, ids=lambda secret: secret.name)
def test_a_secret_is_described_and_retained_in_prod(
    prod_template_dict: dict[str, Any], prod_stage: ShopfloorStage, secret: Secret
) -> None:
    resource = prod_template_dict["Resources"][_reference(prod_stage, secret)["Ref"]]

    assert resource["Properties"]["Description"] == secret.description
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


@pytest.mark.parametrize("secret", SECRETS, ids=lambda secret: secret.name)
def test_a_secrets_arn_is_an_output_of_the_data_stack(
    templates: dict[str, dict[str, Any]], stage: ShopfloorStage, secret: Secret
) -> None:
    outputs = templates[stage.data.stack_name]["Outputs"]

    assert outputs[output_id(secret)]["Value"] == _reference(stage, secret)


def test_the_offers_refresh_token_output_has_the_name_the_readme_gives() -> None:
    [secret] = [secret for secret in SECRETS if secret.name == "offers-refresh-token"]

    assert output_id(secret) == "OffersRefreshTokenSecretArn"


@pytest.mark.parametrize("secret", SECRETS, ids=lambda secret: secret.name)
def test_only_the_functions_naming_a_secret_may_read_it(
    template_dict: dict[str, Any], stage: ShopfloorStage, secret: Secret
) -> None:
    readers = {
        function.name
        for function in FUNCTIONS
        if READ in actions_on(template_dict, function.name, _reference(stage, secret))
    }

    assert readers == {function.name for function in FUNCTIONS if secret.name in function.secrets}
    assert readers


def test_no_function_touches_any_other_secret(template_dict: dict[str, Any], stage: ShopfloorStage) -> None:
    secrets = [_reference(stage, secret) for secret in SECRETS]

    for function in FUNCTIONS:
        for statement in function_statements(template_dict, function.name):
            if any(action.startswith("secretsmanager:") for action in statement["Action"]):
                assert all(resource in secrets for resource in statement_resources(statement)), function.name
