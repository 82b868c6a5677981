from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "wijkregie.tenants"
    label = "tenants"
    verbose_name = "Gemeenten en organisaties"
