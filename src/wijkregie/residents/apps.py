from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "wijkregie.residents"
    label = "residents"

    def ready(self) -> None:
        from wijkregie.residents import receivers
        from wijkregie.signals import events

        events.status_changed.connect(
            receivers.on_status_changed, dispatch_uid="residents.status_email"
        )
