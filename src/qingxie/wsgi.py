"""WSGI entry point used by `qingxie serve` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application


def hide_server_header() -> None:
    """No `Server: gunicorn` on responses: the software and its version are nobody's business.

    gunicorn writes its Server header itself, below the application, with no setting to turn
    it off; its response's default headers are filtered instead (in each worker, which loads
    this module). Without gunicorn (tests, another server) this does nothing.
    """
    try:
        from gunicorn.http import wsgi as gunicorn_wsgi
    except ImportError:
        return
    original = gunicorn_wsgi.Response.default_headers
    if getattr(original, "hides_server", False):
        return

    def default_headers(self):
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers.hides_server = True
    gunicorn_wsgi.Response.default_headers = default_headers


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingxie.settings")
hide_server_header()
application = get_wsgi_application()
