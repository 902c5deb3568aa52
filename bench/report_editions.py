"""Translations for the P4 benchmark: the synthetic series of ``bench.reports`` in Dari,
Pashto and Arabic, built as the editions domain builds them (an :class:`EditionTexts` with
every public text of the facts), so that each language's report is a complete one.

Point texts are drawn from a word list of the language, with the Latin acronyms and the
numbers (in the language's digits) that real translations carry, so that the PDF renderer
does its bidirectional work on every line as it would for a real edition.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence

from app.reports.builder import (
    DigestSource,
    Edition,
    EditionTexts,
    GuestText,
    PartFacts,
    PartText,
    PointFacts,
    SessionFacts,
    SessionSource,
)
from app.reports.locales import digits, language

LANGUAGES = ("en", "fa-AF", "ps", "ar")

WORDS = {
    "fa-AF": (
        "صلح روند منطقه‌ای حمایت مذاکرات کاهش خشونت آتش‌بس زندانیان رهایی میانجی‌گری "
        "تسهیل اعتماد نهادها تداوم حکومت حقوق جامعهٔ مدنی رسانه‌ها کمک‌ها اهرم "
        "کمک‌کنندگان کنفرانس پیوندها اقتصاد تجارت همسایگان اجماع خروج جدول زمانی "
        "انتخابات اداره توافق طرف‌ها منطقه جهانی گفت‌وگو نظارت ادغام دوباره بازگشت"
    ).split(),
    "ps": (
        "سوله پروسه سیمه‌ییز ملاتړ خبرې اترې کمښت تاوتریخوالی اوربند بندیان خوشې منځګړیتوب "
        "اسانتیا باور بنسټونه دوام حکومت حقونه مدني ټولنه رسنۍ مرستې فشار مرستندویان "
        "کنفرانس نښلول اقتصاد سوداګري ګاونډیان اجماع وتل مهالوېش ټاکنې اداره تړون خواوې "
        "سیمه نړیواله خبرې څارنه بیا یوځای کېدل راستنېدل"
    ).split(),
    "ar": (
        "السلام عملية إقليمي دعم المفاوضات الحد العنف وقف إطلاق النار الأسرى الإفراج "
        "الوساطة التيسير الثقة المؤسسات استمرارية الحكومة الحقوق المجتمع المدني الإعلام "
        "المساعدات الضغط المانحين المؤتمر الترابط الاقتصاد التجارة الجيران التوافق "
        "الانسحاب الجدول الزمني الانتخابات الإدارة الاتفاق الأطراف المنطقة الدولي الحوار "
        "الرقابة إعادة الإدماج العودة"
    ).split(),
}
# Affixes that turn the word lists into several hundred word forms, as running text has (a
# shaping cache keyed by word would otherwise see only fifty words).
PREFIXES = {"fa-AF": ("", "", "می‌", "بی"), "ps": ("", "", "د", "نا"), "ar": ("", "", "و", "ب")}
SUFFIXES = {
    "fa-AF": ("", "", "ها", "ی", "‌های", "ترین"),
    "ps": ("", "", "ونه", "و", "ې", "ي"),
    "ar": ("", "", "ات", "ها", "هم", "ية"),
}
# Latin acronyms as translators keep them, bare or in brackets.
ACRONYMS = ("IAN", "(IAN)", "UN", "(DFC)", "OIC", "Track 2")

SERIES = {
    "fa-AF": (
        "حمایت منطقه‌ای و بین‌المللی از صلح افغانستان",
        "انجمن قلب آسیا",
        (
            "مرکز مطالعات منازعات و امور بشردوستانه در دوحه",
            "مرکز همکاری‌های بین‌المللی در دانشگاه نیویورک",
        ),
        "صلح‌سازی و پیوندهای منطقه‌ای از راه پژوهش و گفت‌وگو",
        "سلسله گفت‌وگوهای مسیر دوم HAS",
        "کابل",
        "HAS و همکارانش در نظر دارند این سلسله را ادامه دهند.",
    ),
    "ps": (
        "د افغانستان د سولې لپاره سیمه‌ییز او نړیوال ملاتړ",
        "د آسیا د زړه ټولنه",
        ("په دوحه کې د شخړو او بشري مطالعاتو مرکز", "د نیویارک پوهنتون د نړیوالې همکارۍ مرکز"),
        "د څېړنې او خبرو اترو له لارې سوله او نښلول",
        "د HAS د Track 2 خبرو اترو لړۍ",
        "کابل",
        "HAS او د هغې همکاران غواړي د خبرو اترو دې لړۍ ته دوام ورکړي.",
    ),
    "ar": (
        "الدعم الإقليمي والدولي للسلام في أفغانستان",
        "جمعية قلب آسيا",
        ("مركز دراسات النزاعات والعمل الإنساني في الدوحة", "مركز التعاون الدولي في جامعة نيويورك"),
        "بناء السلام والترابط عبر البحث والحوار",
        "سلسلة حوارات المسار الثاني لجمعية HAS",
        "كابول",
        "تعتزم HAS وشركاؤها مواصلة هذه السلسلة من حوارات المسار الثاني.",
    ),
}
SESSION_TITLE = {
    "fa-AF": "نشست {n}: چالش‌هایی که هنوز در پیش است",
    "ps": "{n} غونډه: هغه ننګونې چې لا پاتې دي",
    "ar": "الجلسة {n}: التحديات التي لا تزال قائمة",
}
CONTEXT = {
    "fa-AF": "افغانستان شاهد از سرگیری خشونت بوده است.\n\nحمایت از صلح فوری است.",
    "ps": "په افغانستان کې تاوتریخوالی بیا زیات شوی.\n\nد سولې ملاتړ بیړنی دی.",
    "ar": "شهدت أفغانستان عودة للعنف.\n\nدعم السلام أمر عاجل.",
}
PARTS = {
    "fa-AF": ("سخنرانی افتتاحیه", "ارائه", "بحث عمومی"),
    "ps": ("پرانیستونکې وینا", "پرېزنټېشن", "عمومي بحث"),
    "ar": ("الكلمة الافتتاحية", "عرض", "نقاش عام"),
}
TOPICS = {
    "Perspectives from Europe": {
        "fa-AF": "دیدگاه‌هایی از اروپا",
        "ps": "له اروپا څخه لیدلوري",
        "ar": "وجهات نظر من أوروبا",
    },
    "Iran": {"fa-AF": "ایران", "ps": "ایران", "ar": "إيران"},
}
GUEST = {
    "fa-AF": ("جلالتمآب داکتر مطلق بن ماجد القحطانی", "فرستادهٔ ویژه"),
    "ps": ("ښاغلی ډاکټر مطلق بن ماجد القحطاني", "ځانګړی استازی"),
    "ar": ("سعادة الدكتور مطلق بن ماجد القحطاني", "المبعوث الخاص"),
}
THEMES = {
    "fa-AF": (
        "اعتمادسازی",
        "کاهش خشونت و آتش‌بس",
        "زندانیان و ادغام دوباره",
        "میانجی‌گری و تسهیل",
        "نیروهای خارجی و جدول زمانی",
        "حکومتداری و تداوم دولت",
        "حقوق، زنان و جامعهٔ مدنی",
        "کمک‌ها و اهرم فشار",
        "اجماع منطقه‌ای",
        "اقتصاد و پیوندهای منطقه‌ای",
    ),
    "ps": (
        "باور جوړونه",
        "د تاوتریخوالي کمښت او اوربند",
        "بندیان او بیا یوځای کېدل",
        "منځګړیتوب او اسانتیا",
        "بهرني ځواکونه او مهالوېش",
        "حکومتولي او د دولت دوام",
        "حقونه، ښځې او مدني ټولنه",
        "مرستې او د فشار وسیله",
        "سیمه‌ییزه اجماع",
        "اقتصاد او نښلول",
    ),
    "ar": (
        "بناء الثقة",
        "الحد من العنف ووقف إطلاق النار",
        "الأسرى وإعادة الإدماج",
        "الوساطة والتيسير",
        "القوات الأجنبية والجداول الزمنية",
        "الحوكمة واستمرارية الدولة",
        "الحقوق والمرأة والمجتمع المدني",
        "المساعدات أداةً للضغط",
        "التوافق الإقليمي",
        "الاقتصاد والترابط",
    ),
}


def point_text(tag: str, point_id: uuid.UUID, words: int) -> str:
    """A point of ``words`` words in the language: word forms of its list, a Latin acronym
    every eleventh word and a number in the language's digits every seventeenth."""
    rng = random.Random(point_id.int)
    vocabulary = WORDS[tag]
    system = language(tag).digits
    out = []
    for i in range(1, words + 1):
        if i % 11 == 0:
            out.append(rng.choice(ACRONYMS))
        elif i % 17 == 0:
            out.append(digits(str(rng.randint(2, 2024)), system))
        else:
            out.append(
                rng.choice(PREFIXES[tag]) + rng.choice(vocabulary) + rng.choice(SUFFIXES[tag])
            )
    return " ".join(out) + "."


