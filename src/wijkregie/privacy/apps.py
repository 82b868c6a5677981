from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "wijkregie.privacy"
    label = "privacy"
    verbose_name = "Privacy"
