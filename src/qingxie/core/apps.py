"""Framework app: base models, the permission gate, change log, generic views and API bases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CoreConfig(AppConfig):
    name = "qingxie.core"
    label = "core"
    verbose_name = gettext_lazy("核心")

    def ready(self) -> None:
        from qingxie.core import bounds

        bounds.connect()
