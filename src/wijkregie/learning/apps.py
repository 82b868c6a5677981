from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "wijkregie.learning"
    label = "learning"
    verbose_name = "Leerkring"
