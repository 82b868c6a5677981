from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("wijkregie.api.urls")),
    path("open311/v2/", include("wijkregie.open311.urls")),
    path("beheer/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("melden/", include("wijkregie.residents.urls")),
    path("importeren/", include("wijkregie.intake.urls")),
    path("rapportages/", include("wijkregie.documents.urls")),
    path("kaart/", include("wijkregie.analysis.map_urls")),
    path("gebieden/", include("wijkregie.analysis.urls")),
    path("privacy/", include("wijkregie.privacy.urls")),
    path("casussen/", include("wijkregie.cases.urls")),
    path("meldingen/", include("wijkregie.notifications.urls")),
    path("leerkring/", include("wijkregie.learning.urls")),
    path("wijk/", include("wijkregie.learning.public_urls")),
    path("", include("wijkregie.subjects.urls")),
    path("", include("wijkregie.tenants.urls")),
    path("", include("wijkregie.web.urls")),
]
