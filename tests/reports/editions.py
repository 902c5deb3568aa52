"""The demo's third session as report facts, and its translations: the demo's complete
Dari, Pashto and Arabic editions (``app/demo_editions.py``, which ``track2 serve --demo``
enters, reviews and publishes through the editions service; here they are handed to the
builder directly), and shorter Pashto and Arabic ones (the series and session texts, the
agenda and three of the points) written for these tests by the reports engineer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app import demo_editions
from app.demo import (
    CLOSING,
    CONTEXT,
    EARLIER_SESSIONS,
    ENVOY_NAME,
    ENVOY_POSITION,
    MAIN_POINTS,
    POINT_PARTS,
    POINT_THEMES,
    SESSION_TITLE,
    STRAPLINE,
    THIRD_STARTS,
    TITLE_PREFIX,
)
from app.people.schemas import CompositionPublic
from app.reports.builder import (
    EditionTexts,
    GuestFacts,
    GuestText,
    PartFacts,
    PartText,
    PointFacts,
    SeriesFacts,
    SessionFacts,
    SessionSource,
    ThemeFacts,
)
from app.series.themes import DEFAULT_THEMES

SESSION_ID = uuid.UUID(int=3)
EARLIER_IDS = (uuid.UUID(int=1), uuid.UUID(int=2))
PART_IDS = tuple(uuid.UUID(int=100 + i) for i in range(5))
POINT_IDS = tuple(uuid.UUID(int=200 + i) for i in range(11))
GUEST = " ".join(ENVOY_NAME)

SERIES = SeriesFacts(
    title="Regional and International Support for Afghan Peace",
    slug="afghan-peace",
    organiser="Heart of Asia Society",
    partners=(
        "Center for Conflict and Humanitarian Studies in Doha",
        "Center for International Cooperation at New York University",
    ),
    timezone="Asia/Kabul",
    strapline=STRAPLINE,
    title_prefix=TITLE_PREFIX,
    dateline="KABUL",
    closing=CLOSING,
)
PARTS = (
    PartFacts(
        PART_IDS[0],
        1,
        "Opening address",
        "opening_remarks",
        "on_record",
        guests=(GuestFacts(GUEST, ENVOY_POSITION),),
    ),
    PartFacts(
        PART_IDS[1], 2, "Presentation", "presentation", "chatham_house", "Perspectives from Europe"
    ),
    PartFacts(
        PART_IDS[2], 3, "Presentation", "presentation", "chatham_house", "Perspectives from Iran"
    ),
    PartFacts(PART_IDS[3], 4, "Questions and answers", "q_and_a", "chatham_house"),
    PartFacts(PART_IDS[4], 5, "General discussion", "discussion", "chatham_house"),
)
COMPOSITION = CompositionPublic(
    suppressed=False,
    basis="attended",
    total=14,
    countries=9,
    by_sector={"scholar": 7, "former_diplomat": 4, "serving_official": 3},  # type: ignore[dict-item]
    by_country={"AF": 3, "other": 11},
)


def demo_source(points: tuple[int, ...] = tuple(range(11))) -> SessionSource:
    """The third session's facts (the points whose indexes are given)."""
    return SessionSource(
        series=SERIES,
        session=SessionFacts(SESSION_ID, 3, SESSION_TITLE, THIRD_STARTS, "held", context=CONTEXT),
        parts=PARTS,
        points=tuple(
            PointFacts(
                POINT_IDS[i],
                SESSION_ID,
                i + 1,
                MAIN_POINTS[i],
                part_id=PART_IDS[POINT_PARTS[i]],
                themes=POINT_THEMES[i],
            )
            for i in points
        ),
        themes=tuple(ThemeFacts(slug, label) for slug, label in DEFAULT_THEMES),
        composition=COMPOSITION,
        earlier=tuple(
            SessionFacts(EARLIER_IDS[i], i + 1, title, starts, "closed", context=context)
            for i, (title, starts, context) in enumerate(EARLIER_SESSIONS)
        ),
        base_url="https://track2.example.org",
    )


def demo_texts(edition: demo_editions.DemoEdition) -> EditionTexts:
    """One of the demo's editions (app/demo_editions.py), keyed by these facts' ids."""
    return EditionTexts(
        series_title=edition.series["title"],
        organiser=edition.series["organiser"],
        partners=tuple(edition.series["partners"]),
        strapline=edition.series["strapline"],
        title_prefix=edition.series["title_prefix"],
        dateline=edition.series["dateline"],
        closing=edition.series["closing"],
        sessions={
            SESSION_ID: edition.sessions[3],
            EARLIER_IDS[0]: edition.sessions[1],
            EARLIER_IDS[1]: edition.sessions[2],
        },
        parts={pid: PartText(*edition.parts[i]) for i, pid in enumerate(PART_IDS)},
        guests={GUEST: GuestText(*edition.guest)},
        themes=dict(edition.themes),
        points=dict(zip(POINT_IDS, edition.points, strict=True)),
    )


