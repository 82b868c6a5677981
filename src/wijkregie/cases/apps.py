from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wijkregie.cases"
    label = "cases"
    verbose_name = "Casusregie"
