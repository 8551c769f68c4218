"""Operations: backups that restore, readiness, structured logs and metrics (docs/deployment.md).

Names no app: it reads every installed model and table through Django's registry.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class OpsConfig(AppConfig):
    name = "qingxie.ops"
    label = "ops"
    verbose_name = gettext_lazy("运维")

    def ready(self) -> None:
        from qingxie.core.extensions import UrlMount, register_url_mount

        register_url_mount(UrlMount("ops", "", urls="qingxie.ops.urls"))
