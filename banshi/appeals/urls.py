"""12345 URLs: public pages under /appeals/, staff pages under /appeals/staff/, JSON under
/appeals/api/."""

from django.urls import path

from banshi.appeals import api, views

app_name = "appeals"

urlpatterns = [
    # the public
    path("", views.public_home, name="home"),
    path("new/", views.public_new, name="new"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.track_detail, name="track_detail"),
    path("track/<str:number>/<str:action>/", views.track_act, name="track_act"),
    path("public/", views.disclosure, name="disclosure"),
    # staff
    path("staff/", views.desk, name="desk"),
    path("staff/intake/", views.intake, name="intake"),
    path("staff/knowledge/", views.knowledge_search, name="knowledge"),
    path("staff/board/", views.board, name="board"),
    path("staff/reports/", views.report, name="report"),
    path("staff/<str:number>/", views.detail, name="detail"),
    path("staff/<str:number>/reveal/", views.reveal, name="reveal"),
    path("staff/<str:number>/act/<str:action>/", views.act, name="act"),
    # JSON (machines, the benchmark)
    path("api/appeals", api.collection, name="api_collection"),
    path("api/appeals/<str:number>", api.item, name="api_item"),
    path("api/appeals/<str:number>/<str:action>", api.action, name="api_action"),
]
