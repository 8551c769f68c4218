"""Reports cadres send up the hierarchy: the 工作信息 bulletin written from the data."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "qingxie.reports"
    label = "reports"
    verbose_name = "工作信息"