DARI = demo_texts(demo_editions.DARI)
# The demo's complete Pashto and Arabic editions.
DEMO_PASHTO = demo_texts(demo_editions.PASHTO)
DEMO_ARABIC = demo_texts(demo_editions.ARABIC)

# Pashto and Arabic: the same session with three of its points (the first, third and
# fourth), every other public text translated.
SHORT = (0, 2, 3)

PASHTO = EditionTexts(
    series_title="د افغانستان د سولې لپاره سیمه‌ییز او نړیوال ملاتړ",
    organiser="د آسیا د زړه ټولنه",
    partners=(
        "په دوحه کې د شخړو او بشري مطالعاتو مرکز",
        "د نیویارک پوهنتون د نړیوالې همکارۍ مرکز",
    ),
    strapline="د څېړنې او خبرو اترو له لارې سوله او نښلول",
    title_prefix="د HAS د Track 2 خبرو اترو لړۍ",
    dateline="کابل",
    closing="HAS او د هغې همکاران غواړي د خبرو اترو دې لړۍ ته دوام ورکړي.",
    sessions={
        SESSION_ID: (
            "په داسې حال کې چې دوحه د IAN کوربه توب ته چمتو کېږي، کومې ننګونې لا پاتې دي؟",
            "په تېرو څو اونیو کې په افغانستان کې تاوتریخوالی بیا زیات شوی، چې د کوچني اختر له "
            "اوربند وروسته یې نسبي ارامي پای ته ورسوله. دا حالت د بین الافغاني خبرو اترو (IAN) "
            "په لور وروستی پرمختګ ګواښي.",
        ),
        EARLIER_IDS[0]: ("د امریکا او طالبانو تړون او سیمه‌ییزې هیلې", "لومړۍ غونډه."),
        EARLIER_IDS[1]: (
            "د کوچني اختر له اوربند وروسته: د بین الافغاني خبرو اترو لیدلوری",
            "دوهمه غونډه.",
        ),
    },
    parts={
        PART_IDS[0]: PartText("پرانیستونکې وینا"),
        PART_IDS[1]: PartText("پرېزنټېشن", "له اروپا څخه لیدلوري"),
        PART_IDS[2]: PartText("پرېزنټېشن", "له ایران څخه لیدلوري"),
        PART_IDS[3]: PartText("پوښتنې او ځوابونه"),
        PART_IDS[4]: PartText("عمومي بحث"),
    },
    guests={
        GUEST: GuestText(
            "ښاغلی ډاکټر مطلق بن ماجد القحطاني",
            "د ترهګرۍ پر وړاندې مبارزې او د شخړو په حل کې د منځګړیتوب لپاره د قطر ځانګړی استازی",
        )
    },
    themes={
        "trust-and-confidence-building": "باور جوړونه",
        "reduction-of-violence-and-ceasefire": "د تاوتریخوالي کمښت او اوربند",
        "prisoners-and-reintegration": "بندیان او بیا یوځای کېدل",
        "mediation-and-facilitation": "منځګړیتوب او اسانتیا",
        "foreign-forces-and-timelines": "بهرني ځواکونه او مهالوېش",
        "governance-and-continuity-of-the-state": "حکومتولي او د دولت دوام",
        "rights-women-and-civil-society": "حقونه، ښځې او مدني ټولنه",
        "aid-and-leverage": "مرستې او د فشار وسیله",
        "regional-consensus": "سیمه‌ییزه اجماع",
        "economy-and-connectivity": "اقتصاد او نښلول",
    },
    points={
        POINT_IDS[0]: "د افغانستان د شخړې لپاره د سولې د تړون خبرې اترې یوه اوږده او پېچلې پروسه "
        "وه چې اوه کاله یې دوام وکړ او یوازې په وروستیو دوو کلونو کې یې پرمختګ وکړ، وروسته له "
        "دې چې اصلي لوبغاړو ومنله چې پوځي حل نشته.",
        POINT_IDS[2]: "داسې ښکاري چې د شخړې دواړو خواوو ګډ تفاهم ته رسېدلي چې د تاوتریخوالي "
        "کمښت د IAN پر لور یو مهم ګام دی، که څه هم دا لا تر اوسه په پام وړ ډول نه دی شوی.",
        POINT_IDS[3]: "اړتیا ده چې د څارنې وسایل جوړ شي ترڅو ډاډ ترلاسه شي چې خوشې شوي بندیان "
        "بېرته جګړې ته نه ستنېږي، او د بیارغونې او بیا یوځای کېدو پروګرامونه هم برابر شي.",
    },
)

