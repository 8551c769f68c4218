"""Spreadsheets in and out: ledger templates, atomic imports and exports (pages and commands)."""

from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "qingxie.sheets"
    label = "sheets"
    verbose_name = "导入导出"

    def ready(self):
        from qingxie.core.jobs import periodic_job
        from qingxie.sheets import jobs

        # Uploads (sealed) waiting for their confirmation and problem lists are kept a day at
        # most; every quarter of an hour the older ones go, whoever uploads next.
        periodic_job("sheets.sweep_uploads", minutes=15)(jobs.sweep_uploads)
