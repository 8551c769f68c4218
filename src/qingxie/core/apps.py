"""Framework app: base models, the permission gate, change log, generic views and API bases."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingxie.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from qingxie.core import bounds

        bounds.connect()
