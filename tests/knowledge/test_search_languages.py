"""Each article is searched in its own language: Russian, French and English words are
found whatever their ending (PostgreSQL stemming), Korean and Chinese by their words as
written; ``language=`` keeps one language and refuses an unknown one.

The stemming tests need PostgreSQL; on SQLite (LIKE) the same articles are found by the
words exactly as they are written.
"""

from __future__ import annotations

import pytest

URL = "/api/v1/kb/articles/"


@pytest.fixture
def articles(make_article):  # type: ignore[no-untyped-def]
    """One article per language about a database that cannot be reached, and one
    unrelated article."""
    return {
        "ko": make_article(
            title="데이터베이스 연결 오류 해결 방법",
            body="방화벽에서 포트 5432를 여십시오.",
            language="ko",
        ),
        "zh-hans": make_article(
            title="数据库连接失败怎么办",
            body="请检查防火墙是否开放5432端口。",
            language="zh-hans",
        ),
        "ru": make_article(
            title="Ошибка подключения к базам данных",
            body="Откройте порт 5432 в брандмауэре.",
            language="ru",
        ),
        "fr": make_article(
            title="Impossible de se connecter aux bases de données",
            body="Ouvrez le port 5432 du pare-feu.",
            language="fr",
        ),
        "en": make_article(title="Retry when connecting fails", body="Open port 5432 in the firewall.", language="en"),
        "other": make_article(title="License keys", body="How to generate one.", language="en"),
    }


def found(api, user, q: str, **params: str) -> list[int]:  # type: ignore[no-untyped-def]
    response = api(user).get(URL, {"q": q, **params})
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


# --- Found by the words as written (SQLite and PostgreSQL) ------------------------------


@pytest.mark.parametrize(
    ("language", "q"),
    [
        ("ko", "데이터베이스 연결 오류"),
        ("zh-hans", "数据库连接失败"),
        ("ru", "базам данных"),
        ("fr", "se connecter aux bases"),
        ("en", "connecting"),
    ],
)
def test_each_language_finds_its_article_by_the_words_as_written(api, alice, articles, language, q):
    result = found(api, alice, q)

    assert articles[language].pk in result
    assert articles["other"].pk not in result


def test_a_korean_article_is_found_by_part_of_its_title(api, alice, articles):
    assert found(api, alice, "데이터베이스 연결", language="ko") == [articles["ko"].pk]


def test_a_korean_article_is_found_though_its_words_carry_particles(api, alice, make_article):
    article = make_article(title="데이터베이스에 연결할 때 오류가 납니다", body="방화벽을 확인하십시오.", language="ko")

    assert found(api, alice, "데이터베이스 연결 오류") == [article.pk]


def test_a_chinese_article_is_found_by_words_from_the_middle_of_its_title(api, alice, make_article):
    article = make_article(title="数据库连接失败怎么办", body="请检查防火墙。", language="zh-hans")

    assert found(api, alice, "连接失败") == [article.pk]


# --- Found whatever the ending (PostgreSQL) ---------------------------------------------


@pytest.mark.postgres
def test_a_russian_search_finds_another_case_of_the_same_words(api, alice, articles):
    assert articles["ru"].pk in found(api, alice, "базы данных")


@pytest.mark.postgres
def test_a_french_search_finds_another_form_of_the_verb(api, alice, articles):
    assert articles["fr"].pk in found(api, alice, "connecter")
    assert articles["fr"].pk in found(api, alice, "connectée")


@pytest.mark.postgres
def test_an_english_search_finds_another_form_of_the_word(api, alice, articles):
    result = found(api, alice, "connection")

    assert articles["en"].pk in result
    assert articles["other"].pk not in result


# --- The language filter ------------------------------------------------------------------


def test_language_ko_keeps_only_korean_articles(api, alice, articles):
    assert found(api, alice, "5432", language="ko") == [articles["ko"].pk]


def test_language_ko_without_words_lists_only_korean_articles(api, alice, articles):
    assert found(api, alice, "", language="ko") == [articles["ko"].pk]


def test_the_search_page_filters_by_language_too(browser_for, alice, articles):
    response = browser_for(alice).get("/kb/", {"q": "5432", "language": "ru"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ошибка подключения к базам данных" in page
    assert "데이터베이스 연결 오류 해결 방법" not in page
    assert "Retry when connecting fails" not in page


def test_an_unknown_language_is_refused_naming_language(api, alice, articles):
    response = api(alice).get(URL, {"q": "5432", "language": "de"})

    assert response.status_code == 400
    assert list(response.json()) == ["language"]


def test_the_search_page_refuses_an_unknown_language(browser_for, alice, articles):
    response = browser_for(alice).get("/kb/", {"q": "5432", "language": "de"})

    assert response.status_code == 400
    assert "Retry when connecting fails" not in response.content.decode()
