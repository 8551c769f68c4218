"""Ledger API: associations, checklist, seats, group members, targets and coverage."""

from __future__ import annotations


def register(router) -> None:
    """Register the ledger's viewsets on the API router."""


#: Plain API paths that are not viewsets (e.g. /api/coverage).
urlpatterns: list = []
