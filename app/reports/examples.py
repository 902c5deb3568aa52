"""Examples for the OpenAPI document: a trimmed copy of what the demo series answers.

They are documentation only; ``tests/integrations/test_openapi.py`` checks each against its
schema, so they cannot drift from the models."""

from __future__ import annotations

from typing import Any

SESSION_REPORT: dict[str, Any] = {
    "agenda": {
        "items": [
            {
                "kind": "opening_remarks",
                "named": [
                    {
                        "name": "H.E. Dr. Mutlaq bin Majed al-Qahtani",
                        "position": "Special Envoy for Counterterrorism and "
                        "Mediation in Conflict Resolution of Qatar",
                    }
                ],
                "position": 1,
                "regime": "on_record",
                "title": "Opening address",
                "topic": None,
            },
            {
                "kind": "presentation",
                "named": [],
                "position": 2,
                "regime": "chatham_house",
                "title": "Presentation",
                "topic": "Perspectives from Europe",
            },
            {
                "kind": "presentation",
                "named": [],
                "position": 3,
                "regime": "chatham_house",
                "title": "Presentation",
                "topic": "Perspectives from Iran",
            },
        ],
        "paragraph": "The first part of the meeting was attended by H.E Dr",
    },
    "chatham_house": "This discussion, similar to the previous two rounds of the series, was "
    "held under the Chatham House Rule.",
    "closing": "HAS and its partners are planning to continue this series of track 2 discussions "
    "to help facilitate dialogue and provide clarity on strategies and positions of "
    "parties to the conflict as well as the role of regional and international "
    "actors.",
    "composition": {
        "basis": "attended",
        "by_country": [
            {"count": 3, "label": "Afghanistan"},
            {"count": 11, "label": "Other countries"},
        ],
        "by_sector": [
            {"count": 7, "label": "Scholars"},
            {"count": 4, "label": "Former diplomats"},
            {"count": 3, "label": "Serving officials"},
        ],
        "countries": 9,
        "sentence": "To this end, the Track 2 series brought together a broad "
        "representation of 14 scholars, former diplomats and serving "
        "officials from nine countries across the region and the wider "
        "international community.",
        "suppressed": False,
        "total": 14,
    },
    "context": [
        "During the last few weeks, Afghanistan has seen a resurgence of violence, which "
        "ended a comparative respite from the worst attacks following the Eid ul-Fitr "
        "ceasefire. This threatens to spoil the progress recently made on the road "
        "towards intra-Afghan negotiations (IAN). The possibility that this stage of the "
        "peace process may witness increasing violence, mainly targeting civilians and "
        "aimed at derailing it or influencing its outcome, make attempts at gathering "
        "support for peace in Afghanistan even more relevant and urgent."
    ],
    "detailed": None,
    "kind": "summary",
    "links": [
        {
            "label": "Request the detailed report",
            "url": "https://track2.example.org/series/afghan-peace?session=3#request",
        },
        {
            "label": "Join the newsletter",
            "url": "https://track2.example.org/subscribe?series=afghan-peace",
        },
    ],
    "offer": "If you are interested in the detailed report of the meeting or if you wish to join "
    "our newsletter, follow the links below.",
    "opening": "The third session of the series of online forums on Regional and International "
    "Support for Afghan Peace was held on 29 June 2020.",
    "organisers": "The series of Track 2 discussions is organized by the Heart of Asia Society "
    "in partnership with the Center for Conflict and Humanitarian Studies in Doha "
    "and the Center for International Cooperation at New York University.",
    "points": [
        {
            "number": 1,
            "part": 2,
            "text": "Negotiating a peace settlement for the Afghan conflict has been a long "
            "and complex process which has lasted for seven years and has seen "
            "progress only in the last couple of years, after the main actors "
            "involved increasingly realized that no military solution exists.",
            "themes": ["trust-and-confidence-building"],
        },
        {
            "number": 2,
            "part": 2,
            "text": "The pace of the process has been slower than early expectations raised "
            "recently by the sweeping progress on the mutual prisoners' release. "
            "Particularly nasty acts of violence in the past weeks could be the act "
            "of spoilers. However, there is still consensus by the main parties "
            "involved about the imperative for a political solution. Peace is closer "
            "now than at any time in the past, although this has not yet translated "
            "into any tangible security or improvement in the lives of Afghans.",
            "themes": ["prisoners-and-reintegration", "reduction-of-violence-and-ceasefire"],
        },
        {
            "number": 3,
            "part": 3,
            "text": "Both sides of the conflict seem to have reached a mutual understanding "
            "that a reduction of violence is an important step towards IAN, although "
            "this has still not happened in a significant way. The possibility of a "
            "future trilateral Taliban-US-Afghan Government communication mechanism "
            "to report military activity is under study.",
            "themes": ["reduction-of-violence-and-ceasefire", "trust-and-confidence-building"],
        },
    ],
    "points_intro": "Following is a list of the main points and perspectives that emerged from "
    "the presentations, the Q & A sessions and the general discussion by all "
    "participants.",
    "schema": "track2.report/2",
    "series": {
        "dateline": "KABUL",
        "organiser": "Heart of Asia Society",
        "partners": [
            "Center for Conflict and Humanitarian Studies in Doha",
            "Center for International Cooperation at New York University",
        ],
        "slug": "afghan-peace",
        "strapline": "Building Peace and Connectivity through Research and Dialogue",
        "timezone": "Asia/Kabul",
        "title": "Regional and International Support for Afghan Peace",
    },
    "session": {
        "date": "2020-06-29",
        "date_long": "29 June 2020",
        "number": 3,
        "ordinal": "third",
        "status": "held",
        "title": "While Doha Prepares to Host the IAN, What Are the Challenges Still Ahead?",
    },
    "themes": [
        {
            "count": 2,
            "label": "Trust and confidence-building",
            "slug": "trust-and-confidence-building",
        },
        {
            "count": 2,
            "label": "Reduction of violence and ceasefire",
            "slug": "reduction-of-violence-and-ceasefire",
        },
        {"count": 1, "label": "Prisoners and reintegration", "slug": "prisoners-and-reintegration"},
    ],
    "title": "HAS Track 2 Dialogue Series: While Doha Prepares to Host the IAN, What Are the "
    "Challenges Still Ahead?",
}

