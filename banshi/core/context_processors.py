"""Values every page template may use."""

from django.conf import settings


def platform(request):
    return {
        "region_name": settings.BANSHI_REGION_NAME,
        "demo_mode": settings.BANSHI_DEMO,
    }
