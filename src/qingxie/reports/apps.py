"""Reports cadres send up the hierarchy: the 工作信息 bulletin written from the data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "qingxie.reports"
    label = "reports"
    verbose_name = _("工作信息")

    def ready(self):
        from qingxie.core.jobs import periodic_job
        from qingxie.reports import jobs

        # Today's PDFs of the nation and the provinces, written before anyone asks; a file
        # whose data have not changed is kept, so a quiet half hour costs a few queries.
        periodic_job("reports.prepare_bulletins", minutes=30)(jobs.prepare_periodically)
