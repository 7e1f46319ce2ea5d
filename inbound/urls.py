from django.urls import path

from . import views

app_name = "inbound"

held = "staff/mail/<int:pk>/"

urlpatterns = [
    path("staff/mail/", views.quarantine, name="quarantine"),
    path(held, views.original, name="original"),
    path(held + "raw/", views.raw, name="raw"),
    path(held + "attach/", views.attach, name="attach"),
    path(held + "open-case/", views.open_case, name="open_case"),
    path(held + "discard/", views.discard, name="discard"),
    path("staff/messages/<int:message_id>/original/", views.message_original, name="message_original"),
]
