"""Load a large knowledge base into the benchmark database (knowledge-base search timing).

    createdb -h 127.0.0.1 -U postgres casetracker_bench_kb
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench_kb \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench_kb \\
        .venv/bin/python bench/seed_kb.py --articles 100000 --reset

N published articles (plus ``--drafts`` share of drafts) across en/fr/ru/ko/zh-hans
(40/15/15/15/15 %), generated from per-language vocabularies: products, symptoms,
error words, causes and numbered steps; bodies of 100–400 words (Korean and Chinese
counted in "word-sized" phrases). A few words have known frequencies so the timing can
ask for a common and a rare one in each language (see ``WORDS``).

Rows go with ``COPY … FROM STDIN`` in batches into a temporary table; ``body_html`` is
the concatenation of paragraphs each rendered once through
``casetracker.markup.render_markdown`` (every paragraph is a self-contained Markdown
block, so that equals rendering the body). The search indexes are dropped during the
load; ONE ``INSERT … SELECT`` moves the rows into ``knowledge_article`` with
``search_vector = kb_search_vector(…)`` and ``title_vector = kb_title_vector(…)`` (the SQL functions
``knowledge.services.refresh_search_vector`` calls, so every row is written once instead
of COPY + UPDATE); the indexes are rebuilt from the migrations' own SQL, then
``VACUUM (ANALYZE)``.

Also creates a staff author and a customer login (``customer@kb.bench``, password
``bench-pass-2026``) in organization "KB Bench Customer".
"""

from __future__ import annotations

import argparse
import importlib
import io
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402

environment.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Organization, Role, Tier, User  # noqa: E402
from casetracker.markup import render_markdown  # noqa: E402

PASSWORD = "bench-pass-2026"
CUSTOMER_LOGIN = "customer@kb.bench"
STAFF_LOGIN = "author@kb.bench"

LANGUAGE_MIX = [("en", 0.40), ("fr", 0.15), ("ru", 0.15), ("ko", 0.15), ("zh-hans", 0.15)]

PRODUCTS = [
    "Gateway", "Scheduler", "Ledger", "Sync Agent", "Mobile App", "Reporting", "Data Hub",
    "Identity", "Billing", "Backup Vault", "Edge Proxy", "Analytics", "Print Server", "Mail Relay",
]  # fmt: skip

# Common and rare words per language (what bench/timing_kb.py searches for), and the
# share of articles whose title (common) or body (rare) carries them.
WORDS = {
    "en": {"common": "connection", "rare": "firmware"},
    "fr": {"common": "connexion", "rare": "micrologiciel"},
    "ru": {"common": "подключение", "rare": "прошивка"},
    "ko": {"common": "연결", "rare": "펌웨어"},
    "zh-hans": {"common": "连接", "rare": "固件"},
}
RARE_SHARE = 0.002

