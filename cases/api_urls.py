from django.urls import path

from . import api

case = "cases/<str:number>/"

urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-cases"),
    path(case, api.CaseDetailApi.as_view(), name="api-case"),
    path(case + "messages/", api.CaseMessagesApi.as_view(), name="api-case-messages"),
    path(case + "events/", api.CaseEventsApi.as_view(), name="api-case-events"),
    path(case + "assign/", api.CaseAssignApi.as_view(), name="api-case-assign"),
    path(case + "tier/", api.CaseTierApi.as_view(), name="api-case-tier"),
    path(case + "request-info/", api.CaseRequestInfoApi.as_view(), name="api-case-request-info"),
    path(case + "propose-solution/", api.CaseProposeSolutionApi.as_view(), name="api-case-propose-solution"),
    path(case + "confirm/", api.CaseConfirmApi.as_view(), name="api-case-confirm"),
    path(case + "reopen/", api.CaseReopenApi.as_view(), name="api-case-reopen"),
    path(case + "withdraw/", api.CaseWithdrawApi.as_view(), name="api-case-withdraw"),
    path(case + "severity/", api.CaseSeverityApi.as_view(), name="api-case-severity"),
    path(case + "time/", api.CaseTimeApi.as_view(), name="api-case-time"),
    path("organizations/<int:pk>/billing/", api.BillingApi.as_view(), name="api-organization-billing"),
]
