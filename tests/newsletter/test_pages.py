"""The public pages without a browser: forms, labels, answers, and GETs that change nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.kit.clock import utcnow
from app.newsletter.models import Subscriber, SubscriptionStatus
from app.newsletter.schemas import CONSENT_TEXT
from tests.newsletter.conftest import NewsKit, header_token, links
from tests.newsletter.test_issues import _status, compose, confirmed


async def test_subscribe_page_lists_every_series_with_labels(news: NewsKit) -> None:
    await news.factory.series(title="Zeta Dialogue", listed_at=utcnow())
    await news.factory.series(title="Alpha Dialogue", listed_at=utcnow())
    # Unlisted until its first publication: in no public form.
    await news.factory.series(title="Quiet Back Channel")

    page = await news.client.get("/subscribe")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    assert page.text.index("Alpha Dialogue") < page.text.index("Zeta Dialogue")
    assert "Quiet Back Channel" not in page.text
    assert "<legend>Series</legend>" in page.text
    for input_id in re.findall(r'<input type="checkbox" id="([^"]+)"', page.text):
        assert f'for="{input_id}"' in page.text
    assert '<label for="email">' in page.text
    assert CONSENT_TEXT in page.text
    assert "<script" not in page.text
    assert "set-cookie" not in page.headers


async def test_form_answers_check_your_inbox_whatever_the_address(news: NewsKit) -> None:
    series = await news.factory.series()
    await confirmed(news, "known@example.org", series)
    answers = []
    for email, slug in (
        ("known@example.org", series.slug),
        ("new@example.org", series.slug),
        ("new2@example.org", "no-such-series"),
    ):
        answers.append(
            await news.client.post(
                "/subscribe", data={"email": email, "series": slug, "consent": "yes", "name": ""}
            )
        )
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    assert "Check your inbox" in answers[0].text
    assert await _status(news, "new@example.org", series.id) is SubscriptionStatus.PENDING


async def test_form_without_consent_is_shown_again_and_stores_nothing(news: NewsKit) -> None:
    series = await news.factory.series()

    response = await news.client.post(
        "/subscribe", data={"email": "reader@example.org", "series": series.slug}
    )
    bad_email = await news.client.post(
        "/subscribe", data={"email": "not an address", "series": series.slug, "consent": "yes"}
    )

    nul_name = await news.client.post(
        "/subscribe",
        data={
            "email": "reader@example.org",
            "name": "Read\x00er",
            "series": series.slug,
            "consent": "yes",
        },
    )

    assert response.status_code == bad_email.status_code == nul_name.status_code == 422
    assert "must not contain control characters" in nul_name.text
    assert "Tick the consent box" in response.text
    assert 'value="reader@example.org"' in response.text
    assert "Enter an e-mail address" in bad_email.text
    async with news.maker() as session:
        assert await session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert await news.deliver() == []


async def test_get_on_the_unsubscribe_link_changes_nothing(news: NewsKit) -> None:
    organiser = await news.factory.caller()
    series = await news.factory.series(organiser=organiser)
    await confirmed(news, "reader@example.org", series)
    news.sink.clear()
    issue = await compose(news, organiser, series)
    await news.client.post(f"/api/v1/newsletters/{issue['id']}/send", headers=organiser.headers)
    [mail] = await news.deliver()
    token = header_token(mail)
    assert links(mail)["/subscriptions/unsubscribe"] == token

    for _ in range(3):
        page = await news.client.get("/subscriptions/unsubscribe", params={"token": token})
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        prefs = await news.client.get(
            "/subscriptions/preferences",
            params={"token": links(mail)["/subscriptions/preferences"]},
        )
        assert prefs.status_code == 200

    assert await _status(news, "reader@example.org", series.id) is SubscriptionStatus.CONFIRMED
