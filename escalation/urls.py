from django.urls import path

from . import views

app_name = "escalation"

case = "cases/<str:number>/"

urlpatterns = [
    path(case + "severity/", views.severity, name="severity"),
    path(case + "escalate/", views.escalate, name="escalate"),
    path(case + "edown/", views.edown, name="edown"),
    path(case + "feedback/", views.feedback, name="feedback"),
    path(case + "spr/", views.spr, name="spr"),
    path(case + "escalations/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("staff/escalations/", views.mine, name="mine"),
]
