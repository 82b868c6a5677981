from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "wijkregie.residents"
    label = "residents"
