"""Dutch URLs for case management (included from wijkregie.urls under /casussen/)."""

from __future__ import annotations

from django.urls import path

from wijkregie.cases import export_views, meeting_views, monitoring_views, plan_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", views.case_export, name="export"),
    path("screening/", views.screening_list, name="screening-list"),
    path("screening/nieuw/", views.screening_new, name="screening-new"),
    path("screening/<str:uuid>/", views.screening_detail, name="screening-detail"),
    path("screening/<str:uuid>/casus/", views.case_new, name="case-new"),
    path("doorbreken/", views.break_glass_view, name="break-glass"),
    path("doorbraken/", views.break_glass_log, name="break-glass-log"),
    path("mijn-acties/", plan_views.my_actions, name="my-actions"),
    path("regie/", monitoring_views.dashboard, name="dashboard"),
    path("acties/<str:uuid>/", plan_views.action_detail, name="action"),
    path("acties/<str:uuid>/bijwerken/", plan_views.my_action_update, name="my-action-update"),
    path("overleggen/", meeting_views.meeting_list, name="meetings"),
    path("overleggen/<str:uuid>/", meeting_views.meeting_detail, name="meeting"),
    path(
        "overleggen/<str:uuid>/deelnemers/",
        meeting_views.meeting_attendee_add,
        name="meeting-attendee-add",
    ),
    path("overleggen/<str:uuid>/agenda/", meeting_views.meeting_agenda, name="meeting-agenda"),
    path(
        "overleggen/<str:uuid>/punten/<str:item>/besluiten/",
        meeting_views.meeting_decision,
        name="meeting-decision",
    ),
    path(
        "overleggen/<str:uuid>/vaststellen/", meeting_views.meeting_approve, name="meeting-approve"
    ),
    path("<str:uuid>/", views.case_detail, name="detail"),
    path("<str:uuid>/fase/", views.case_transition_view, name="transition"),
    path("<str:uuid>/heropenen/", views.case_reopen_view, name="reopen"),
    path("<str:uuid>/deelnemers/", views.participant_add_view, name="participant-add"),
    path("<str:uuid>/afsluiten/", export_views.case_close_view, name="close"),
    path("<str:uuid>/plan/pdf/", export_views.plan_pdf_view, name="plan-pdf"),
    path("<str:uuid>/plan/", plan_views.plan_detail, name="plan"),
    path("<str:uuid>/plan/doelen/", plan_views.goal_add_view, name="goal-add"),
    path("<str:uuid>/plan/doelen/<str:goal>/", plan_views.goal_status_view, name="goal-status"),
    path("<str:uuid>/plan/acties/", plan_views.action_add_view, name="action-add"),
    path(
        "<str:uuid>/deelnemers/<str:participant>/verwijderen/",
        views.participant_remove_view,
        name="participant-remove",
    ),
]
