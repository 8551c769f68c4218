"""Administrative divisions (GB/T 2260): the region tree everything hangs on, with history."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class RegionsConfig(AppConfig):
    name = "qingxie.regions"
    label = "regions"
    verbose_name = gettext_lazy("行政区划")
