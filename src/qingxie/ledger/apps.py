"""The ledger (台账) of youth volunteer associations at every level."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "qingxie.ledger"
    label = "ledger"
    verbose_name = "协会台账"

    def ready(self) -> None:
        from qingxie.ledger import policies

        policies.register()
