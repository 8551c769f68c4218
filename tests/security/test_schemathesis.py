"""Generated API cases (schemathesis) against the OpenAPI schema the API publishes.

Every operation of /api/schema gets cases generated from its parameters and request bodies
(valid ones and deliberately malformed ones), sent in-process to the WSGI application over
the test database, authenticated with a bearer token: once as a national administrator and
once as a county administrator (for whom most objects are out of scope). Each response must
not be a server error, must carry a content type and a body matching the schema for its
status, and its status must be one the schema documents.

The run is derandomized (same cases every time, no example database), and each failure is
reported with the operation, the status and the request that produced it, all at the end.
API throttling (if configured) is switched off here: a thousand requests from one token in a
few seconds is this test's design, not an attack.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qingxie.accounts.services import api_token_issue
from qingxie.ledger import services as ledger
from qingxie.regions.models import Region

#: Examples per operation and caller: 44 operations x 25 = 1,100 cases for each caller.
EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def app(db, monkeypatch):
    """The WSGI application on the test database.

    Django closes the connection at the end of each request; inside the test's transaction
    that would mark it for rollback, so (as Django's own test client does) that is switched off.
    """
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ledger_data(db):
    """A few real objects so that generated list and detail requests find something."""
    for code, name in (
        ("440000", "广东省青年志愿者协会"),
        ("440100", "广州市青年志愿者协会"),
        ("440105", "海珠区青年志愿者协会"),
        ("440303", "罗湖区青年志愿者协会"),
    ):
        ledger.association_create(
            actor=None,
            region=Region.objects.get(code=code),
            name=name,
            form="youth_volunteer_association",
            established_on=datetime.date(2020, 1, 1),
        )


def run_all(app, token: str) -> tuple[int, list[str]]:
    """Every operation's generated cases; the number sent and the failures found."""
    schema = schemathesis.openapi.from_wsgi("/api/schema", app)
    headers = {"Authorization": f"Bearer {token}"}
    sent, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is kept
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            nonlocal sent
            sent += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:  # collected, so that all are reported together
                for exc in group.exceptions:
                    kind = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                    failures.append(
                        (f"{label} → {response.status_code} {kind}", case.as_curl_command())  # noqa: B023
                    )

        check()
    return sent, failures


@pytest.mark.parametrize(
    ("role", "code"), [("national_admin", "000000"), ("county_admin", "440105")]
)
def test_generated_cases_get_no_server_error_and_conform_to_the_schema(
    app, ledger_data, make_user, role, code
):
    token = api_token_issue(actor=None, user=make_user(role, code))
    sent, failures = run_all(app, token)
    assert sent >= 1000
    distinct = {}
    for what, curl in failures:
        distinct.setdefault(what, curl)
    report = "\n".join(f"{what}\n    {curl[:400]}" for what, curl in sorted(distinct.items()))
    assert not failures, f"{len(failures)} of {sent} cases failed, {len(distinct)} kinds:\n{report}"
