"""A newsletter announcing a summary, as a real SMTP server receives it: a reader whose
language has a published edition is linked to that edition and told so in the language
(the public pages' own words, ``lang``/``dir`` on the link); everyone else gets the
summary, in English."""

from __future__ import annotations

from sqlalchemy import select

from app.demo import DEMO_SLUG, ORGANISER_EMAIL, load_demo
from app.newsletter.models import Subscriber, Subscription, SubscriptionStatus
from app.reports.models import ReportVersion
from app.series.models import DialogueSeries
from app.users.models import User
from app.users.schemas import TokenCreate
from app.users.service import UserService
from tests.newsletter.conftest import NewsKit


def _parts(mail: object) -> tuple[str, str]:
    message = mail.message  # type: ignore[attr-defined]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


async def test_a_dari_reader_is_sent_to_the_dari_edition_in_dari(news: NewsKit) -> None:
    db = news.db
    await load_demo(db, settings=news.settings, languages=("fa-AF",))  # no Pashto edition
    await db.commit()
    series = (
        await db.execute(select(DialogueSeries).where(DialogueSeries.slug == DEMO_SLUG))
    ).scalar_one()
    summary = (await db.execute(select(ReportVersion))).scalar_one()
    for email, language in (("dari@example.org", "fa-AF"), ("pashto@example.org", "ps")):
        reader = Subscriber(email=email, language=language)
        db.add(reader)
        await db.flush()
        db.add(
            Subscription(
                subscriber_id=reader.id,
                dialogue_series_id=series.id,
                status=SubscriptionStatus.CONFIRMED,
            )
        )
    organiser = (await db.execute(select(User).where(User.email == ORGANISER_EMAIL))).scalar_one()
    _, token = await UserService(db).issue_token(organiser.id, TokenCreate(name="test"))
    await db.commit()
    headers = {"Authorization": f"Bearer {token}"}

    created = await news.client.post(
        f"/api/v1/series/{series.id}/newsletters",
        json={
            "subject": "The third session",
            "body_markdown": "Read on.",
            "report_id": str(summary.id),
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    sent = await news.client.post(
        f"/api/v1/newsletters/{created.json()['id']}/send", headers=headers
    )
    assert sent.status_code == 202, sent.text
    received = {m.rcpt_tos[0]: m for m in await news.deliver()}
    assert set(received) == {"dari@example.org", "pashto@example.org"}

    page = f"http://testserver/reports/{summary.id}"
    text, html = _parts(received["dari@example.org"])
    assert f"خواندن خلاصه (دری): {page}?lang=fa-AF" in text
    assert (
        f'<a href="{page}?lang=fa-AF" style="color:#1d4e89;" lang="fa-AF" dir="rtl">'
        "خواندن خلاصه (دری)</a>"
    ) in html
    assert "Read the summary of the session" not in text + html
    assert "TRACK2" not in text + html  # every placeholder was put in
    # No Pashto edition is published: the Pashto reader gets the summary itself, in English.
    text, html = _parts(received["pashto@example.org"])
    assert f"Read the summary of the session: {page}\r\n" in text
    assert f'<a href="{page}" style="color:#1d4e89;">Read the summary of the session</a>' in html
    assert "?lang=" not in text + html
