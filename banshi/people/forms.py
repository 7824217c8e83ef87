"""Login form: Django's, with the lockout message (Chinese / English) and Chinese labels."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from banshi.people import lockout


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码错误 / Wrong username or password",
        "inactive": "该账号已停用 / This account is disabled",
    }

    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                state = lockout.lock_state(username)
                if state.locked:
                    raise forms.ValidationError(lockout.locked_message(state), code="locked")
                message = self.error_messages["invalid_login"]
                if state.remaining <= 2:
                    message += (
                        f"（再失败 {state.remaining} 次将锁定账号）"
                        f" / {state.remaining} more failures lock the account"
                    )
                raise forms.ValidationError(message, code="invalid_login")
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
