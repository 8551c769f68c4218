"""Grassroots team API."""

from __future__ import annotations


def register(router) -> None:
    """Register the team viewset on the API router."""
