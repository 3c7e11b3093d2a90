"""The shop's users in an Amazon Cognito user pool (moto's, locally): the auth function's only way in.

The pool's ID token is the bearer token: the HTTP API's JWT authorizer, without OAuth scopes,
verifies ID tokens, and they carry what the functions need (`email`, `cognito:groups`).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from shopfloor.shop.auth.service import (
    DirectoryBusyError,
    EmailTakenError,
    IncorrectCredentialsError,
    PasswordRefusedError,
    Tokens,
)

# Cognito's answers for a user it cannot sign in: none of them says which part was wrong.
_REFUSED_SIGN_IN = {
    "NotAuthorizedException",
    "UserNotFoundException",
    "UserNotConfirmedException",
    "PasswordResetRequiredException",
}
_BUSY = {"TooManyRequestsException", "LimitExceededException"}
PASSWORD_POLICY = "the password policy refuses it (8 or more characters, a letter and a digit)"


class CognitoDirectory:
    def __init__(self, client: Any, user_pool_id: str, client_id: str) -> None:
        self._cognito = client
        self._pool = user_pool_id
        self._client_id = client_id

    def create(self, email: str, password: str, group: str) -> None:
        try:
            self._cognito.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",
            )
        except ClientError as error:
            code = _code(error)
            if code == "UsernameExistsException":
                raise EmailTakenError() from error
            raise _busy_or(error) from error
        try:
            self._cognito.admin_set_user_password(
                UserPoolId=self._pool, Username=email, Password=password, Permanent=True
            )
            self._cognito.admin_add_user_to_group(UserPoolId=self._pool, Username=email, GroupName=group)
        except ClientError as error:
            # A user without its password or group could never sign in and would hold the e-mail.
            self._cognito.admin_delete_user(UserPoolId=self._pool, Username=email)
            if _code(error) in {"InvalidPasswordException", "InvalidParameterException"}:
                raise PasswordRefusedError(PASSWORD_POLICY) from error
            raise _busy_or(error) from error

    def sign_in(self, email: str, password: str) -> Tokens:
        try:
            answer = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except ClientError as error:
            if _code(error) in _REFUSED_SIGN_IN or _code(error) == "InvalidParameterException":
                raise IncorrectCredentialsError() from error
            raise _busy_or(error) from error
        result = answer.get("AuthenticationResult")
        if not result:  # a challenge (a new password, MFA): not a sign-in this API completes
            raise IncorrectCredentialsError()
        return Tokens(id_token=result["IdToken"], expires_in=int(result["ExpiresIn"]))


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _busy_or(error: ClientError) -> Exception:
    return DirectoryBusyError() if _code(error) in _BUSY else error
