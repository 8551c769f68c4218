"""Framework app: base models, the permission gate, change log, generic views and API bases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CoreConfig(AppConfig):
    name = "qingxie.core"
    label = "core"
    verbose_name = gettext_lazy("核心")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from qingxie.core import bounds, cache

        bounds.connect()
        request_started.connect(cache.request_started, dispatch_uid="qingxie-cache-start")
        request_finished.connect(cache.request_finished, dispatch_uid="qingxie-cache-finish")
