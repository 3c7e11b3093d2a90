"""The `auth` function: shop accounts in the Cognito user pool. Sign-up makes a customer; sign-in is
the OAuth2 password grant; a signed-in caller can ask who they are."""
