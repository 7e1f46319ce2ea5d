"""Every write to a case, whatever the door (browser, API, phone desk, admin, task)."""

from .assignment import assign_case, bulk_assign, change_tier
from .attachments import clean_file_name, validate_uploads
from .audit import record_event
from .clocks import refresh_auto_close, refresh_sla
from .correspondence import add_message, lock_case, set_status
from .intake import log_case
from .lifecycle import close_case, confirm_solution, propose_solution, reopen_case, request_info, withdraw_case
from .severity import SEVERITY_FIELDS, apply_severity, change_severity
from .timekeeping import log_time

__all__ = [
    "SEVERITY_FIELDS",
    "refresh_auto_close",
    "refresh_sla",
    "add_message",
    "assign_case",
    "apply_severity",
    "bulk_assign",
    "change_severity",
    "change_tier",
    "clean_file_name",
    "close_case",
    "confirm_solution",
    "lock_case",
    "log_case",
    "log_time",
    "propose_solution",
    "record_event",
    "reopen_case",
    "request_info",
    "set_status",
    "validate_uploads",
    "withdraw_case",
]
