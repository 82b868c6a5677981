from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "wijkregie.signals"
    label = "signals"
    verbose_name = "Signalen"
