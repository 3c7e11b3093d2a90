"""CDK entry point: `make synth` / `make deploy` (the CDK CLI runs this through cdk.json)."""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra.build import build_dependency_layer
from infra.constants import STACK_NAME
from infra.stack import ShopfloorStack


def main() -> None:
    app = App()
    ShopfloorStack(app, STACK_NAME, dependency_layer_dir=build_dependency_layer())
    # cdk-nag v3 is a validation plugin: any unacknowledged finding fails the synth.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