ARABIC = EditionTexts(
    series_title="الدعم الإقليمي والدولي للسلام في أفغانستان",
    organiser="جمعية قلب آسيا",
    partners=(
        "مركز دراسات النزاعات والعمل الإنساني في الدوحة",
        "مركز التعاون الدولي في جامعة نيويورك",
    ),
    strapline="بناء السلام والترابط عبر البحث والحوار",
    title_prefix="سلسلة حوارات المسار الثاني لجمعية HAS",
    dateline="كابول",
    closing="تعتزم HAS وشركاؤها مواصلة هذه السلسلة من حوارات المسار الثاني للمساعدة في تيسير "
    "الحوار وتوضيح استراتيجيات أطراف النزاع ومواقفها.",
    sessions={
        SESSION_ID: (
            "بينما تستعد الدوحة لاستضافة المفاوضات الأفغانية (IAN)، ما التحديات التي لا تزال "
            "قائمة؟",
            "شهدت أفغانستان خلال الأسابيع الماضية عودة للعنف أنهت فترة هدوء نسبي أعقبت وقف "
            "إطلاق النار في عيد الفطر. ويهدد ذلك التقدم الذي تحقق مؤخراً على طريق المفاوضات "
            "الأفغانية (IAN).",
        ),
        EARLIER_IDS[0]: ("الاتفاق الأمريكي مع طالبان والتوقعات الإقليمية", "الجلسة الأولى."),
        EARLIER_IDS[1]: (
            "بعد وقف إطلاق النار في عيد الفطر: آفاق المفاوضات الأفغانية",
            "الجلسة الثانية.",
        ),
    },
    parts={
        PART_IDS[0]: PartText("الكلمة الافتتاحية"),
        PART_IDS[1]: PartText("عرض", "وجهات نظر من أوروبا"),
        PART_IDS[2]: PartText("عرض", "وجهات نظر من إيران"),
        PART_IDS[3]: PartText("أسئلة وأجوبة"),
        PART_IDS[4]: PartText("نقاش عام"),
    },
    guests={
        GUEST: GuestText(
            "سعادة الدكتور مطلق بن ماجد القحطاني",
            "المبعوث الخاص لوزير الخارجية القطري لمكافحة الإرهاب والوساطة في تسوية النزاعات",
        )
    },
    themes={
        "trust-and-confidence-building": "بناء الثقة",
        "reduction-of-violence-and-ceasefire": "الحد من العنف ووقف إطلاق النار",
        "prisoners-and-reintegration": "الأسرى وإعادة الإدماج",
        "mediation-and-facilitation": "الوساطة والتيسير",
        "foreign-forces-and-timelines": "القوات الأجنبية والجداول الزمنية",
        "governance-and-continuity-of-the-state": "الحوكمة واستمرارية الدولة",
        "rights-women-and-civil-society": "الحقوق والمرأة والمجتمع المدني",
        "aid-and-leverage": "المساعدات أداةً للضغط",
        "regional-consensus": "التوافق الإقليمي",
        "economy-and-connectivity": "الاقتصاد والترابط",
    },
    points={
        POINT_IDS[0]: "كان التفاوض على تسوية سلمية للنزاع الأفغاني عملية طويلة ومعقدة استمرت "
        "سبع سنوات ولم تشهد تقدماً إلا في العامين الأخيرين، بعد أن أدركت الأطراف الرئيسية "
        "أنه لا يوجد حل عسكري.",
        POINT_IDS[2]: "يبدو أن طرفي النزاع توصلا إلى تفاهم مشترك بأن الحد من العنف خطوة مهمة "
        "نحو IAN، وإن لم يتحقق ذلك بعد بشكل ملموس.",
        POINT_IDS[3]: "ثمة حاجة إلى أدوات رقابة تضمن عدم عودة الأسرى المفرج عنهم إلى القتال، "
        "إلى جانب برامج التأهيل وإعادة الإدماج.",
    },
)

EDITIONS = {"fa-AF": (DARI, tuple(range(11))), "ps": (PASHTO, SHORT), "ar": (ARABIC, SHORT)}
DATED = datetime(2020, 6, 29, tzinfo=UTC)
