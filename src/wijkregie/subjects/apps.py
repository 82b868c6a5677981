from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "wijkregie.subjects"
    label = "subjects"
    verbose_name = "Betrokkenen"
