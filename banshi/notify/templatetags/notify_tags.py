"""``{% unread_messages %}``: the unread count for the page header (0 when signed out)."""

from django import template

from banshi.notify import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_count(user)
