"""Permission policies: what the one gate asks about a model, and the registry apps fill.

`Model.objects.restrict(user, action)` and the services' `require_scope` ask the policy
registered for the model (Wagtail's permission policies are the model for this). A policy
answers three questions, all derived from one primitive, `scope_paths(user, action)`:

* which objects a user may act on for an action (`restrict`, a queryset filter);
* whether a user may act on one object, or at one region path when creating (`user_may`);
* which actions it knows: the four standard ones plus custom actions it names
  (`verify`, `reveal`, `publish`, `score`, `approve`, …). An action a policy does not know is
  a programming error and raises `UnknownActionError`, for superusers too.

`core` names no app: `accounts` installs the role-and-region policy as the default in its
`AppConfig.ready()`, and a domain app registers its own rules for its models there with
`register_policy(Model, policy)`. Until a default is installed every model gets
`SuperuserOnlyPolicy`, so `core` alone is usable and safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import models

from qingxie.core.models import NATION_PATH, path_in_scope, subtree_q

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
STANDARD_ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})


class UnknownActionError(ValueError):
    """Raised when the gate is asked about an action the model's policy does not name."""


class PermissionPolicy:
    """Decides what users may do with one model, by region subtree.

    Subclasses implement `scope_paths`; `restrict` and `user_may` are derived from it and may be
    overridden for actions that are not a plain subtree rule.
    """

    #: Actions beyond view/add/change/delete that this policy decides.
    custom_actions: frozenset[str] = frozenset()

    def __init__(self, model: type[models.Model] | None = None):
        self.model = model

    @property
    def actions(self) -> frozenset[str]:
        return STANDARD_ACTIONS | frozenset(self.custom_actions)

    def check_action(self, action: str) -> None:
        """Refuse an action this policy does not name (a typo must not open or hide rows)."""
        if action not in self.actions:
            name = self.model.__name__ if self.model else type(self).__name__
            raise UnknownActionError(
                f"{name} has no action {action!r}; its policy knows {sorted(self.actions)}"
            )

    def scope_paths(self, user, action: str) -> list[str] | None:
        """Region paths under which `user` may take `action` (None: everywhere, []: nowhere)."""
        raise NotImplementedError

    def restrict(self, queryset: models.QuerySet, user, action: str) -> models.QuerySet:
        """The objects of `queryset` that `user` may take `action` on."""
        paths = self.scope_paths(user, action)
        if paths is None:
            return queryset.all()
        if not paths:
            return queryset.none()
        field = getattr(queryset.model, "scope_path_field", None)
        if field is None:
            # National reference data (e.g. the checklist): anyone with a grant reads it,
            # only a grant on the whole country writes it.
            return queryset.all() if action == VIEW or NATION_PATH in paths else queryset.none()
        if NATION_PATH in paths:
            # The whole country's subtree is every row: no range for the database to walk.
            return queryset.filter(**{f"{field}__isnull": False})
        condition = models.Q()
        for path in paths:
            condition |= subtree_q(field, path)
        return queryset.filter(condition)

    def user_may(self, user, action: str, *, obj=None, path: str | None = None) -> bool:
        """Whether `user` may take `action` on `obj`, or at region `path` (for creation)."""
        if obj is not None and path is None:
            path = scope_path_of(obj)
        return path_in_scope(self.scope_paths(user, action), path or "")


class SuperuserOnlyPolicy(PermissionPolicy):
    """The fallback before any app installs a default: active superusers only."""

    def scope_paths(self, user, action: str) -> list[str] | None:
        self.check_action(action)
        if user is not None and getattr(user, "is_superuser", False) and user.is_active:
            return None
        return []


def scope_path_of(obj) -> str:
    """The region path an object is scoped by, from its own scope column ("" if none)."""
    field = getattr(type(obj), "scope_path_field", None)
    if not field:
        return ""
    value = obj
    for part in field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value or ""


_registry: dict[type, PermissionPolicy] = {}
_defaults: dict[type | None, PermissionPolicy] = {}
_default_factory: Callable[[type | None], PermissionPolicy] = SuperuserOnlyPolicy


def register_policy(model: type[models.Model], policy: PermissionPolicy) -> PermissionPolicy:
    """Make `policy` the one the gate asks about `model` (call it in AppConfig.ready())."""
    if policy.model is None:
        policy.model = model
    _registry[model] = policy
    return policy


def unregister_policy(model: type[models.Model]) -> None:
    """Return `model` to the default policy."""
    _registry.pop(model, None)


def set_default_policy(factory: Callable[[type | None], PermissionPolicy]) -> None:
    """The policy of every model that registered none: `factory(model)` (accounts sets it)."""
    global _default_factory
    _default_factory = factory
    _defaults.clear()


def policy_for(model: type[models.Model] | None) -> PermissionPolicy:
    """The policy registered for `model` (or a parent class), else the default policy."""
    if model is not None:
        for klass in model.__mro__:
            if klass in _registry:
                return _registry[klass]
    if model not in _defaults:
        _defaults[model] = _default_factory(model)
    return _defaults[model]


@contextmanager
def policy_registered(model: type[models.Model], policy: PermissionPolicy) -> Iterator[None]:
    """Register `policy` for `model` for the duration of a block (tests), then restore."""
    previous = _registry.get(model)
    register_policy(model, policy)
    try:
        yield
    finally:
        if previous is None:
            unregister_policy(model)
        else:
            _registry[model] = previous
