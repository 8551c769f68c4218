"""In-app notifications: a short message to one user (a digest, a reminder), with a link.

Apps write them through `notify` (a job, a service); the user reads their own. Email is sent
too when SMTP is configured (`EMAIL_HOST`) and the user has an address. `key` makes a
notification idempotent (a daily digest re-run the same day writes nothing new).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Notification(models.Model):
    """One message to one user; `read_at` set once they open it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=50)
    key = models.CharField(gettext_lazy("去重键"), max_length=100)
    title = models.CharField(gettext_lazy("标题"), max_length=200)
    body = models.TextField(gettext_lazy("内容"), blank=True, max_length=5000)
    url = models.CharField(gettext_lazy("链接"), max_length=300, blank=True)
    created = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True)
    read_at = models.DateTimeField(gettext_lazy("阅读时间"), null=True, blank=True)
    emailed = models.BooleanField(gettext_lazy("已发邮件"), default=False)

    class Meta:
        verbose_name = gettext_lazy("站内通知")
        verbose_name_plural = gettext_lazy("站内通知")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_unique")
        ]

    def __str__(self) -> str:
        return self.title


def notify(*, user, kind: str, key: str, title: str, body: str = "", url: str = ""):
    """Write a notification for `user` once per (kind, key); email it when SMTP is set.

    Returns the notification, or None when one with this key exists already.
    """
    note, created = Notification.objects.get_or_create(
        user=user, kind=kind, key=key, defaults={"title": title, "body": body, "url": url}
    )
    if not created:
        return None
    if getattr(settings, "EMAIL_HOST", "") not in ("", "localhost") and user.email:
        from django.core.mail import send_mail

        try:
            send_mail(title, body, None, [user.email], fail_silently=False)
        except OSError:  # the SMTP server is down: the in-app message stands on its own
            return note
        Notification.objects.filter(pk=note.pk).update(emailed=True)
        note.emailed = True
    return note


def notifications_for(user, *, unread_only: bool = False) -> models.QuerySet[Notification]:
    """The user's own notifications, newest first."""
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications read (all, or those `ids`)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
