"""The ledger (台账) of youth volunteer associations at every level."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class LedgerConfig(AppConfig):
    name = "qingxie.ledger"
    label = "ledger"
    verbose_name = gettext_lazy("协会台账")

    def ready(self) -> None:
        from qingxie.ledger import policies

        policies.register()

        from qingxie.ledger import indicators

        indicators.register()

        from qingxie.core.tabular.registry import register_sheet_kind
        from qingxie.ledger.sheets import COVERAGE_KIND, GROUP_MEMBER_KIND, LEDGER_KIND

        # The order of the /sheets/ page: ledger, teams (20), group members, coverage.
        register_sheet_kind(LEDGER_KIND, order=10)
        register_sheet_kind(GROUP_MEMBER_KIND, order=30)
        register_sheet_kind(COVERAGE_KIND, order=40)
