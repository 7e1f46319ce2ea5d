"""Page envelopes for the API, and a paginator that never counts a big table whole.

``DefaultPagination`` is DRF's page-number style (``{"count", "next", "previous",
"results"}``). Lists that can hold a million rows (the case lists: ``GET /api/v1/cases/``
and the customer's Case Tracker) use :class:`BoundedPaginator` instead of an exact
``COUNT(*)``: it counts at least :data:`COUNT_FLOOR` rows and always a few pages past
the one asked for, so the count is exact for every list up to that size, and otherwise a
lower bound flagged as such (``count_exact`` is false, the page shows "1,000+").

A text search is the exception to "count the first rows": its matches are spread over the
whole table, so even a bounded count reads rows until it has found a thousand of them
(24,000 rows for a word in 4% of a million cases). A filter that says so
(``count_by_estimate = True`` on the expression, e.g. the case text match) is first asked
of the planner: when PostgreSQL's own estimate is far above what would be counted, the
count is skipped and reported as the lower bound it would have been.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from math import ceil
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Aggregate, Count, QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# Below this many rows a list is counted exactly; above it the count is "at least".
COUNT_FLOOR = 1000
# Pages counted past the requested one (>= the elided range's pages on each side + 1,
# so every page link shown exists).
LOOKAHEAD_PAGES = 4
# A page number asked for is trusted up to this many pages for sizing the count.
MAX_COUNTED_PAGE = 10_000
# A searched list whose estimated rows exceed this many times what would be counted is
# not counted (the estimate may be off by a factor; this margin keeps the "at least"
# true in practice and a page link past the real end answers 404 at worst).
ESTIMATE_MARGIN = 4


def _counted_by_estimate(node: Any) -> bool:
    """Whether a query's WHERE tree holds a filter that asks to be estimated first."""
    if getattr(node, "count_by_estimate", False):
        return True
    # A boolean expression used as a filter is the left side of an ``exact`` lookup.
    parts = [*getattr(node, "children", ()), getattr(node, "lhs", None)]
    return any(_counted_by_estimate(part) for part in parts if part is not None)


def planner_rows(queryset: QuerySet[Any]) -> float | None:
    """PostgreSQL's estimate of the rows ``queryset`` returns (``EXPLAIN``, not run);
    ``None`` on other databases."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


class BoundedPaginator(Paginator):
    """A Django paginator whose ``count`` stops after ``max(COUNT_FLOOR, end of the
    requested page + LOOKAHEAD_PAGES pages)`` rows.

    - ``count_exact``: whether ``count`` is the real total. When it is not, ``count`` is a
      lower bound, ``num_pages`` includes one page more (so the last counted page has a
      "next" link) and :meth:`get_elided_page_range` ends with an ellipsis instead of the
      last page numbers.
    - ``aggregates``: optional aggregates over the whole list, computed in the same bounded
      query as the count; ``self.aggregates`` holds their values only when the count is
      exact (otherwise they would cover only the counted rows, and it is ``None``).
    - Pages after the first are fetched with a "deferred join": the page's primary keys are
      chosen by a subquery (index-only for the usual orders) and only those rows are
      joined and read, so a deep ``OFFSET`` no longer reads and joins every skipped row.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        floor: int | None = None,
        aggregates: dict[str, Aggregate] | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page)
        self.floor = COUNT_FLOOR if floor is None else floor
        self.aggregate_expressions = aggregates or {}
        self.aggregates: dict[str, Any] | None = None
        self.count_exact = True
        self._requested = 1

    def validate_number(self, number: Any) -> int:
        if "count" not in self.__dict__:
            # Size the count from the first page number asked for (before counting).
            try:
                self._requested = max(1, min(int(number), MAX_COUNTED_PAGE))
            except (TypeError, ValueError, OverflowError):
                self._requested = 1
        return super().validate_number(number)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        per_page = int(self.per_page)
        wanted = max(self.floor, (self._requested + LOOKAHEAD_PAGES) * per_page)
        limit = ceil(wanted / per_page) * per_page  # whole pages: the page after the last counted one exists
        if not isinstance(self.object_list, QuerySet):
            total = len(self.object_list)
            self.count_exact = total <= limit
            return min(total, limit)
        if _counted_by_estimate(self.object_list.query.where):
            estimate = planner_rows(self.object_list)
            if estimate is not None and estimate > ESTIMATE_MARGIN * limit:
                self.count_exact = False
                return limit
        window = self.object_list.order_by()[: limit + 1]
        if self.aggregate_expressions:
            values = window.aggregate(_rows=Count("*"), **self.aggregate_expressions)
            counted = values.pop("_rows")
        else:
            values, counted = {}, window.count()
        self.count_exact = counted <= limit
        if self.count_exact:
            self.aggregates = values
        return min(counted, limit)

    @cached_property
    def num_pages(self) -> int:  # type: ignore[override]
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        known = ceil(max(1, self.count - self.orphans) / self.per_page)
        return known if self.count_exact else known + 1

    def page(self, number: Any):  # type: ignore[no-untyped-def]
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_exact and top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list[bottom:top]
        if bottom and isinstance(self.object_list, QuerySet):
            keys = self.object_list.values("pk")[bottom:top]
            rows = self.object_list.filter(pk__in=keys)
        return self._get_page(rows, number, self)

    def get_elided_page_range(self, number: Any = 1, *, on_each_side: int = 3, on_ends: int = 2) -> Iterator[Any]:
        if self.count_exact:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        number = self.validate_number(number)
        last = min(number + on_each_side, self.num_pages)
        if number > 1 + on_each_side + on_ends + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, last + 1)
        else:
            yield from range(1, last + 1)
        yield self.ELLIPSIS


class PageNumbers(PageNumberPagination):
    """DRF's page numbers, except that an empty ``page=`` is refused (404 "Invalid page",
    as any other page that is not a whole number) instead of read as page 1: the schema
    says the page is an integer."""

    def get_page_number(self, request, paginator):  # type: ignore[no-untyped-def]
        page_number = request.query_params.get(self.page_query_param)
        if page_number is None:
            return 1
        if page_number in self.last_page_strings:
            return paginator.num_pages
        return page_number


class DefaultPagination(PageNumbers):
    """`{"count", "next", "previous", "results"}` pages; `page_size` up to 100."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class BoundedCountPagination(DefaultPagination):
    """The same envelope plus ``count_exact``: ``count`` is exact up to 1,000 rows (and
    up to a few pages past the one asked for); beyond, it is a lower bound and
    ``count_exact`` is false. Follow ``next`` to walk the list."""

    django_paginator_class = BoundedPaginator

    def get_paginated_response(self, data):  # type: ignore[no-untyped-def]
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_exact": paginator.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):  # type: ignore[no-untyped-def]
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "Whether `count` is the exact total. False when the list holds more rows than "
            "were counted (at least 1,000): `count` is then a lower bound; follow `next`.",
        }
        envelope["required"] = [*envelope.get("required", []), "count_exact"]
        return envelope


def paginated_response(request, queryset, serializer_class, view=None, *, pagination_class=None, **serializer_kwargs):  # type: ignore[no-untyped-def]
    """Paginate ``queryset`` and answer the standard page envelope."""
    paginator = (pagination_class or DefaultPagination)()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, **serializer_kwargs).data)
