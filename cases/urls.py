from django.urls import path

from . import downloads, views

app_name = "cases"

case = "cases/<str:number>/"

urlpatterns = [
    path("", views.home, name="home"),
    # Customers
    path("cases/new/", views.log_case_view, name="log"),
    path("cases/", views.tracker, name="tracker"),
    path(case, views.case_detail, name="detail"),
    path(case + "reply/", views.case_reply, name="reply"),
    path(case + "confirm/", views.case_confirm, name="confirm"),
    path(case + "reopen/", views.case_reopen, name="reopen"),
    path(case + "withdraw/", views.case_withdraw, name="withdraw"),
    path("organizations/<int:pk>/billing/", views.billing, name="billing"),
    # Staff
    path("staff/", views.dashboard, name="dashboard"),
    path("staff/bulk-assign/", views.bulk_assign_view, name="bulk_assign"),
    path("staff/phone/", views.phone_desk, name="phone_desk"),
    path("staff/" + case, views.workspace, name="workspace"),
    path("staff/" + case + "message/", views.workspace_message, name="workspace_message"),
    path("staff/" + case + "request-info/", views.workspace_request_info, name="request_info"),
    path("staff/" + case + "propose-solution/", views.workspace_propose_solution, name="propose_solution"),
    path("staff/" + case + "assign/", views.workspace_assign, name="assign"),
    path("staff/" + case + "tier/", views.workspace_tier, name="tier"),
    path("staff/" + case + "time/", views.workspace_time, name="time"),
    path("attachments/<int:attachment_id>/", downloads.download_attachment, name="attachment"),
]
