"""`qingxie worker`: run the background-job worker (django-q2 cluster) alone."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务处理进程（导入、导出、工作信息等任务，以及定时任务）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=None, help="并行处理的任务数（默认 QINGXIE_JOB_WORKERS）"
        )

    def handle(self, *args, workers, **options):
        from django.conf import settings

        if workers:
            settings.Q_CLUSTER["workers"] = workers
            from django_q.conf import Conf

            Conf.WORKERS = workers
        from django_q.cluster import Cluster

        from qingxie.core.jobs import jobs_reap, schedules_sync

        schedules_sync()
        # Jobs whose worker died while the server was down are re-run (or failed) now: at once
        # those whose process was on this machine; those of other machines after the timeout.
        jobs_reap()
        cluster = Cluster()
        cluster.start()
        self.stdout.write("后台任务处理进程已启动（Ctrl+C 停止）")
        self.stdout.flush()
        cluster.sentinel.join()
