"""Spreadsheets in and out: ledger templates, atomic imports and exports (pages and commands)."""

from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "qingxie.sheets"
    label = "sheets"
    verbose_name = "导入导出"

    def ready(self):
        from qingxie.core.jobs import periodic_job
        from qingxie.sheets import jobs

        # Uploads and problem lists are kept a day, for the preview and confirm of a file.
        periodic_job("sheets.sweep_uploads", minutes=60)(jobs.sweep_uploads)
