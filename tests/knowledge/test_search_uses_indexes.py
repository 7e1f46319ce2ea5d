"""Every query a search runs can be answered through an index: with sequential scans
switched off, the plan of each still reads ``knowledge_article`` without one. A
condition no index can serve (a trigram comparison of every body, an OR the planner
cannot split into bitmap scans) turns into a sequential scan over 100,000 articles
(28.9 s at the 95th percentile before; bench/README.md "Knowledge-base search").

PostgreSQL only (the plans are PostgreSQL's)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _articles(make_article):  # type: ignore[no-untyped-def]
    make_article(title="Connection refused by the database", body="Open port 5432 in the firewall.")
    make_article(title="데이터베이스 연결 오류", body="방화벽에서 포트 5432를 여십시오.", language="ko")
    make_article(title="数据库连接失败", body="请检查防火墙。", language="zh-hans")
    make_article(title="Ошибка подключения", body="Откройте порт 5432.", language="ru")
    make_article(title="Connexion refusée", body="Ouvrez le port 5432.", language="fr")


def plans_of(client, path: str, params: dict[str, str]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.lstrip("(").startswith("SELECT") and '"knowledge_article"' in sql:
                cursor.execute("EXPLAIN " + sql)
                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
        cursor.execute("SET LOCAL enable_seqscan = on")
    assert plans
    return plans


def assert_no_sequential_scan(plans: list[tuple[str, str]]) -> None:
    for sql, plan in plans:
        assert "Seq Scan on knowledge_article" not in plan, f"{sql}\n\n{plan}"


@pytest.mark.parametrize(
    "params",
    [
        {"q": "connection"},
        {"q": "connection", "language": "en"},
        {"q": "연결 오류"},
        {"q": "연결", "language": "ko"},
        {"q": "连接失败", "language": "zh-hans"},
        {"q": "подключение", "language": "ru"},
        {"q": '"quoted" & | !'},
        {"q": "connection", "product": "Gateway"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_the_search_api_reads_articles_through_indexes(api, alice, params):
    assert_no_sequential_scan(plans_of(api(alice), "/api/v1/kb/articles/", params))


def test_staff_searching_drafts_too_read_through_indexes(api, engineer):
    assert_no_sequential_scan(plans_of(api(engineer), "/api/v1/kb/articles/", {"q": "connection"}))


def test_the_suggestions_read_articles_through_indexes(api, browser_for, alice):
    assert_no_sequential_scan(plans_of(api(alice), "/api/v1/kb/suggest/", {"q": "Connection refused after upgrade"}))
    assert_no_sequential_scan(plans_of(browser_for(alice), "/kb/suggest/", {"title": "데이터베이스 연결"}))


def test_the_search_page_reads_articles_through_indexes(browser_for, alice):
    assert_no_sequential_scan(plans_of(browser_for(alice), "/kb/", {"q": "connection"}))
