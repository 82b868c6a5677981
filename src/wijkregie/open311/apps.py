from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "wijkregie.open311"
    label = "open311"