def _texts(
    tag: str,
    sessions: Iterable[SessionFacts],
    parts: Iterable[PartFacts],
    points: Iterable[PointFacts],
    theme_slugs: Sequence[str],
) -> EditionTexts:
    title, organiser, partners, strapline, prefix, dateline, closing = SERIES[tag]
    opening, presentation, discussion = PARTS[tag]
    names = {"opening_remarks": opening, "presentation": presentation, "discussion": discussion}
    guest_name, guest_position = GUEST[tag]
    words_of = {p.id: len(p.text.split()) for p in points}
    return EditionTexts(
        series_title=title,
        organiser=organiser,
        partners=partners,
        strapline=strapline,
        title_prefix=prefix,
        dateline=dateline,
        closing=closing,
        sessions={
            s.id: (
                SESSION_TITLE[tag].format(n=digits(str(s.number), language(tag).digits)),
                CONTEXT[tag],
            )
            for s in sessions
        },
        parts={
            p.id: PartText(names[p.kind], TOPICS[p.topic][tag] if p.topic else None) for p in parts
        },
        points={pid: point_text(tag, pid, n) for pid, n in words_of.items()},
        themes=dict(zip(theme_slugs, THEMES[tag], strict=True)),
        guests={g.name: GuestText(guest_name, guest_position) for p in parts for g in p.guests},
    )


def session_edition(tag: str, source: SessionSource) -> Edition:
    """The edition of a session report in ``tag`` (English: the facts as they are)."""
    if tag == "en":
        return Edition()
    texts = _texts(
        tag,
        (source.session, *source.earlier),
        source.parts,
        source.points,
        [t.slug for t in source.themes],
    )
    return Edition(tag, texts=texts)


def digest_edition(tag: str, source: DigestSource) -> Edition:
    """The edition of a series digest in ``tag``."""
    if tag == "en":
        return Edition()
    texts = _texts(tag, source.sessions, (), source.points, [t.slug for t in source.themes])
    return Edition(tag, texts=texts)