VOCAB: dict[str, dict[str, list[str]]] = {
    "en": {
        "symptom": [
            "connection refused",
            "connection timed out",
            "connection reset by peer",
            "login fails",
            "sync stops",
            "report is empty",
            "export hangs",
            "upload is slow",
            "certificate expired",
            "service does not start",
            "out of memory",
            "disk full",
            "wrong totals",
            "emails not delivered",
            "password reset link expired",
            "license not recognised",
            "high CPU usage",
            "duplicate records",
        ],
        "title": [
            "{product}: {symptom}",
            'How to fix "{symptom}" in {product}',
            "{product} {symptom} after upgrade",
            "Troubleshooting {product}: {symptom}",
            "Why does {product} report {symptom}?",
            "{product} connection drops every few minutes",
            "Configure the {product} connection pool",
        ],
        "cause": [
            "a firewall blocks port {port}",
            "the proxy strips the authorization header",
            "the TLS certificate has expired",
            "the database connection pool is exhausted",
            "the clock of the server drifts",
            "the service account lacks permissions",
            "an old client library is still installed",
            "the DNS record points to the previous server",
            "the disk holding the logs is full",
        ],
        "sentence": [
            "This article explains what happens when {symptom} in {product} and how to solve it.",
            "The problem usually appears when {cause}.",
            "Customers also see error {code} in the log.",
            "Check that {cause} before you continue.",
            "Most installations recover once the service restarts.",
            "If the connection is still refused, collect the logs and open a case.",
            "The {product} log is in the installation directory under logs.",
            "Version {version} fixes the issue for most configurations.",
            "Make sure the network allows outgoing connections to the server.",
            "Restart the agent and watch the connection status on the dashboard.",
        ],
        "step": [
            "Open the {product} administration console.",
            "Stop the {product} service.",
            "Edit the configuration file and set the timeout to {n} seconds.",
            "Run the connectivity test from the server.",
            "Renew the certificate and restart the service.",
            "Clear the cache directory.",
            "Upgrade to version {version}.",
            "Check the firewall rules for port {port}.",
        ],
        "rare": ["Update the firmware of the appliance to {version} first."],
        "headings": ["Symptoms", "Cause", "Resolution", "More information"],
    },
    "fr": {
        "symptom": [
            "connexion refusée",
            "délai de connexion dépassé",
            "la synchronisation s'arrête",
            "échec de l'authentification",
            "le rapport est vide",
            "l'export se bloque",
            "certificat expiré",
            "le service ne démarre pas",
            "mémoire insuffisante",
            "disque plein",
            "totaux erronés",
            "les courriels ne partent pas",
            "licence non reconnue",
            "utilisation du processeur élevée",
        ],
        "title": [
            "{product} : {symptom}",
            "Corriger « {symptom} » dans {product}",
            "{product} : {symptom} après la mise à jour",
            "Dépannage de {product} : {symptom}",
            "Pourquoi {product} signale-t-il « {symptom} » ?",
            "La connexion à {product} est interrompue toutes les minutes",
        ],
        "cause": [
            "un pare-feu bloque le port {port}",
            "le proxy supprime l'en-tête d'autorisation",
            "le certificat TLS a expiré",
            "le pool de connexions à la base de données est saturé",
            "l'horloge du serveur dérive",
            "le compte de service n'a pas les droits nécessaires",
            "une ancienne bibliothèque cliente est encore installée",
        ],
        "sentence": [
            "Cet article explique que faire lorsque {symptom} dans {product}.",
            "Le problème apparaît généralement lorsque {cause}.",
            "Le journal contient aussi l'erreur {code}.",
            "Vérifiez que {cause} avant de continuer.",
            "La plupart des installations repartent après un redémarrage.",
            "Si la connexion est toujours refusée, rassemblez les journaux et ouvrez un dossier.",
            "La version {version} corrige le problème pour la plupart des configurations.",
            "Assurez-vous que le réseau autorise les connexions sortantes vers le serveur.",
        ],
        "step": [
            "Ouvrez la console d'administration de {product}.",
            "Arrêtez le service {product}.",
            "Modifiez le fichier de configuration et fixez le délai à {n} secondes.",
            "Lancez le test de connectivité depuis le serveur.",
            "Renouvelez le certificat et redémarrez le service.",
            "Videz le répertoire du cache.",
            "Installez la version {version}.",
        ],
        "rare": ["Mettez d'abord à jour le micrologiciel de l'appareil en version {version}."],
        "headings": ["Symptômes", "Cause", "Solution", "Pour en savoir plus"],
    },
    "ru": {
        "symptom": [
            "отказано в подключении",
            "истекло время ожидания подключения",
            "синхронизация останавливается",
            "не удаётся войти",
            "отчёт пустой",
            "экспорт зависает",
            "срок действия сертификата истёк",
            "служба не запускается",
            "недостаточно памяти",
            "диск заполнен",
            "неверные итоги",
            "письма не доставляются",
            "лицензия не распознана",
            "высокая загрузка процессора",
        ],
        "title": [
            "{product}: {symptom}",
            "Как исправить «{symptom}» в {product}",
            "{product}: {symptom} после обновления",
            "Диагностика {product}: {symptom}",
            "Подключение к {product} обрывается каждые несколько минут",
        ],
        "cause": [
            "брандмауэр блокирует порт {port}",
            "прокси удаляет заголовок авторизации",
            "истёк срок действия сертификата TLS",
            "пул подключений к базе данных исчерпан",
            "часы сервера расходятся",
            "у служебной учётной записи нет прав",
        ],
        "sentence": [
            "В этой статье описано, что делать, если {symptom} в {product}.",
            "Обычно проблема возникает, когда {cause}.",
            "В журнале также есть ошибка {code}.",
            "Перед продолжением проверьте, что {cause}.",
            "Большинство установок восстанавливаются после перезапуска.",
            "Если подключение по-прежнему не устанавливается, соберите журналы и откройте обращение.",
            "Версия {version} исправляет проблему для большинства конфигураций.",
            "Убедитесь, что сеть разрешает исходящие подключения к серверу.",
        ],
        "step": [
            "Откройте консоль администрирования {product}.",
            "Остановите службу {product}.",
            "Измените файл конфигурации и задайте тайм-аут {n} секунд.",
            "Запустите проверку подключения с сервера.",
            "Обновите сертификат и перезапустите службу.",
            "Очистите каталог кэша.",
            "Установите версию {version}.",
        ],
        "rare": ["Сначала обновите прошивку устройства до версии {version}."],
        "headings": ["Признаки", "Причина", "Решение", "Дополнительно"],
    },
    "ko": {
        "symptom": [
            "연결 거부",
            "연결 시간 초과",
            "동기화가 중단됨",
            "로그인 실패",
            "보고서가 비어 있음",
            "내보내기가 멈춤",
            "인증서 만료",
            "서비스가 시작되지 않음",
            "메모리 부족",
            "디스크 공간 부족",
            "합계가 잘못됨",
            "메일이 전송되지 않음",
            "라이선스를 인식하지 못함",
            "CPU 사용률이 높음",
        ],
        "title": [
            "{product}: {symptom}",
            '{product}에서 "{symptom}" 문제 해결 방법',
            "업그레이드 후 {product} {symptom}",
            "{product} 문제 해결: {symptom}",
            "{product} 연결이 몇 분마다 끊어지는 경우",
            "데이터베이스 연결 오류 해결 방법 ({product})",
        ],
        "cause": [
            "방화벽이 {port} 포트를 차단하는 경우",
            "프록시가 인증 헤더를 제거하는 경우",
            "TLS 인증서가 만료된 경우",
            "데이터베이스 연결 풀이 가득 찬 경우",
            "서버 시계가 맞지 않는 경우",
            "서비스 계정에 권한이 없는 경우",
        ],
        "sentence": [
            "이 문서는 {product}에서 {symptom} 문제가 발생할 때의 해결 방법을 설명합니다.",
            "이 문제는 보통 {cause}에 발생합니다.",
            "로그에 {code} 오류도 기록됩니다.",
            "계속하기 전에 {cause}인지 확인하십시오.",
            "대부분의 설치는 서비스를 다시 시작하면 복구됩니다.",
            "연결이 계속 거부되면 로그를 수집하여 케이스를 등록하십시오.",
            "버전 {version}에서 대부분의 구성에 대한 문제가 해결되었습니다.",
            "네트워크에서 서버로의 외부 연결이 허용되는지 확인하십시오.",
        ],
        "step": [
            "{product} 관리 콘솔을 엽니다.",
            "{product} 서비스를 중지합니다.",
            "구성 파일을 열고 시간 제한을 {n}초로 설정합니다.",
            "서버에서 연결 테스트를 실행합니다.",
            "인증서를 갱신하고 서비스를 다시 시작합니다.",
            "캐시 디렉터리를 비웁니다.",
            "버전 {version}으로 업그레이드합니다.",
        ],
        "rare": ["먼저 장비의 펌웨어 를 {version} 버전으로 업데이트하십시오."],
        "headings": ["증상", "원인", "해결 방법", "추가 정보"],
    },
    "zh-hans": {
        "symptom": [
            "连接被拒绝",
            "连接超时",
            "同步停止",
            "登录失败",
            "报表为空",
            "导出卡住",
            "证书已过期",
            "服务无法启动",
            "内存不足",
            "磁盘已满",
            "合计错误",
            "邮件无法发送",
            "无法识别许可证",
            "CPU 使用率过高",
        ],
        "title": [
            "{product}：{symptom}",
            "如何解决 {product} 中的“{symptom}”问题",
            "升级后 {product} {symptom}",
            "{product} 故障排除：{symptom}",
            "{product} 连接每隔几分钟断开一次",
            "数据库连接失败怎么办（{product}）",
        ],
        "cause": [
            "防火墙阻止了 {port} 端口",
            "代理删除了授权头",
            "TLS 证书已过期",
            "数据库连接池已耗尽",
            "服务器时钟不准确",
            "服务帐户缺少权限",
        ],
        "sentence": [
            "本文说明在 {product} 中出现“{symptom}”时的处理方法。",
            "此问题通常在{cause}时出现。",
            "日志中还会出现错误 {code}。",
            "继续之前，请确认是否{cause}。",
            "大多数安装在重新启动服务后即可恢复。",
            "如果连接仍被拒绝，请收集日志并提交工单。",
            "版本 {version} 已为大多数配置修复此问题。",
            "请确保网络允许到服务器的出站连接。",
        ],
        "step": [
            "打开 {product} 管理控制台。",
            "停止 {product} 服务。",
            "编辑配置文件，将超时设置为 {n} 秒。",
            "在服务器上运行连接测试。",
            "更新证书并重新启动服务。",
            "清空缓存目录。",
            "升级到版本 {version}。",
        ],
        "rare": ["请先将设备固件升级到 {version} 版本。"],
        "headings": ["症状", "原因", "解决方法", "更多信息"],
    },
}

