"""The web shell: base templates, the home page, our own CSS and JS."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WebConfig(AppConfig):
    name = "qingxie.web"
    label = "web"
    verbose_name = gettext_lazy("页面")
