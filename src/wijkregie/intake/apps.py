from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "wijkregie.intake"
    label = "intake"
