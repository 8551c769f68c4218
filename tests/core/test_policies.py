"""Per-model permission policies behind the one gate, and the region path on each row."""

from __future__ import annotations

import datetime as dt

import pytest

from qingxie.accounts.permissions import may_see_personal, require_scope, user_may
from qingxie.accounts.policies import RoleRegionPolicy
from qingxie.accounts.roles import Role, role_table
from qingxie.core.errors import PermissionDeniedError
from qingxie.core.models import ObjectChange, scope_paths_follow
from qingxie.core.policies import (
    SuperuserOnlyPolicy,
    UnknownActionError,
    policy_for,
    policy_registered,
    set_default_policy,
)
from qingxie.ledger import services
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem, GroupMember
from qingxie.regions.models import Region
from qingxie.teams.models import Team
from qingxie.teams.services import team_create

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def haizhu(region):
    association = services.association_create(
        actor=None,
        region=region("440105"),
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
        president_phone="13800138000",
    )
    team_create(
        actor=None,
        association=association,
        name="海珠区青年志愿服务队",
        category="school",
        founded_on=D(2020, 1, 1),
    )
    return association


def _visible_teams(user, action="view"):
    return set(Team.objects.restrict(user, action).values_list("name", flat=True))


def test_a_model_policy_of_its_own_changes_what_restrict_returns_and_require_scope_allows(
    haizhu, make_user
):
    staff = make_user("association_staff", "440105")
    path = haizhu.region.path
    assert _visible_teams(staff, "change") == {"海珠区青年志愿服务队"}
    assert user_may(staff, Team, "add", path)

    # "Association staff may see teams but neither edit nor found them" for this model only.
    strict = RoleRegionPolicy(
        Team, role_actions=role_table(revoke={Role.ASSOCIATION_STAFF: {"add", "change"}})
    )
    with policy_registered(Team, strict):
        assert _visible_teams(staff, "view") == {"海珠区青年志愿服务队"}
        assert _visible_teams(staff, "change") == set()
        with pytest.raises(PermissionDeniedError):
            require_scope(staff, Team, "add", path, "为该协会建立队伍")
        # Other models keep the default table.
        assert user_may(staff, Association, "change", path)

    # Unregistered again: the default rules are back.
    assert _visible_teams(staff, "change") == {"海珠区青年志愿服务队"}
    require_scope(staff, Team, "add", path)


def test_an_unknown_action_is_refused_for_everyone(haizhu, make_user):
    root = make_user("national_admin", "000000", is_superuser=True)
    for user in (root, make_user("county_admin", "440105")):
        with pytest.raises(UnknownActionError):
            Team.objects.restrict(user, "veiw")
        with pytest.raises(UnknownActionError):
            user_may(user, Team, "publish", haizhu.region.path)


def test_a_model_without_a_policy_of_its_own_gets_the_default(make_user):
    # ObjectChange registers no policy: it follows the roles and regions like every model.
    policy = policy_for(ObjectChange)
    assert isinstance(policy, RoleRegionPolicy) and policy.model is ObjectChange
    viewer = make_user("viewer", "440100")
    assert policy.scope_paths(viewer, "view") == [Region.objects.get(code="440100").path]
    assert policy.scope_paths(viewer, "change") == []


def test_core_alone_lets_only_superusers_through(haizhu, make_user):
    admin = make_user("county_admin", "440105")
    root = make_user(is_superuser=True)
    set_default_policy(SuperuserOnlyPolicy)
    try:
        with policy_registered(Team, SuperuserOnlyPolicy(Team)):
            assert _visible_teams(admin) == set()
            assert _visible_teams(root) == {"海珠区青年志愿服务队"}
    finally:
        set_default_policy(RoleRegionPolicy)
    assert _visible_teams(admin) == {"海珠区青年志愿服务队"}


def test_custom_action_named_on_a_policy(haizhu, make_user):
    county = make_user("county_admin", "440105")
    staff = make_user("association_staff", "440105")
    # A new action granted to county admins only, e.g. publishing teams.
    publishing = RoleRegionPolicy(
        Team, role_actions=role_table(grant={Role.COUNTY_ADMIN: {"publish"}})
    )
    with policy_registered(Team, publishing):
        assert "publish" in policy_for(Team).actions
        assert _visible_teams(county, "publish") == {"海珠区青年志愿服务队"}
        assert _visible_teams(staff, "publish") == set()
    with pytest.raises(UnknownActionError):  # not an action of the default policy
        Team.objects.restrict(county, "publish")


