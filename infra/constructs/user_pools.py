"""Every Cognito user pool of the topology, with its groups and the one app client the API signs in
through.

- E-mail addresses are the usernames, compared without case.
- No self sign-up: users are created only by the function that `administers` the pool (the API's
  sign-up route), with AdminCreateUser and a permanent password (AdminSetUserPassword).
- The password policy asks for the topology's length and a digit; "a letter, of either case" is
  checked by the API, as Cognito can only require a lowercase or an uppercase one.
- No account recovery by e-mail or SMS (admin only): the API has no route to complete a reset, and
  sign-up does not prove that the caller owns the address, so a reset code would go to whatever
  address was typed in. An operator resets a password with `aws cognito-idp admin-set-user-password`.
- The app client has no secret and one flow, USER_PASSWORD_AUTH (plus the refresh flow Cognito
  always allows); no OAuth or hosted UI. Unknown users and wrong passwords get the same error.
- Kept with the stack's removal policy, like the tables: the users are data.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.constants import (
    REFRESH_TOKEN_MIN_VALIDITY_MINUTES,
    TEMPORARY_PASSWORD_VALIDITY_DAYS,
    USER_POOL_CLIENT_ID_OUTPUT_SUFFIX,
    USER_POOL_ID_OUTPUT_SUFFIX,
)
from infra.constructs import nag
from infra.constructs.naming import construct_id, stage_prefix
from infra.topology import USER_POOLS, UserPool

# Lite: the pool uses no feature of the paid plans (no managed login, passkeys or threat protection).
FEATURE_PLAN = cognito.FeaturePlan.LITE


class TopologyUserPool(Construct):
    """A user pool as the topology declares it: the pool, its groups and its app client."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        pool: UserPool,
        removal_policy: RemovalPolicy,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{stage_prefix(self)}-{pool.name}",
            sign_in_aliases=cognito.SignInAliases(email=True, username=False, phone=False),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            self_sign_up_enabled=False,
            # Nothing asks Cognito to send a code: no route confirms one (see the module docstring).
            auto_verify=cognito.AutoVerifiedAttrs(email=False, phone=False),
            account_recovery=cognito.AccountRecovery.NONE,
            password_policy=cognito.PasswordPolicy(
                min_length=pool.password_min_length,
                require_digits=True,
                require_lowercase=False,
                require_uppercase=False,
                require_symbols=False,
                temp_password_validity=Duration.days(TEMPORARY_PASSWORD_VALIDITY_DAYS),
            ),
            mfa=cognito.Mfa.OFF,
            feature_plan=FEATURE_PLAN,
            deletion_protection=deletion_protection,
            removal_policy=removal_policy,
        )
        self.groups: Mapping[str, cognito.UserPoolGroup] = MappingProxyType(
            {
                group: _group(
                    self,
                    user_pool=self.user_pool,
                    pool=pool,
                    group=group,
                    precedence=precedence,
                    removal_policy=removal_policy,
                )
                for precedence, group in enumerate(pool.groups)
            }
        )
        token_validity = Duration.minutes(pool.token_validity_minutes)
        self.client = self.user_pool.add_client(
            "Client",
            user_pool_client_name=f"{pool.name}-api",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),
            disable_o_auth=True,
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            id_token_validity=token_validity,
            access_token_validity=token_validity,
            refresh_token_validity=Duration.minutes(
                max(REFRESH_TOKEN_MIN_VALIDITY_MINUTES, pool.token_validity_minutes)
            ),
            enable_token_revocation=True,
        )
        _acknowledge_findings(self.user_pool, pool)


class UserPools(Construct):
    """The user pools, by their topology name (`shop-users`, ...)."""

    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        removal_policy: RemovalPolicy,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, TopologyUserPool] = MappingProxyType(
            {
                pool.name: TopologyUserPool(
                    self,
                    construct_id(pool.name),
                    pool=pool,
                    removal_policy=removal_policy,
                    deletion_protection=deletion_protection,
                )
                for pool in USER_POOLS
            }
        )

    @property
    def ids(self) -> dict[str, tuple[str, str]]:
        """Each pool's id and its app client's id (tokens until deploy time), by topology name:
        what `function_environment(..., user_pools=...)` takes."""
        return {
            name: (created.user_pool.user_pool_id, created.client.user_pool_client_id)
            for name, created in self.by_name.items()
        }


def output_id(pool: UserPool) -> str:
    """`shop-users` -> `ShopUsersUserPoolId`, the stack output with the pool's id."""
    return construct_id(pool.name, USER_POOL_ID_OUTPUT_SUFFIX)


def client_output_id(pool: UserPool) -> str:
    """`shop-users` -> `ShopUsersUserPoolClientId`, the stack output with its app client's id."""
    return construct_id(pool.name, USER_POOL_CLIENT_ID_OUTPUT_SUFFIX)


def _group(
    scope: Construct,
    *,
    user_pool: cognito.UserPool,
    pool: UserPool,
    group: str,
    precedence: int,
    removal_policy: RemovalPolicy,
) -> cognito.UserPoolGroup:
    created = cognito.UserPoolGroup(
        scope,
        construct_id(group, "Group"),
        user_pool=user_pool,
        group_name=group,
        description=f"The {group} of {pool.name}; a token lists its groups in the cognito:groups claim.",
        # Declaration order: the first group wins where Cognito needs one (a preferred IAM role).
        precedence=precedence,
    )
    # A retained pool keeps its groups and their members.
    created.apply_removal_policy(removal_policy)
    return created


def _acknowledge_findings(user_pool: cognito.UserPool, pool: UserPool) -> None:
    nag.acknowledge(
        user_pool,
        nag.COGNITO_PASSWORD_POLICY,
        f"The issue's policy is at least {pool.password_min_length} characters with letters and digits, "
        "for a coffee shop's customers; Cognito requires the length and a digit, the sign-up route "
        "requires a letter (Cognito cannot ask for 'a letter of either case'). Requiring an uppercase "
        "letter and a symbol would refuse passwords the contract accepts.",
    )
    nag.acknowledge(
        user_pool,
        nag.COGNITO_MFA,
        "Sign-in is the OAuth2 password grant by contract (POST /auth/token with username and "
        "password, what Swagger UI's Authorize button sends): it has no step for a second factor's "
        "challenge. The accounts order coffee; managers are made by an operator, never through the API.",
    )
    nag.acknowledge(
        user_pool,
        nag.COGNITO_PLUS_TIER,
        "The Plus plan's threat protection is billed per monthly active user with no free tier, a "
        "fixed cost the project has not taken on for a coffee shop's accounts (the Lite plan's first "
        "10,000 users are free). Sign-in attempts are limited by the stage's throttle. Revisit, with "
        "the API's WAF, before real customers sign in.",
    )
