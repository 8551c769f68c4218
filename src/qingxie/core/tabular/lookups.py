"""What an importer or exporter may look at: the permission gate, with the system's view."""

from __future__ import annotations


def visible(model, actor):
    """What `actor` may see of `model`; the system (actor None, the operator) sees everything."""
    return model.objects.all() if actor is None else model.objects.restrict(actor, "view")
