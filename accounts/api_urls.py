from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("organizations/", api.OrganizationListApi.as_view(), name="api-organizations"),
    path("organizations/<int:pk>/", api.OrganizationDetailApi.as_view(), name="api-organization"),
    path("users/", api.UserListApi.as_view(), name="api-users"),
    path("users/<int:pk>/", api.UserDetailApi.as_view(), name="api-user"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/active-organization/", api.ActiveOrganizationApi.as_view(), name="api-me-active-organization"),
]