SERIES_DIGEST: dict[str, Any] = {
    "by_theme": [
        {
            "heading": "Trust and confidence-building",
            "points": [
                {
                    "session": 3,
                    "text": "Negotiating a peace settlement for the Afghan conflict "
                    "has been a long and complex process which has lasted for "
                    "seven years and has seen progress only in the last couple "
                    "of years, after the main actors involved increasingly "
                    "realized that no military solution exists.",
                }
            ],
        },
        {
            "heading": "Reduction of violence and ceasefire",
            "points": [
                {
                    "session": 3,
                    "text": "The pace of the process has been slower than early "
                    "expectations raised recently by the sweeping progress on "
                    "the mutual prisoners' release. Particularly nasty acts of "
                    "violence in the past weeks could be the act of spoilers. "
                    "However, there is still consensus by the main parties "
                    "involved about the imperative for a political solution. "
                    "Peace is closer now than at any time in the past, "
                    "although this has not yet translated into any tangible "
                    "security or improvement in the lives of Afghans.",
                }
            ],
        },
    ],
    "chatham_house": "The discussions of the series are held under the Chatham House Rule: no "
    "point in this digest is attributed to anyone.",
    "intro": "The series of Track 2 discussions is organized by the Heart of Asia Society in "
    "partnership with the Center for Conflict and Humanitarian Studies in Doha and the "
    "Center for International Cooperation at New York University. This digest covers "
    "three sessions (three held) and 11 approved main points.",
    "kind": "digest",
    "links": [
        {
            "label": "Request the detailed report",
            "url": "https://track2.example.org/series/afghan-peace#request",
        },
        {
            "label": "Join the newsletter",
            "url": "https://track2.example.org/subscribe?series=afghan-peace",
        },
    ],
    "matrix": [
        {
            "counts": [0, 0, 2],
            "label": "Trust and confidence-building",
            "slug": "trust-and-confidence-building",
            "total": 2,
        },
        {
            "counts": [0, 0, 2],
            "label": "Reduction of violence and ceasefire",
            "slug": "reduction-of-violence-and-ceasefire",
            "total": 2,
        },
    ],
    "schema": "track2.digest/2",
    "series": {
        "dateline": "KABUL",
        "organiser": "Heart of Asia Society",
        "partners": [
            "Center for Conflict and Humanitarian Studies in Doha",
            "Center for International Cooperation at New York University",
        ],
        "slug": "afghan-peace",
        "strapline": "Building Peace and Connectivity through Research and Dialogue",
        "timezone": "Asia/Kabul",
        "title": "Regional and International Support for Afghan Peace",
    },
    "sessions": [
        {
            "points": 0,
            "session": {
                "date": "2020-04-27",
                "date_long": "27 April 2020",
                "number": 1,
                "ordinal": "first",
                "status": "closed",
                "title": "The US-Taliban Agreement and Regional Expectations",
            },
        },
        {
            "points": 0,
            "session": {
                "date": "2020-05-28",
                "date_long": "28 May 2020",
                "number": 2,
                "ordinal": "second",
                "status": "closed",
                "title": "After the Eid ul-Fitr Ceasefire: Prospects for Intra-Afghan Negotiations",
            },
        },
        {
            "points": 11,
            "session": {
                "date": "2020-06-29",
                "date_long": "29 June 2020",
                "number": 3,
                "ordinal": "third",
                "status": "held",
                "title": "While Doha Prepares to Host the IAN, What Are the "
                "Challenges Still Ahead?",
            },
        },
    ],
    "title": "Regional and International Support for Afghan Peace: series digest",
}

