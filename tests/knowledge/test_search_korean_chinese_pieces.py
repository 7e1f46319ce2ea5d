"""Korean and Chinese articles are indexed by two-character pieces of their words
(PostgreSQL does not split these languages into words): a query word becomes the phrase
of its pieces, so it is found inside a longer run — a Korean word with its particle, a
Chinese sentence without spaces — through the full-text index, never by reading every
body. ``knowledge.search.cjk_tsquery`` builds the query; the SQL function
``kb_cjk_split`` (knowledge migration 0003) cuts the text the same way."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.search import cjk_tsquery

URL = "/api/v1/kb/articles/"


# --- The query (no database) --------------------------------------------------------------


def test_a_chinese_word_is_the_phrase_of_its_pieces():
    assert cjk_tsquery("连接失败") == "('连接' <-> '接失' <-> '失败')"


def test_every_word_is_required_and_latin_words_stay_whole():
    assert cjk_tsquery("Gateway 연결") == "'gateway' & ('연결')"


def test_a_number_glued_to_a_korean_particle_is_its_own_word():
    assert cjk_tsquery("5432를") == "'5432' & '를':*"


def test_one_character_finds_the_pieces_it_starts():
    assert cjk_tsquery("网") == "'网':*"


@pytest.mark.parametrize("q", ["&", "'", "连接:* & !失败", "(연결 | 오류", '"数据库', "\\"])
def test_operators_and_quotes_are_not_syntax(q):
    built = cjk_tsquery(q)

    assert built is None or all(ch not in built for ch in '|!"\\')


def test_a_query_without_words_builds_nothing():
    assert cjk_tsquery("&& || !") is None


# --- The same cut in SQL (PostgreSQL) -------------------------------------------------------

HANGUL = "데이터베연결오류방화벽"
HAN = "数据库连接失败网络防火墙"
TEXT = st.text(alphabet=HANGUL + HAN + "ab5 ,.", min_size=1, max_size=40)


def matches(text: str, q: str) -> bool:
    query = cjk_tsquery(q)
    assert query is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple', kb_cjk_split(%s)) @@ to_tsquery('simple', %s)", [text, query])
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, data=st.data())
def test_any_two_or_more_characters_of_a_korean_or_chinese_run_find_the_text(text, data):
    import re

    runs = [run for run in re.findall(f"[{HANGUL}{HAN}]+", text) if len(run) >= 2]
    if not runs:
        return
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 2))
    end = data.draw(st.integers(start + 2, len(run)))

    assert matches(text, run[start:end])


@pytest.mark.postgres
@pytest.mark.django_db
def test_pieces_that_are_not_next_to_each_other_do_not_match():
    assert matches("数据库连接失败", "连接失败")
    assert not matches("数据库连接，失败", "连接失败")
    assert not matches("连接 网络 失败", "连接失败")


# --- Through the API ----------------------------------------------------------------------


def found(api, user, q: str, **params: str) -> list[int]:  # type: ignore[no-untyped-def]
    response = api(user).get(URL, {"q": q, **params})
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def test_a_korean_word_in_the_body_finds_the_article(api, alice, make_article):
    article = make_article(title="네트워크 문제", body="방화벽에서 포트를 여십시오.", language="ko")
    make_article(title="License keys", body="How to generate one.")

    assert found(api, alice, "방화벽") == [article.pk]
    assert found(api, alice, "방화벽", language="ko") == [article.pk]


def test_a_chinese_word_in_the_middle_of_the_body_finds_the_article(api, alice, make_article):
    article = make_article(title="网络问题", body="请检查防火墙是否开放端口。", language="zh-hans")

    assert found(api, alice, "防火墙") == [article.pk]


def test_one_chinese_character_finds_the_words_it_starts(api, alice, make_article):
    article = make_article(title="网络连接失败", body="请检查。", language="zh-hans")

    assert found(api, alice, "网") == [article.pk]


def test_a_korean_query_full_of_operators_still_finds_its_article(api, alice, make_article):
    article = make_article(title="데이터베이스 연결 오류", body="방화벽을 확인하십시오.", language="ko")

    assert found(api, alice, "연결 & | ! :*") == [article.pk]
    assert found(api, alice, '"연결" (오류') == [article.pk]


def test_a_chinese_word_split_by_punctuation_is_not_found(api, alice, make_article):
    make_article(title="连接，失败", body="请检查。", language="zh-hans")

    assert found(api, alice, "接失") == []


def test_the_snippet_marks_the_korean_word(api, alice, make_article):
    make_article(title="네트워크 문제", body="방화벽에서 포트를 여십시오.", language="ko")

    [result] = api(alice).get(URL, {"q": "방화벽"}).json()["results"]

    assert "<mark>방화벽</mark>" in result["snippet"]
