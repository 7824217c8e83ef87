"""URLs of banshi.licences: ``/licences/v/<token>/`` (public QR verification),
``/licences/verify/?id=`` (identifier lookup), ``/licences/mine/`` (我的证照, signed in)."""

from django.urls import path

from banshi.licences import views

app_name = "licences"
urlpatterns = [
    path("v/<str:token>/", views.verify, name="verify"),
    path("verify/", views.lookup, name="lookup"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:token>.pdf", views.pdf, name="pdf"),
]
