"""/api/v1 — no trailing slashes (NL API Design Rules)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from wijkregie.analysis import api as analysis_api
from wijkregie.analysis import api_index as analysis_api_index
from wijkregie.analysis import api_map as analysis_api_map
from wijkregie.analysis import api_profile as profile_api
from wijkregie.areas import api as areas_api
from wijkregie.cases import api as cases_api
from wijkregie.cases import api_exports as export_api
from wijkregie.cases import api_plan as plan_api
from wijkregie.cases import monitoring_api
from wijkregie.documents import api as documents_api
from wijkregie.learning import api as learning_api
from wijkregie.notifications import api as notifications_api
from wijkregie.signals import api as signals_api
from wijkregie.subjects import api as subjects_api

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(permission_classes=[]), name="openapi"),
    path("signals", signals_api.SignalListView.as_view(), name="signal-list"),
    path("signals/batch", signals_api.SignalBatchView.as_view(), name="signal-batch"),
    path("signals/<str:uuid>", signals_api.SignalDetailView.as_view(), name="signal-detail"),
    path("signals/<str:uuid>/status", signals_api.SignalStatusView.as_view(), name="signal-status"),
    path(
        "signals/<str:uuid>/subjects",
        subjects_api.SignalSubjectsView.as_view(),
        name="signal-subjects",
    ),
    path("subjects/<str:uuid>", subjects_api.SubjectDetailView.as_view(), name="subject-detail"),
    path(
        "subjects/<str:uuid>/split", subjects_api.SubjectSplitView.as_view(), name="subject-split"
    ),
    path(
        "subjects/<str:uuid>/members",
        subjects_api.SubjectMembersView.as_view(),
        name="subject-members",
    ),
    path(
        "subjects/<str:uuid>/members/<str:person>",
        subjects_api.SubjectMemberView.as_view(),
        name="subject-member",
    ),
    path("cases", cases_api.CaseListView.as_view(), name="case-list"),
    path("cases/dashboard", monitoring_api.DashboardView.as_view(), name="case-dashboard"),
    path("cases/<str:uuid>", cases_api.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<str:uuid>/transitions",
        cases_api.CaseTransitionView.as_view(),
        name="case-transition",
    ),
    path("cases/<str:uuid>/close", cases_api.CaseCloseView.as_view(), name="case-close"),
    path("cases/<str:uuid>/zgw", export_api.ZgwCaseView.as_view(), name="case-zgw"),
    path("cases/<str:uuid>/plan-pdf", export_api.PlanPdfCreateView.as_view(), name="case-plan-pdf"),
    path(
        "cases/<str:uuid>/plan-pdf/<str:document>",
        export_api.PlanPdfDetailView.as_view(),
        name="case-plan-pdf-detail",
    ),
    path(
        "cases/<str:uuid>/plan-pdf/<str:document>/file",
        export_api.PlanPdfFileView.as_view(),
        name="case-plan-pdf-file",
    ),
    path("cases/<str:uuid>/plan", plan_api.PlanView.as_view(), name="case-plan"),
    path("cases/<str:uuid>/goals", plan_api.GoalCreateView.as_view(), name="case-goal-create"),
    path(
        "cases/<str:uuid>/goals/<str:goal>",
        plan_api.GoalUpdateView.as_view(),
        name="case-goal-update",
    ),
    path(
        "cases/<str:uuid>/actions", plan_api.ActionCreateView.as_view(), name="case-action-create"
    ),
    path("actions/<str:uuid>", plan_api.ActionDetailView.as_view(), name="action-detail"),
    path(
        "actions/<str:uuid>/progress",
        plan_api.ActionProgressView.as_view(),
        name="action-progress",
    ),
    path("my-actions", plan_api.MyActionsView.as_view(), name="my-actions"),
    path("meetings", plan_api.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<str:uuid>", plan_api.MeetingDetailView.as_view(), name="meeting-detail"),
    path(
        "meetings/<str:uuid>/attendees",
        plan_api.MeetingAttendeesView.as_view(),
        name="meeting-attendees",
    ),
    path("meetings/<str:uuid>/agenda", plan_api.MeetingAgendaView.as_view(), name="meeting-agenda"),
    path(
        "meetings/<str:uuid>/items/<str:item>/decisions",
        plan_api.MeetingDecisionView.as_view(),
        name="meeting-decision",
    ),
    path(
        "meetings/<str:uuid>/approval",
        plan_api.MeetingApprovalView.as_view(),
        name="meeting-approval",
    ),
    path("screenings", cases_api.ScreeningCreateView.as_view(), name="screening-create"),
    path(
        "screenings/<str:uuid>/decision",
        cases_api.ScreeningDecisionView.as_view(),
        name="screening-decision",
    ),
    path(
        "screenings/<str:uuid>/case", cases_api.ScreeningCaseView.as_view(), name="screening-case"
    ),
    path("categories", signals_api.CategoryListView.as_view(), name="category-list"),
    path("life-domains", signals_api.LifeDomainListView.as_view(), name="life-domain-list"),
    path("areas", areas_api.FocusAreaListView.as_view(), name="area-list"),
    path("areas/<str:uuid>", areas_api.FocusAreaDetailView.as_view(), name="area-detail"),
    path("areas/<str:uuid>/map", areas_api.FocusAreaMapView.as_view(), name="area-map"),
    path("neighbourhoods/map", areas_api.NeighbourhoodMapView.as_view(), name="neighbourhood-map"),
    path("analysis/hotspots", analysis_api.HotspotView.as_view(), name="analysis-hotspots"),
    path(
        "analysis/profiles/compare",
        profile_api.AreaComparisonView.as_view(),
        name="analysis-profile-compare",
    ),
    path(
        "analysis/profiles/<str:area>",
        profile_api.AreaProfileView.as_view(),
        name="analysis-profile",
    ),
    path("analysis/index", analysis_api_index.AreaIndexView.as_view(), name="analysis-index"),
    path(
        "analysis/map/clusters",
        analysis_api_map.MapClustersView.as_view(),
        name="analysis-map-clusters",
    ),
    path(
        "analysis/map/choropleth",
        analysis_api_map.MapChoroplethView.as_view(),
        name="analysis-map-choropleth",
    ),
    path(
        "analysis/map/focus-areas",
        analysis_api_map.MapFocusAreasView.as_view(),
        name="analysis-map-focus-areas",
    ),
    path("reports", documents_api.ReportListView.as_view(), name="report-list"),
    path("reports/<str:uuid>", documents_api.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<str:uuid>/file", documents_api.ReportFileView.as_view(), name="report-file"),
    path(
        "analysis/map/hotspots",
        analysis_api_map.MapHotspotsView.as_view(),
        name="analysis-map-hotspots",
    ),
    path(
        "notifications", notifications_api.NotificationListView.as_view(), name="notification-list"
    ),
    path(
        "notifications/read",
        notifications_api.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/<str:uuid>/read",
        notifications_api.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path("learning/cards", learning_api.CardListView.as_view(), name="learning-card-list"),
    path(
        "learning/cards/<str:uuid>",
        learning_api.CardDetailView.as_view(),
        name="learning-card-detail",
    ),
    path("learning/meetings", learning_api.MeetingListView.as_view(), name="learning-meetings"),
    path(
        "learning/meetings/<str:uuid>",
        learning_api.MeetingDetailView.as_view(),
        name="learning-meeting-detail",
    ),
    path("learning/effect", learning_api.EffectView.as_view(), name="learning-effect"),
]
