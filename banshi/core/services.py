"""Platform-level operations: demo accounts and the staff roles they stand for."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

DEMO_PASSWORD = "banshi-demo-2026"

# Role groups (DESIGN §8). Issue-by-issue each role gains its pages; catalogue admins manage the
# catalogue and the working-day calendar today.
ROLE_PERMISSIONS = {
    "事项管理员": [("catalog", None), ("workdays", None)],
}
DEMO_ACCOUNTS = [
    # username, display name, role group, superuser
    ("sysadmin", "系统管理员", None, True),
    ("catalog_admin", "事项管理员 王敏", "事项管理员", False),
]


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create the role groups with their permissions (idempotent)."""
    groups = {}
    for name, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.none()
        for app_label, codename in grants:
            query = Permission.objects.filter(content_type__app_label=app_label)
            if codename:
                query = query.filter(codename=codename)
            permissions = permissions | query
        group.permissions.set(permissions)
        groups[name] = group
    return groups


@transaction.atomic
def ensure_demo_accounts() -> list[str]:
    """Create or reset the demo accounts listed on the login page in demo mode."""
    groups = ensure_roles()
    user_model = get_user_model()
    names = []
    for username, display, group, superuser in DEMO_ACCOUNTS:
        user, _ = user_model.objects.get_or_create(username=username)
        user.first_name = display
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        if group:
            user.groups.add(groups[group])
        names.append(username)
    return names
