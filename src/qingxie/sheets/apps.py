"""Spreadsheets in and out: ledger templates, atomic imports and exports (pages and commands)."""

from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "qingxie.sheets"
    label = "sheets"
    verbose_name = "导入导出"
