from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wijkregie.api"
    label = "wijkregie_api"
    verbose_name = "API"

    def ready(self) -> None:
        from wijkregie.api import schema  # noqa: F401  (registers the OpenAPI extension)
