"""The role-and-region policy: a role granted on a region covers its subtree, per a role table.

`accounts` installs it as the default policy of every model (AccountsConfig.ready()); a
domain app registers one with a table of its own for a model whose rules differ, e.g.
`register_policy(Training, RoleRegionPolicy(Training, role_actions=role_table(...)))`.
"""

from __future__ import annotations

from collections.abc import Mapping

from qingxie.accounts.roles import ROLE_ACTIONS, ROLE_LEVEL, VIEW
from qingxie.core.policies import STANDARD_ACTIONS, PermissionPolicy


def user_grants(user) -> list:
    """The user's grants with their regions, cached on the user object for one request."""
    cached = getattr(user, "_qingxie_grants", None)
    if cached is None:
        cached = list(user.grants.select_related("region"))
        user._qingxie_grants = cached
    return cached


def admin_paths(user) -> list[str] | None:
    """Region paths on which `user` holds an administrator grant (None: a superuser).

    What every review spec passes as `decider_paths`: the levels a user may decide for.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return [g.region.path for g in user_grants(user) if ROLE_LEVEL.get(g.role) is not None]


class RoleRegionPolicy(PermissionPolicy):
    """Who may act where: the roles the user holds, each on a region covering its subtree.

    `role_actions` maps each role to the actions it may take (default: accounts.roles
    ROLE_ACTIONS); any action in it beyond view/add/change/delete is a custom action of this
    policy. Models marked `read_only_for_users` allow only `view`, to superusers too.
    """

    def __init__(
        self,
        model=None,
        *,
        role_actions: Mapping[str, frozenset[str]] | None = None,
        custom_actions: frozenset[str] | set[str] = frozenset(),
    ):
        super().__init__(model)
        self.role_actions = dict(ROLE_ACTIONS if role_actions is None else role_actions)
        named = frozenset().union(*self.role_actions.values()) - STANDARD_ACTIONS
        self.custom_actions = frozenset(custom_actions) | named

    def scope_paths(self, user, action: str) -> list[str] | None:
        self.check_action(action)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return []
        if action != VIEW and getattr(self.model, "read_only_for_users", False):
            return []
        if user.is_superuser:
            return None
        paths = {
            g.region.path for g in user_grants(user) if action in self.role_actions.get(g.role, ())
        }
        # A grant nested inside another adds nothing; keep the outermost only.
        return [p for p in sorted(paths) if not any(p != q and p.startswith(q) for q in paths)]
