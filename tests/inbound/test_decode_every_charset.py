"""Every charset our customers' mail programs write, in bodies, RFC 2047 subjects and
file names, decodes to the text they typed (email package, policy default)."""

from __future__ import annotations

import base64

import pytest

from inbound.parsing import decode_bytes, decode_header_value, parse_mail

SAMPLES = [
    ("utf-8", "utf-8", "Ошибка 라이선스 许可证 ライセンス café"),
    ("euc-kr", "euc-kr", "라이선스 서버 오류"),
    ("ks_c_5601-1987", "cp949", "라이선스 서버 오류, 똠방각하"),  # 똠 is CP949, not EUC-KR
    ("gb2312", "gb2312", "许可证服务器无法启动"),
    ("gb2312", "gbk", "王喆：许可证服务器"),  # labelled GB2312, written in GBK
    ("gbk", "gbk", "許可證伺服器"),
    ("gb18030", "gb18030", "许可证服务器 𠀀"),
    ("big5", "big5", "授權伺服器無法啟動"),
    ("koi8-r", "koi8-r", "Сервер лицензий не запускается"),
    ("windows-1251", "cp1251", "Сервер лицензий не запускается"),
    ("iso-8859-1", "iso-8859-1", "Le serveur de licences refuse les connexions à 10 h"),
    ("iso-8859-1", "cp1252", "Les “guillemets” de Windows – et l’apostrophe"),  # labelled Latin-1, written CP1252
    ("iso-2022-jp", "iso2022_jp", "ライセンスサーバーが起動しません"),
]


def _mail(label: str, codec: str, text: str, encoding: str) -> bytes:
    data = text.encode(codec)
    subject = f"=?{label}?B?{base64.b64encode(data).decode()}?="
    if encoding == "Q":
        q = "".join(chr(byte) if chr(byte).isalnum() and byte < 128 else f"={byte:02X}" for byte in data)
        subject = f"=?{label}?Q?{q}?="
    filename = f"=?{label}?B?{base64.b64encode(data[:40] if codec != 'iso2022_jp' else data).decode()}?="
    body = base64.b64encode(data).decode()
    return (
        f"From: alice@acme.example\nTo: support@support.example\nSubject: {subject}\n"
        f'Message-ID: <{label}@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
        f"--b\nContent-Type: text/plain; charset={label}\nContent-Transfer-Encoding: base64\n\n{body}\n"
        f'--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="{filename}"\n\n'
        "data\n--b--\n"
    ).encode()


@pytest.mark.parametrize("encoding", ["B", "Q"])
@pytest.mark.parametrize(("label", "codec", "text"), SAMPLES, ids=[f"{row[0]}/{row[1]}" for row in SAMPLES])
def test_body_subject_and_file_name_decode(label, codec, text, encoding):
    mail = parse_mail(_mail(label, codec, text, encoding))

    assert mail.text.strip() == text
    assert mail.subject == text
    [attachment] = mail.attachments
    if codec != "iso2022_jp":
        assert text.startswith(attachment.name.rstrip("\ufffd"))


def test_raw_utf8_headers_are_read_as_utf8():
    raw = "From: Иван <ivan@acme.example>\nSubject: Сервер лицензий\nMessage-ID: <r@x>\n\nТекст\n".encode()

    mail = parse_mail(raw)

    assert (mail.sender_name, mail.subject, mail.text.strip()) == ("Иван", "Сервер лицензий", "Текст")


def test_a_character_split_across_two_encoded_words_survives():
    data = "许可证服务器".encode()
    raw = f"=?UTF-8?B?{base64.b64encode(data[:4]).decode()}?=\r\n =?UTF-8?B?{base64.b64encode(data[4:]).decode()}?="

    assert decode_header_value(raw) == "许可证服务器"


def test_an_unknown_charset_label_still_gives_text():
    assert decode_bytes("café".encode(), "x-unknown-charset") == "café"
    assert decode_bytes(b"caf\xe9", "x-unknown-charset") == "café"
    assert decode_header_value("=?x-mac-nonsense?B?Y2Fmw6k=?=") == "café"


def test_nul_and_control_characters_never_reach_the_database():
    assert decode_bytes(b"a\x00b\x07c\nd\te") == "abc\nd\te"


def test_broken_encoded_words_are_left_readable():
    assert decode_header_value("=?utf-8?B?not base64!?= plain") == "=?utf-8?B?not base64!?= plain"
    assert decode_header_value("=?utf-8?Q?caf=C3=A9?= =?utf-8?Q?_au_lait?=") == "café au lait"


def test_rfc_2231_continuations_with_a_charset_decode():
    raw = (
        b"From: a@acme.example\nSubject: x\nMessage-ID: <c@x>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n--b\n'
        b"Content-Type: application/octet-stream\n"
        b"Content-Disposition: attachment;\n filename*0*=gb2312''%D0%ED%BF%C9;\n filename*1*=%D6%A4.txt\n\n"
        b"data\n--b--\n"
    )

    [attachment] = parse_mail(raw).attachments

    assert attachment.name == "许可证.txt"
