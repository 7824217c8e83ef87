"""12345 pages: filled in by the views commit."""

app_name = "appeals"
urlpatterns: list = []
