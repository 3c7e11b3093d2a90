"""CDK entry point: `make synth` / `make deploy STAGE=dev` (the CDK CLI runs this through cdk.json).

Every stage of infra.stages (`Dev`, `Prod`), each holding its seven stacks (`Shopfloor-Dev-Data`,
`Shopfloor-Dev-Shop`, ...; infra.stack)."""

from __future__ import annotations

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra.build import build_dependency_layer
from infra.stack import add_stages


def main() -> None:
    app = App()
    add_stages(app, dependency_layer_dir=build_dependency_layer())
    # cdk-nag v3 is a validation plugin: any unacknowledged finding, in any stage, fails the synth.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
