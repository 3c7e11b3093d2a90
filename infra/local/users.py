"""The demo users of the local cloud, made in moto's user pool on every start (idempotently).

    manager@example.com   Manager-test-1    in managers
    customer@example.com  Customer-test-1   in customers

Each is made as the auth function makes a user (AdminCreateUser without an invitation, the e-mail
verified, a permanent password, a group). An existing one keeps its id and gets its documented
password and group back. A deployed stack has no user with a known password.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from infra.local import resources
from infra.local.errors import LocalCloudError
from infra.local.settings import LocalSettings
from infra.topology import CUSTOMERS, MANAGERS, SHOP_USERS, UserPool

logger = logging.getLogger("shopfloor.local.users")


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    group: str
    pool: UserPool = SHOP_USERS

    def describe(self) -> str:
        return f"{self.email} / {self.password} ({self.group})"


DEMO_MANAGER: Final = DemoUser("manager@example.com", "Manager-test-1", MANAGERS)
DEMO_CUSTOMER: Final = DemoUser("customer@example.com", "Customer-test-1", CUSTOMERS)
DEMO_USERS: Final = (DEMO_MANAGER, DEMO_CUSTOMER)


def create_demo_user(cognito: Any, user: DemoUser) -> bool:
    """The user with its password and group; True when it was created, False when it existed."""
    pool_id = resources.user_pool_id(user.pool)
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=user.email,
            UserAttributes=[
                {"Name": "email", "Value": user.email},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        created = True
    except ClientError as error:
        if error.response["Error"]["Code"] != "UsernameExistsException":
            raise
        created = False
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=user.email, Password=user.password, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user.email, GroupName=user.group)
    return created


def create_demo_users(settings: LocalSettings) -> None:
    """Every demo user, in the user pool moto already holds (infra.local.resources.provision)."""
    try:
        cognito = resources.client("cognito-idp", settings)
        created = [create_demo_user(cognito, user) for user in DEMO_USERS]
    except (BotoCoreError, ClientError) as error:
        raise LocalCloudError(f"cannot create the demo users in moto server: {error}") from error
    logger.info(
        "demo users (%d created now): %s",
        sum(created),
        ", ".join(user.describe() for user in DEMO_USERS),
    )
