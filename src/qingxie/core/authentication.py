"""API authentication: `Authorization: Bearer <token>` besides the session."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """A DRF token sent as `Authorization: Bearer <token>`."""

    keyword = "Bearer"
