from django.urls import path

from . import api

case = "cases/<str:number>/"

urlpatterns = [
    path(case + "escalations/", api.CaseEscalationsApi.as_view(), name="api-case-escalations"),
    path(
        case + "escalations/<int:pk>/acknowledge/",
        api.EscalationAcknowledgeApi.as_view(),
        name="api-case-escalation-acknowledge",
    ),
    path(case + "edown/", api.CaseEDownApi.as_view(), name="api-case-edown"),
    path(case + "spr/", api.CaseSprApi.as_view(), name="api-case-spr"),
    path("escalations/", api.EscalationListApi.as_view(), name="api-escalations"),
    path("feedback/", api.FeedbackApi.as_view(), name="api-feedback"),
]
