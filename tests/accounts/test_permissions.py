"""The permission gate: a grant covers its region's subtree and nothing else."""

from __future__ import annotations

import pytest

from qingxie.accounts.models import User
from qingxie.accounts.services import role_grant_create
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.regions.models import Region

pytestmark = pytest.mark.django_db


def _visible(user, *codes):
    qs = Region.objects.restrict(user, "view").filter(code__in=codes)
    return set(qs.values_list("code", flat=True))


def test_city_grant_sees_its_districts_not_its_neighbours(make_user):
    user = make_user("city_admin", "440100")
    assert _visible(user, "440105", "440300", "440000", "440100") == {"440100", "440105"}


def test_grant_covers_townships_below(make_user, region):
    user = make_user("county_admin", "440105")
    townships = Region.objects.restrict(user, "view").filter(level=Region.Level.TOWNSHIP)
    assert townships.count() == region("440105").township_count


def test_two_grants_add_up(make_user, region):
    user = make_user("viewer", "440100")
    role_grant_create(actor=None, user=user, role="viewer", region=region("440300"))
    user = User.objects.get(pk=user.pk)
    assert _visible(user, "440105", "440303", "440400") == {"440105", "440303"}


def test_no_grant_no_rows(make_user):
    assert not Region.objects.restrict(make_user(), "view").exists()


def test_anonymous_sees_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert not Region.objects.restrict(AnonymousUser(), "view").exists()


def test_inactive_user_sees_nothing(make_user):
    user = make_user("national_admin", "000000")
    user.is_active = False
    assert not Region.objects.restrict(user, "view").exists()


def test_division_data_is_read_only_even_for_national_admins(make_user):
    admin = make_user("national_admin", "000000", is_superuser=True)
    assert Region.objects.restrict(admin, "view").count() == Region.objects.count()
    for action in ("add", "change", "delete"):
        assert not Region.objects.restrict(admin, action).exists()


def test_viewer_may_not_write(make_user):
    from qingxie.accounts.models import RoleGrant

    viewer = make_user("viewer", "440000")
    admin = make_user("province_admin", "440000")
    assert not RoleGrant.objects.restrict(viewer, "change").exists()
    assert RoleGrant.objects.restrict(admin, "change").exists()


@pytest.mark.parametrize(
    ("role", "code"),
    [("province_admin", "440100"), ("city_admin", "440000"), ("county_admin", "441900003")],
)
def test_admin_roles_are_granted_at_their_own_level(make_user, region, role, code):
    with pytest.raises(QingxieError) as err:
        role_grant_create(actor=None, user=make_user(), role=role, region=region(code))
    assert err.value.field == "region"


def test_admins_grant_only_inside_their_scope_and_not_above_themselves(make_user, region):
    city = make_user("city_admin", "440100")
    target = make_user()
    role_grant_create(actor=city, user=target, role="county_admin", region=region("440105"))
    with pytest.raises(PermissionDeniedError):
        role_grant_create(actor=city, user=target, role="county_admin", region=region("440303"))
    with pytest.raises(PermissionDeniedError):
        role_grant_create(actor=city, user=target, role="province_admin", region=region("440000"))
    viewer = make_user("viewer", "440000")
    with pytest.raises(PermissionDeniedError):
        role_grant_create(actor=viewer, user=target, role="viewer", region=region("440100"))


def test_retired_regions_cannot_be_granted(make_user, region):
    import datetime as dt

    Region.objects.filter(code="440105").update(valid_to=dt.date(2026, 1, 1))
    with pytest.raises(QingxieError):
        role_grant_create(
            actor=None, user=make_user(), role="county_admin", region=region("440105")
        )
