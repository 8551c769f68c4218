"""Administrative divisions (GB/T 2260): the region tree everything hangs on, with history."""

from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "qingxie.regions"
    label = "regions"
    verbose_name = "行政区划"