def test_personal_data_reveal_is_the_reveal_action(haizhu, make_user):
    assert may_see_personal(make_user("county_admin", "440105"), haizhu)
    assert may_see_personal(make_user("province_admin", "440000"), haizhu)
    assert not may_see_personal(make_user("association_staff", "440105"), haizhu)
    assert not may_see_personal(make_user("county_admin", "440106"), haizhu)
    # A model's policy may withhold it even from the administrators.
    silent = RoleRegionPolicy(
        Association, role_actions=role_table(revoke={Role.COUNTY_ADMIN: {"reveal"}})
    )
    with policy_registered(Association, silent):
        assert not may_see_personal(make_user("county_admin", "440105"), haizhu)


def test_checklist_verify_is_for_the_level_directly_above(haizhu, make_user):
    item = ChecklistItem.objects.filter(active=True).first()
    entry = services.checklist_entry_submit(
        actor=None, association=haizhu, item=item, note="章程已备案"
    )
    policy = policy_for(ChecklistEntry)
    city, province = make_user("city_admin", "440100"), make_user("province_admin", "440000")
    county = make_user("county_admin", "440105")
    assert policy.user_may(city, "verify", obj=entry)
    assert not policy.user_may(province, "verify", obj=entry)
    assert not policy.user_may(county, "verify", obj=entry)
    assert list(ChecklistEntry.objects.restrict(city, "verify")) == [entry]
    assert not ChecklistEntry.objects.restrict(province, "verify").exists()
    # The county may still submit (change) its own material.
    assert ChecklistEntry.objects.restrict(county, "change").get() == entry


def test_the_gate_filters_on_the_rows_own_column_without_a_join(haizhu, make_user):
    county = make_user("county_admin", "440105")
    for model in (Team, Association, GroupMember, ChecklistEntry):
        # The gate's own filter, without the model's default ordering (Team's orders by the
        # association's number, which joins for the ORDER BY, not for the permission).
        sql = str(model.objects.restrict(county, "view").order_by("id").query).upper()
        assert "JOIN" not in sql, (model.__name__, sql)
        assert "REGION_PATH" in sql
    team = Team.objects.get()
    assert team.region_path == "000000/440000/440100/440105/"
    assert _visible_teams(make_user("county_admin", "440106")) == set()


def test_bulk_create_fills_the_path(haizhu):
    teams = Team.objects.bulk_create(
        [
            Team(
                association_id=haizhu.pk,  # parent not loaded: read in one query
                region_id=haizhu.region_id,
                name=f"队伍{n}",
                category="school",
                founded_on=D(2021, 1, 1),
            )
            for n in range(3)
        ]
    )
    assert {t.region_path for t in teams} == {haizhu.region.path}
    assert Team.objects.filter(region_path=haizhu.region.path).count() == 4


def test_a_moved_associations_rows_follow_it(haizhu, make_user, region):
    services.group_member_create(
        actor=None,
        association=haizhu,
        name="海珠区某志愿服务队",
        kind="volunteer_organisation",
        admitted_on=D(2020, 5, 1),
    )
    item = ChecklistItem.objects.filter(active=True).first()
    services.checklist_entry_submit(actor=None, association=haizhu, item=item, note="x")
    tianhe = region("440106")
    tianhe_admin = make_user("county_admin", "440106")
    haizhu_admin = make_user("county_admin", "440105")  # granted before the division retires
    Region.objects.filter(code="440105").update(valid_to=D(2025, 1, 1), successor=tianhe)

    moved = services.associations_follow_successors()

    assert [(a.pk, new.code) for a, _old, new in moved] == [(haizhu.pk, "440106")]
    for model in (Association, Team, GroupMember, ChecklistEntry):
        assert set(model.objects.values_list("region_path", flat=True)) == {tianhe.path}
    assert _visible_teams(tianhe_admin) == {"海珠区青年志愿服务队"}
    assert _visible_teams(haizhu_admin) == set()
    assert GroupMember.objects.restrict(tianhe_admin).count() == 1
    logged = ObjectChange.objects.filter(object_id=str(haizhu.pk), action="update").first()
    assert logged.scope_path == tianhe.path and "440106" in logged.note


def test_rows_follow_a_division_moved_to_a_new_parent(haizhu, region):
    # The loader moves a division: its path changes and every row copying it follows.
    new_path = "000000/440000/440300/440105/"
    Region.objects.filter(code="440105").update(path=new_path)
    refreshed = scope_paths_follow(Region, [haizhu.region_id])
    assert refreshed >= 2  # the association and its team
    assert Association.objects.get().region_path == new_path
    assert Team.objects.get().region_path == new_path
