from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "wijkregie.analysis"
    label = "analysis"
    verbose_name = "Analyse"
