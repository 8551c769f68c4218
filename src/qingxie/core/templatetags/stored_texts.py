"""`{{ job.message|stored_text }}`: a text stored in Chinese (a job's stage or message, an
import problem) in the page's language; see qingxie.core.stored."""

from __future__ import annotations

from django import template

from qingxie.core.stored import stored_text as _stored_text

register = template.Library()


@register.filter
def stored_text(text) -> str:
    return _stored_text(str(text)) if text else ""


@register.filter
def stored_stage(text) -> str:
    """A job's stored stage (开始, 完成 …) in the page's language."""
    return _stored_text(str(text), "job stage") if text else ""
