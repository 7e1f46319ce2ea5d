from django.urls import path

from . import api

held = "mail/quarantine/<int:pk>/"

urlpatterns = [
    path("mail/inbound/", api.InboundWebhookApi.as_view(), name="api-mail-inbound"),
    path("mail/inbound/<int:pk>/", api.InboundMailDetailApi.as_view(), name="api-mail-detail"),
    path("mail/inbound/<int:pk>/raw/", api.InboundMailRawApi.as_view(), name="api-mail-raw"),
    path("mail/quarantine/", api.QuarantineListApi.as_view(), name="api-mail-quarantine"),
    path(held + "attach/", api.QuarantineAttachApi.as_view(), name="api-mail-quarantine-attach"),
    path(held + "open-case/", api.QuarantineOpenCaseApi.as_view(), name="api-mail-quarantine-open-case"),
    path(held + "discard/", api.QuarantineDiscardApi.as_view(), name="api-mail-quarantine-discard"),
]
