"""E-mail payloads and templates: what reaches the worker is sendable and safe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jinja2 import ChoiceLoader, DictLoader

from app.outbox.mail import email_payload, render_email, template_environment


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", "not an address"),
        ("to", "a@example.org\r\nBcc: victim@example.org"),
        ("subject", "Hello\nBcc: victim@example.org"),
        ("reply_to", "two@example.org, three@example.org"),
    ],
)
def test_email_payload_refuses_what_could_not_be_sent_safely(field: str, value: str) -> None:
    values = {"to": "reader@example.org", "subject": "Hello", "text": "Hi", field: value}
    with pytest.raises(ValueError, match=r"address|single line"):
        email_payload(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["From", "message-id", "Bcc", "Bad Header", "X-Ok\n"])
def test_email_payload_refuses_headers_the_builder_owns(name: str) -> None:
    with pytest.raises(ValueError, match="header"):
        email_payload(to="reader@example.org", subject="s", text="t", headers={name: "v"})


@pytest.fixture
def issue_templates() -> Iterator[None]:
    env = template_environment()
    original = env.loader
    assert original is not None
    env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "email/issue.subject.txt": "  {{ title }}\n  (issue {{ number }})\n",
                    "email/issue.txt": '{% extends "email/base.txt" %}'
                    "{% block body %}Dear {{ name }},\n{{ note }}{% endblock %}",
                    "email/issue.html": '{% extends "email/base.html" %}'
                    "{% block body %}<p>Dear {{ name }},</p><p>{{ note }}</p>{% endblock %}",
                }
            ),
            original,
        ]
    )
    env.cache = {} if env.cache is not None else None
    try:
        yield
    finally:
        env.loader = original
        env.cache = {} if env.cache is not None else None


@pytest.mark.usefixtures("issue_templates")
def test_render_email_escapes_html_only_and_extends_the_shared_layout() -> None:
    subject, text, html = render_email(
        "issue",
        {
            "title": "Kabul <talks>",
            "number": 3,
            "name": "Ana & Bo",
            "note": "<script>x</script>",
            "unsubscribe_url": "https://t2.example.org/u/abc?x=1&y=2",
        },
    )

    assert subject == "Kabul <talks> (issue 3)"
    assert "Dear Ana & Bo," in text
    assert "<script>x</script>" in text
    assert "Unsubscribe: https://t2.example.org/u/abc?x=1&y=2" in text
    assert "Dear Ana &amp; Bo," in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="https://t2.example.org/u/abc?x=1&amp;y=2"' in html
    assert "Chatham House Rule" in html


@pytest.mark.usefixtures("issue_templates")
def test_render_email_fails_loudly_on_a_missing_variable() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render_email("issue", {"title": "t", "number": 1})
