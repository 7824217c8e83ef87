"""API tokens: create (shown once), look up by SHA-256, revoke.

A token is ``bsk_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored, so a copy of the database does not give anyone a working token. ``last_used_at`` is
refreshed at most once a minute per token, so a busy client does not turn every read into a write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db.models import Q

from banshi.api.models import ApiToken
from banshi.core import clock
from banshi.core.db import current, row_shape, statement, update_row

TOKEN_PREFIX = "bsk_"
TOUCH_EVERY = dt.timedelta(seconds=60)


class TokenError(ValueError):
    """A token operation was refused; ``str()`` is Chinese / English."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, label: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: returns the row and the token itself (never stored)."""
    label = " ".join((label or "").split())
    if not label:
        raise TokenError("请填写令牌用途说明(--label)", "a token needs a label (--label)")
    if not user.is_active:
        raise TokenError("该账号已停用", "this account is inactive")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        token_hash=hash_token(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        user=user,
        label=label[:100],
        created_at=clock.now(),
    )
    return row, token


def user_for_token(token: str):
    """The active owner of an unrevoked token, or None (unknown, revoked, inactive owner).

    Every API request asks this, so it is one plain ``SELECT`` joining the token, its owner and
    the person or staff profile behind the account (both cached on the user, as
    ``select_related`` would: later reads of ``user.person`` cost nothing)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = _token_row(hash_token(token))
    if row is None or not row.user.is_active:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        update_row(ApiToken, row.pk, last_used_at=now)
    return row.user


def _token_row(token_hash: str) -> ApiToken | None:
    from banshi.people.models import Person, StaffProfile

    db = current()
    found = _TOKEN_READS.get(db.vendor)
    if found is None:
        found = _TOKEN_READS[db.vendor] = _token_read(db)
    sql, shapes = found
    with statement(sql, [token_hash], db) as cursor:
        found = cursor.fetchone()
    if found is None:
        return None
    objects, start = [], 0
    for shape in shapes:
        objects.append(shape.build(found[start : start + shape.width], db))
        start += shape.width
    row, user, person, staff = objects
    ApiToken._meta.get_field("user").set_cached_value(row, user)
    for model, related in ((Person, person), (StaffProfile, staff)):
        field = model._meta.get_field("user")
        field.remote_field.set_cached_value(user, related)  # user.person / user.staff_profile
        if related is not None:
            field.set_cached_value(related, user)
    return row


_TOKEN_READS: dict[str, tuple[str, list]] = {}


def _token_read(db) -> tuple[str, list]:
    """The statement of :func:`_token_row` and the shapes of its four models (made once)."""
    from banshi.people.models import Person, StaffProfile

    user_model = get_user_model()
    shapes = [
        row_shape(ApiToken, "t", db),
        row_shape(user_model, "u", db),
        row_shape(Person, "p", db),
        row_shape(StaffProfile, "s", db),
    ]
    quote = db.ops.quote_name
    user_pk = quote(user_model._meta.pk.column)
    owner = quote(ApiToken._meta.get_field("user").column)
    person_user = quote(Person._meta.get_field("user").column)
    staff_user = quote(StaffProfile._meta.get_field("user").column)
    sql = (
        f"SELECT {', '.join(shape.columns for shape in shapes)} "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{user_pk} = t.{owner} "
        f"LEFT JOIN {quote(Person._meta.db_table)} p ON p.{person_user} = u.{user_pk} "
        f"LEFT JOIN {quote(StaffProfile._meta.db_table)} s ON s.{staff_user} = u.{user_pk} "
        f"WHERE t.{quote('token_hash')} = %s AND t.{quote('revoked_at')} IS NULL LIMIT 1"
    )
    return sql, shapes


def revoke_token(token_id: int) -> ApiToken:
    row = ApiToken.objects.filter(pk=token_id).first()
    if row is None:
        raise TokenError(f"没有编号为 {token_id} 的令牌", f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
    return row


def find_user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise TokenError(f"用户名“{username}”不存在", f"no user named {username!r}")
    return user


def tokens_of(username: str | None = None):
    rows = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if username:
        rows = rows.filter(Q(user__username=username))
    return rows
