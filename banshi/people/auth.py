"""Authentication pieces configured in settings: the lockout guard, the login log, the password policy.

``AUTHENTICATION_BACKENDS`` puts :class:`LockoutBackend` first: while a username is locked it
refuses before any other backend checks a password (Django stops at ``PermissionDenied``), so the
lock holds for the login page, the admin login and any later API login alike, whatever backend
checks the password (local accounts today, a directory tomorrow).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

from banshi.people import lockout
from banshi.people.models import LoginAttempt


class LockoutBackend:
    """Refuses every password login for a locked username; otherwise lets the next backend decide.

    It never logs anyone in, so it has no ``get_user``: Django then skips it wherever it needs a
    backend that restores users from the session (e.g. the test client's ``force_login``).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and lockout.lock_state(username).locked:
            raise PermissionDenied("locked")
        return None


@receiver(user_login_failed, dispatch_uid="banshi.people.login_failed")
def _record_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    if username is None:  # not a password login (e.g. single sign-on): nothing to lock
        return
    outcome = (
        LoginAttempt.Outcome.LOCKED
        if lockout.lock_state(username).locked
        else LoginAttempt.Outcome.FAILURE
    )
    lockout.record_attempt(username, outcome, ip_address=lockout.client_ip(request))


@receiver(user_logged_in, dispatch_uid="banshi.people.logged_in")
def _record_success(sender, request, user, **kwargs):
    lockout.record_attempt(
        user.get_username(), LoginAttempt.Outcome.SUCCESS, ip_address=lockout.client_ip(request)
    )


class CharacterClassesValidator:
    """Password complexity (等保 身份鉴别 a): at least ``min_classes`` of lower-case letters,
    upper-case letters, digits and other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum(
            (
                any(ch.islower() for ch in password),
                any(ch.isupper() for ch in password),
                any(ch.isdigit() for ch in password),
                any(not ch.isalnum() for ch in password),
            )
        )

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(
                "密码须至少包含小写字母、大写字母、数字、符号中的%(n)d类 / "
                "a password needs at least %(n)d of: lower-case, upper-case, digits, symbols",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return (
            f"密码须至少包含小写字母、大写字母、数字、符号中的{self.min_classes}类 / "
            f"at least {self.min_classes} of: lower-case, upper-case, digits, symbols"
        )
