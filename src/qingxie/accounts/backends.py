"""Authentication backend that refuses a locked-out user name + address (django-axes)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login over the network (the sign-in page, the two-step login) passes its request, so
    it is counted and can be locked out. A call without a request has no client to lock out — a
    management command checking a password, Django's test client — and is left to the next
    backend instead of failing, as axes would by default.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