TAGS = {
    "en": ["network", "login", "certificates", "performance", "upgrade", "email", "sync", "connection"],
    "fr": ["réseau", "connexion", "certificats", "performances", "mise à jour", "courriel"],
    "ru": ["сеть", "подключение", "сертификаты", "производительность", "обновление", "почта"],
    "ko": ["네트워크", "연결", "인증서", "성능", "업그레이드", "메일"],
    "zh-hans": ["网络", "连接", "证书", "性能", "升级", "邮件"],
}

ARTICLE_COLUMNS = [
    "title", "body", "body_html", "language", "product", "tags", "published", "author_id",
    "created_at", "updated_at", "view_count", "helpful_yes", "helpful_no",
]  # fmt: skip


def _search_index_sql() -> list[str]:
    """The CREATE INDEX statements of the migration, so the rebuilt indexes are the same
    (0003 replaced 0002's)."""
    return list(importlib.import_module("knowledge.migrations.0003_search_functions").INDEXES)


def _index_name(statement: str) -> str:
    return statement.split(" ON ")[0].split()[-1]


# Dropped before the load (0002's indexes too, if still there).
SEARCH_INDEXES = [
    *(_index_name(sql) for sql in _search_index_sql()),
    *importlib.import_module("knowledge.migrations.0003_search_functions").OLD_INDEXES,
]


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def fill(rng: random.Random, template: str, vocab: dict[str, list[str]], product: str) -> str:
    return template.format(
        product=product,
        symptom=rng.choice(vocab["symptom"]),
        cause=rng.choice(vocab["cause"]).format(port=rng.choice([443, 5432, 8080, 25, 636])),
        code=f"E{rng.randint(1000, 9999)}",
        version=f"{rng.randint(3, 9)}.{rng.randint(0, 12)}",
        n=rng.choice([30, 60, 120, 300]),
        port=rng.choice([443, 5432, 8080, 25, 636]),
    )


