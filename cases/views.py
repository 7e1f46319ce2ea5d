from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("home")

log_case_view = home

tracker = home

case_detail = home

case_reply = home

case_confirm = home

case_reopen = home

case_withdraw = home

billing = home

dashboard = home

bulk_assign_view = home

phone_desk = home

workspace = home

workspace_message = home

workspace_request_info = home

workspace_propose_solution = home

workspace_assign = home

workspace_tier = home

workspace_time = home
