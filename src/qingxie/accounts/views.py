"""The audit page: the change log of the auditor's patch, searchable and paginated."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from qingxie.accounts.audit import audit_entries, may_read_audit
from qingxie.core.models import ObjectChange


class AuditLogView(TemplateView):
    """审计日志: who wrote what, when and from where, for auditors and national administrators."""

    template_name = "accounts/audit_log.html"

    def get(self, request, *args, **kwargs):
        if not may_read_audit(request.user):
            raise PermissionDenied(_("只有审计员和全国管理员可以查看审计日志。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        entries, problems = audit_entries(self.request.user, params)
        page = Paginator(entries, 50).get_page(params.get("page"))
        kinds = ContentType.objects.filter(
            id__in=ObjectChange.objects.values("content_type").distinct()
        ).order_by("model")
        query = params.copy()
        query.pop("page", None)
        ctx.update(
            title=_("审计日志"),
            page_obj=page,
            entries=page.object_list,
            problems=problems,
            params=params,
            query=query.urlencode(),
            actions=ObjectChange.Action.choices,
            channels=ObjectChange.CHANNEL_LABELS.items(),
            kinds=[
                (k.model, k.model_class()._meta.verbose_name if k.model_class() else k.model)
                for k in kinds
            ],
        )
        return ctx