class ParagraphPool:
    """Paragraphs (Markdown source, rendered HTML), each rendered once."""

    def __init__(self, rng: random.Random, language: str, size: int = 600) -> None:
        vocab = VOCAB[language]
        self.paragraphs: list[tuple[str, str, int]] = []
        self.headings: list[tuple[str, str]] = []
        self.rare: list[tuple[str, str, int]] = []
        for heading in vocab["headings"]:
            source = f"## {heading}"
            self.headings.append((source, render_markdown(source)))
        sep = "" if language == "zh-hans" else " "
        for i in range(size):
            product = rng.choice(PRODUCTS)
            if i % 4 == 3:  # a numbered list of steps
                steps = rng.sample(vocab["step"], k=min(len(vocab["step"]), rng.randint(3, 5)))
                source = "\n".join(f"{n}. {fill(rng, s, vocab, product)}" for n, s in enumerate(steps, 1))
            else:
                sentences = [fill(rng, s, vocab, product) for s in rng.sample(vocab["sentence"], k=rng.randint(3, 5))]
                source = sep.join(sentences)
            self.paragraphs.append((source, render_markdown(source), self.words(source, language)))
        for template in vocab["rare"]:
            for _ in range(20):
                source = fill(rng, template, vocab, rng.choice(PRODUCTS))
                self.rare.append((source, render_markdown(source), self.words(source, language)))

    @staticmethod
    def words(text: str, language: str) -> int:
        # CJK: count ~2 characters as a word (no spaces in Chinese).
        return max(1, len(text) // 2) if language == "zh-hans" else len(text.split())


def generate(rng: random.Random, language: str, pool: ParagraphPool, product: str) -> tuple[str, str, int]:
    target = rng.randint(100, 400)
    parts_src, parts_html, words = [], [], 0
    headings = iter(pool.headings)
    while words < target:
        if len(parts_src) % 3 == 0:
            heading = next(headings, None)
            if heading:
                parts_src.append(heading[0])
                parts_html.append(heading[1])
        src, html, n = rng.choice(pool.paragraphs)
        parts_src.append(src)
        parts_html.append(html)
        words += n
    if rng.random() < RARE_SHARE:
        src, html, _ = rng.choice(pool.rare)
        parts_src.append(src)
        parts_html.append(html)
    return "\n\n".join(parts_src), "\n".join(parts_html), words


def seed_people(cursor) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    password = make_password(PASSWORD)
    org, _ = Organization.objects.get_or_create(
        customer_number="CN-KB-1",
        defaults={"name": "KB Bench Customer", "country": "FR", "timezone": "Europe/Paris", "language": "fr"},
    )
    author, _ = User.objects.get_or_create(
        email=STAFF_LOGIN,
        defaults={"name": "KB Author", "role": Role.ENGINEER, "tier": Tier.L2, "password": password},
    )
    customer, created = User.objects.get_or_create(
        email=CUSTOMER_LOGIN,
        defaults={"name": "KB Customer", "role": Role.CUSTOMER, "language": "fr", "password": password},
    )
    Membership.objects.get_or_create(user=customer, organization=org, defaults={"is_primary": True})
    if customer.active_organization_id != org.pk:
        customer.active_organization = org
        customer.save(update_fields=["active_organization"])
    return author.pk, customer.pk


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="published articles")
    parser.add_argument("--drafts", type=float, default=0.05, help="drafts, as a share of the published count")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true", help="delete every article first")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    started = time.perf_counter()
    mark = started

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        print(f"{name}: {now - mark:.1f} s", flush=True)
        mark = now

    with transaction.atomic(), connection.cursor() as cursor:
        if args.reset:
            cursor.execute(
                "TRUNCATE knowledge_articlevote, knowledge_suggestionopen, knowledge_casearticle, "
                "knowledge_article RESTART IDENTITY"
            )
        author_id, _ = seed_people(cursor)
        phase("people")

        pools = {lang: ParagraphPool(rng, lang) for lang, _ in LANGUAGE_MIX}
        phase("paragraph pools (rendered once)")

        for name in SEARCH_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        now = timezone.now()
        drafts = int(args.articles * args.drafts)
        total = args.articles + drafts
        languages = [lang for lang, _ in LANGUAGE_MIX]
        weights = [w for _, w in LANGUAGE_MIX]
        cursor.execute(
            "CREATE TEMPORARY TABLE kb_seed ON COMMIT DROP AS "
            f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM knowledge_article WITH NO DATA"
        )
        sql = f"COPY kb_seed ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN"
        counts: dict[str, int] = {lang: 0 for lang in languages}
        done = 0
        while done < total:
            lines = []
            for i in range(done, min(total, done + args.batch)):
                language = rng.choices(languages, weights)[0]
                counts[language] += 1
                vocab = VOCAB[language]
                product = rng.choice(PRODUCTS)
                title = fill(rng, rng.choice(vocab["title"]), vocab, product)[:200]
                body, body_html, _ = generate(rng, language, pools[language], product)
                tags = ", ".join(rng.sample(TAGS[language], k=rng.randint(1, 3)))
                created = now - timedelta(days=rng.uniform(0, 5 * 365))
                updated = created + timedelta(days=rng.uniform(0, (now - created).days + 0.01))
                published = i < args.articles
                views = int(rng.paretovariate(1.2) * 10)
                lines.append(
                    "\t".join(
                        (
                            escape(title),
                            escape(body),
                            escape(body_html),
                            language,
                            product,
                            escape(tags),
                            "t" if published else "f",
                            str(author_id),
                            created.isoformat(),
                            updated.isoformat(),
                            str(views),
                            str(views // 20),
                            str(views // 60),
                        )
                    )
                )
            cursor.copy_expert(sql, io.BytesIO(("\n".join(lines) + "\n").encode()), size=1 << 20)
            done += len(lines)
            print(f"\r  COPY {done:,}/{total:,}", end="", flush=True)
        print()
        phase(f"COPY {total:,} articles ({args.articles:,} published, {drafts:,} drafts; {counts})")

        columns = ", ".join(ARTICLE_COLUMNS)
        cursor.execute(
            f"INSERT INTO knowledge_article ({columns}, search_vector, title_vector) SELECT {columns},"
            " kb_search_vector(language, title, product, tags, body), kb_title_vector(language, title) FROM kb_seed"
        )
        phase(f"INSERT with search_vector: {cursor.rowcount:,} rows")

        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # GIN builds: fewer, larger runs
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the author keys now: CREATE INDEX needs it
        phase("foreign keys checked")
        for statement in _search_index_sql():
            cursor.execute(statement)
            phase(f"  index {_index_name(statement)}")

    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) knowledge_article")
        phase("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('knowledge_article'))")
        size = cursor.fetchone()[0]
    print(f"total {time.perf_counter() - started:.1f} s; knowledge_article {size} with indexes")
    print(f"customer login: {CUSTOMER_LOGIN} / {PASSWORD}")


if __name__ == "__main__":
    main()
