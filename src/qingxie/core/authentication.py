"""API authentication: `Authorization: Bearer <token>` besides the session."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """A DRF token sent as `Authorization: Bearer <token>`.

    The token's user is also handed to the change log: Django's own request only knows the
    session user, and DRF resolves tokens inside the view.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            request._request._qingxie_api_user = result[0]
        return result
