from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "wijkregie.areas"
    label = "areas"
    verbose_name = "Gebieden"
