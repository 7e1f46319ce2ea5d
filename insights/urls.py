from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.figures, name="figures"),
    path("csv/<slug:chart>/", views.figures_csv, name="figures_csv"),
]
