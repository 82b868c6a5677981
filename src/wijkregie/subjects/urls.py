"""Dutch URLs for subjects and the screening queue (included from wijkregie.urls)."""

from __future__ import annotations

from django.urls import path

from wijkregie.subjects import views

app_name = "subjects"

urlpatterns = [
    path("betrokkenen/<str:uuid>/", views.subject_detail, name="detail"),
    path("betrokkenen/<str:uuid>/samenvoegen/", views.subject_merge_view, name="merge"),
    path("betrokkenen/<str:uuid>/ontvlechten/", views.subject_unmerge_view, name="unmerge"),
    path("betrokkenen/<str:uuid>/screening/", views.screening_open_view, name="screening-open"),
    path("betrokkenen/<str:uuid>/leden/", views.group_member_add_view, name="member-add"),
    path(
        "betrokkenen/<str:uuid>/leden/<str:person_uuid>/verwijderen/",
        views.group_member_remove_view,
        name="member-remove",
    ),
    path("betrokkenen/<str:uuid>/afsplitsen/", views.subject_split_view, name="split"),
    path("screening/", views.screening_queue, name="screening"),
    path("herkoppeling/", views.relink_review, name="relink-review"),
    path("herkoppeling/<str:uuid>/", views.relink_decide, name="relink-decide"),
    path("signalen/<str:uuid>/betrokkenen/", views.signal_subject_add, name="signal-add"),
]
