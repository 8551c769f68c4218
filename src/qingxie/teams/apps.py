"""Grassroots teams (基层队伍) under the associations: 县有协会，基层建队."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "qingxie.teams"
    label = "teams"
    verbose_name = "基层队伍"
