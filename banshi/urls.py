"""URL map: public portal (guides), staff admin, and later the workbench and API."""

from django.contrib import admin
from django.urls import include, path

from banshi.api.urls import api

admin.site.site_header = "办事 Banshi 管理后台"
admin.site.site_title = "办事 Banshi"
admin.site.index_title = "事项目录与平台管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("banshi.people.urls")),
    path("api/v1/", api.urls),
    path("verify/", include("banshi.documents.urls")),
    path("policies/", include("banshi.policies.urls")),
    path("workbench/", include("banshi.workbench.urls")),
    path("licences/", include("banshi.licences.urls")),
    path("audit/", include("banshi.audit.urls")),
    path("credit/", include("banshi.credit.urls")),
    path("messages/", include("banshi.notify.urls")),
    path("datashare/", include("banshi.datashare.urls")),
    path("appeals/", include("banshi.appeals.urls")),
    path("ratings/", include("banshi.ratings.urls")),
    path("", include("banshi.portal.urls")),
]

handler404 = "banshi.portal.views.not_found"
