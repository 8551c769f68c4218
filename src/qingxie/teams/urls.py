"""Grassroots team page URLs."""

from django.urls import path  # noqa: F401

app_name = "teams"
urlpatterns: list = []
