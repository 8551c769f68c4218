"""The web shell: base templates, the home page, our own CSS and JS."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qingxie.web"
    label = "web"
    verbose_name = "页面"
