from rest_framework.pagination import PageNumberPagination


class DefaultPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}` pages; `page_size` up to 100."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(request, queryset, serializer_class, view=None, **serializer_kwargs):  # type: ignore[no-untyped-def]
    """Paginate ``queryset`` and answer the standard page envelope."""
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, **serializer_kwargs).data)
