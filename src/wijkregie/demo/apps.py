from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "wijkregie.demo"
    label = "demo"
    verbose_name = "Demo"
