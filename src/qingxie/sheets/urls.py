"""Import and export pages."""

app_name = "sheets"
urlpatterns: list = []
