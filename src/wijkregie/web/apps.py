from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "wijkregie.web"
    label = "web"
    verbose_name = "Web"
