"""Spreadsheets in and out: ledger templates, atomic imports and exports (pages and commands)."""

from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "qingxie.sheets"
    label = "sheets"
    verbose_name = "导入导出"

    def ready(self):
        from qingxie.core.jobs import periodic_job
        from qingxie.sheets import export_jobs, jobs

        # Uploads (sealed) waiting for their confirmation and problem lists are kept a day at
        # most; every quarter of an hour the older ones go, whoever uploads next.
        periodic_job("sheets.sweep_uploads", minutes=15)(jobs.sweep_uploads)
        # Kept export files (export_jobs, whose import registers the export job's handler)
        # are swept once they are a day old; a changed data version replaces them sooner.
        periodic_job("sheets.sweep_exports", minutes=60)(export_jobs.sweep_exports)