PUBLIC_SERIES: dict[str, Any] = {
    "slug": "afghan-peace",
    "title": "Regional and International Support for Afghan Peace",
    "description": "A series of online Track 2 forums of scholars and former diplomats from the "
    "region and the wider international community on the Afghan peace process.",
    "organiser": "Heart of Asia Society",
    "partners": [
        "Center for Conflict and Humanitarian Studies in Doha",
        "Center for International Cooperation at New York University",
    ],
    "strapline": "Building Peace and Connectivity through Research and Dialogue",
    "timezone": "Asia/Kabul",
    "url": "https://track2.example.org/series/afghan-peace",
    "subscribe_url": "https://track2.example.org/subscribe?series=afghan-peace",
    "sessions": [
        {
            "number": 2,
            "title": "After the Eid ul-Fitr Ceasefire: Prospects for Intra-Afghan Negotiations",
            "date": "2020-05-28",
            "date_long": "28 May 2020",
            "starts_at": "2020-05-28T09:30:00Z",
            "ends_at": "2020-05-28T11:30:00Z",
            "timezone": "Asia/Kabul",
            "status": "closed",
            "summary": None,
        },
        {
            "number": 3,
            "title": "While Doha Prepares to Host the IAN, What Are the Challenges Still Ahead?",
            "date": "2020-06-29",
            "date_long": "29 June 2020",
            "starts_at": "2020-06-29T09:30:00Z",
            "ends_at": "2020-06-29T12:00:00Z",
            "timezone": "Asia/Kabul",
            "status": "held",
            "summary": {
                "report_id": "01a218c8-9c79-71d1-a21b-c728f09cecf8",
                "version": 1,
                "published_at": "2026-11-26T16:55:30.168384Z",
                "url": "https://track2.example.org/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8",
                "formats": {
                    "html": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=html",
                    "md": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=md",
                    "pdf": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=pdf",
                    "docx": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=docx",
                    "json": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=json",
                },
                "editions": [
                    {
                        "language": "fa-AF",
                        "name": "دری",
                        "direction": "rtl",
                        "version": "1.1",
                        "published_at": "2026-11-26T17:05:40.118734Z",
                        "url": "https://track2.example.org/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?lang=fa-AF",
                        "formats": {
                            "html": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=html&lang=fa-AF",
                            "md": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=md&lang=fa-AF",
                            "pdf": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=pdf&lang=fa-AF",
                            "docx": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=docx&lang=fa-AF",
                            "json": "https://track2.example.org/api/v1/public/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8?format=json&lang=fa-AF",
                        },
                    }
                ],
            },
        },
    ],
}

REPORT_VERSION: dict[str, Any] = {
    "id": "01a218c8-9c79-71d1-a21b-c728f09cecf8",
    "series_id": "01a218c8-9b5f-7305-8156-d95a8b39d0d6",
    "session_id": "01a218c8-9b8a-7070-8113-e4da693b5d8e",
    "kind": "summary",
    "number": 1,
    "published_at": "2026-11-26T16:55:30.168384Z",
    "content_sha256": "526307b6b4baf6eaacf7d96c44375d15396e3cab3d9c8966b82e256b0016bf9d",
    "changelog": "First edition",
    "public_url": "https://track2.example.org/reports/01a218c8-9c79-71d1-a21b-c728f09cecf8",
    "withdrawn_at": None,
    "withdrawn_reason": None,
}
