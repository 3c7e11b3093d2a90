"""The claims the HTTP API's JWT authorizer hands a shop function, for unit tests' events (an array
claim as the HTTP API writes it: `"[managers]"`)."""

from __future__ import annotations

MANAGER_EMAIL = "manager@example.com"
CUSTOMER_EMAIL = "customer@example.com"
OTHER_CUSTOMER_EMAIL = "other@example.com"


def claims(email: str, group: str | None) -> dict[str, str]:
    found = {"sub": f"sub-{email}", "email": email, "token_use": "id", "aud": "unit-client"}
    if group is not None:
        found["cognito:groups"] = f"[{group}]"
    return found


MANAGER = claims(MANAGER_EMAIL, "managers")
CUSTOMER = claims(CUSTOMER_EMAIL, "customers")
OTHER_CUSTOMER = claims(OTHER_CUSTOMER_EMAIL, "customers")
