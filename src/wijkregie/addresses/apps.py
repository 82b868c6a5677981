from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "wijkregie.addresses"
    label = "addresses"
