"""The languages reports are written in: labels, digits, dates and the sentences the builder
composes, for English, Dari (``fa-AF``), Pashto (``ps``) and Arabic (``ar``).

English sentences stay in :mod:`app.reports.builder` and :mod:`app.reports.text` (they are
the reference report's); this module holds the other three. Month names and digits follow
CLDR (a test compares them with Babel's data); the Solar Hijri months are the Afghan ones
(Dari: Hamal ... Hut, Pashto: Wray ... Kab), the calendar of Afghanistan's official dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

Digits = Literal["latn", "arab", "arabext"]
Calendar = Literal["gregorian", "solar_hijri"]

_DIGITS: Mapping[str, str] = {
    "latn": "0123456789",
    "arab": "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic
    "arabext": "۰۱۲۳۴۵۶۷۸۹",  # Extended Arabic-Indic (Persian, Dari, Pashto)
}
_TABLES = {name: str.maketrans("0123456789", glyphs) for name, glyphs in _DIGITS.items()}


@dataclass(frozen=True, slots=True)
class Language:
    """What a renderer needs to know about a report's language."""

    tag: str  # BCP 47
    name: str  # in the language itself
    rtl: bool
    digits: Digits  # CLDR's default numbering system
    harfbuzz: str  # language tag for shaping (locl features)
    list_and: str  # the conjunction of a list's last two items
    list_comma: str


LANGUAGES: Mapping[str, Language] = {
    "en": Language("en", "English", False, "latn", "en", " and ", ", "),
    "fa-AF": Language("fa-AF", "دری", True, "arabext", "fa", " و ", "، "),
    "ps": Language("ps", "پښتو", True, "arabext", "ps", " او ", "، "),
    "ar": Language("ar", "العربية", True, "arab", "ar", " و", "، "),
}


def language(tag: str) -> Language:
    try:
        return LANGUAGES[tag]
    except KeyError:
        raise ValueError(f"no report language {tag!r}") from None


def digits(text: str, system: str) -> str:
    """``text`` with its ASCII digits written in ``system`` (latn, arab, arabext)."""
    table = _TABLES.get(system)
    return text.translate(table) if table and system != "latn" else text


def join_list(items: Sequence[str], lang: Language) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return lang.list_comma.join(items[:-1]) + lang.list_and + items[-1]


# -- dates ----------------------------------------------------------------------------------

GREGORIAN_MONTHS: Mapping[str, tuple[str, ...]] = {
    "fa-AF": (
        "جنوری",
        "فبروری",
        "مارچ",
        "اپریل",
        "می",
        "جون",
        "جولای",
        "اگست",
        "سپتمبر",
        "اکتوبر",
        "نومبر",
        "دسمبر",
    ),
    "ps": (
        "جنوري",
        "فېبروري",
        "مارچ",
        "اپریل",
        "مۍ",
        "جون",
        "جولای",
        "اګست",
        "سپتمبر",
        "اکتوبر",
        "نومبر",
        "دسمبر",
    ),
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
}
SOLAR_MONTHS: Mapping[str, tuple[str, ...]] = {
    "fa-AF": (
        "حمل",
        "ثور",
        "جوزا",
        "سرطان",
        "اسد",
        "سنبله",
        "میزان",
        "عقرب",
        "قوس",
        "جدی",
        "دلو",
        "حوت",
    ),
    "ps": (
        "وری",
        "غویی",
        "غبرګولی",
        "چنګاښ",
        "زمری",
        "وږی",
        "تله",
        "لړم",
        "لیندۍ",
        "مرغومی",
        "سلواغه",
        "کب",
    ),
}
SOLAR_ERA = {"fa-AF": "هـ.ش.", "ps": "ل.ه."}


def long_date(
    day: date, tag: str, calendar: Calendar = "gregorian", system: str | None = None
) -> str:
    """'۲۹ جون ۲۰۲۰' (Dari), or with the Solar Hijri date first: '۹ سرطان ۱۳۹۹ هـ.ش.
    (۲۹ جون ۲۰۲۰)'; ``system`` overrides the language's digits."""
    lang = language(tag)
    if tag == "en":
        from app.reports.text import long_date as english

        return english(day)
    system = system or lang.digits
    gregorian = digits(f"{day.day} {GREGORIAN_MONTHS[tag][day.month - 1]} {day.year}", system)
    if calendar != "solar_hijri" or tag not in SOLAR_MONTHS:
        return gregorian
    import jdatetime

    solar = jdatetime.date.fromgregorian(date=day)
    text = f"{solar.day} {SOLAR_MONTHS[tag][solar.month - 1]} {solar.year} {SOLAR_ERA[tag]}"
    return f"{digits(text, system)} ({gregorian})"


# -- labels ---------------------------------------------------------------------------------

# Every word a layout or renderer prints that is not in the report model.
LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "detailed_note": "Detailed report",
        "main_points": "Main points",
        "general_points": "General points",
        "themes": "Themes",
        "themes_tag": "Themes",
        "chart_caption": "Main points per theme",
        "composition": "Composition",
        "composition_caption": "Who took part ({basis}); groups smaller than three are "
        "counted as Other",
        "composition_suppressed": "Fewer than three people are counted, so no composition "
        "is shown.",
        "category": "Category",
        "group": "Group",
        "people": "People",
        "all": "All",
        "participants": "Participants",
        "sector": "Sector",
        "country": "Country",
        "countries_represented": "Countries represented: {n}.",
        "series_so_far": "The series so far",
        "earlier_caption": "Earlier sessions of the series",
        "session": "Session",
        "date": "Date",
        "title": "Title",
        "first_session": "This was the first session of the series.",
        "sessions": "Sessions",
        "sessions_caption": "Sessions of the series",
        "number": "No.",
        "status": "Status",
        "points": "Points",
        "themes_across": "Themes across sessions",
        "matrix_caption": "Approved main points per theme (rows) and session (columns)",
        "theme": "Theme",
        "total": "Total",
        "heatmap_caption": "Main points per theme and session",
        "points_by_theme": "Main points by theme",
        "in_session": "(session {n})",
        "without_theme": "Without a theme",
        "page": "Page {page} of {total}",
        "status.held": "held",
        "status.closed": "closed",
        "status.scheduled": "scheduled",
        "status.postponed": "postponed",
        "status.draft": "draft",
        "status.cancelled": "cancelled",
        "basis.attended": "attended",
        "basis.confirmed": "confirmed",
    },
    "fa-AF": {
        "detailed_note": "گزارش مفصل",
        "main_points": "نکات اصلی",
        "general_points": "نکات عمومی",
        "themes": "موضوعات",
        "themes_tag": "موضوعات",
        "chart_caption": "شمار نکات اصلی به تفکیک موضوع",
        "composition": "ترکیب شرکت‌کنندگان",
        "composition_caption": "شرکت‌کنندگان ({basis})؛ گروه‌های کمتر از سه نفر زیر «سایر» "
        "شمرده شده‌اند",
        "composition_suppressed": "شمار افراد کمتر از سه است؛ از این رو ترکیب شرکت‌کنندگان "
        "نشان داده نمی‌شود.",
        "category": "دسته",
        "group": "گروه",
        "people": "شمار",
        "all": "همه",
        "participants": "شرکت‌کنندگان",
        "sector": "زمینهٔ کاری",
        "country": "کشور",
        "countries_represented": "شمار کشورها: {n}.",
        "series_so_far": "نشست‌های پیشین این سلسله",
        "earlier_caption": "نشست‌های پیشین این سلسله",
        "session": "نشست",
        "date": "تاریخ",
        "title": "عنوان",
        "first_session": "این نخستین نشست این سلسله بود.",
        "sessions": "نشست‌ها",
        "sessions_caption": "نشست‌های این سلسله",
        "number": "شماره",
        "status": "وضعیت",
        "points": "نکات",
        "themes_across": "موضوعات در نشست‌ها",
        "matrix_caption": "نکات اصلی تأییدشده به تفکیک موضوع (سطرها) و نشست (ستون‌ها)",
        "theme": "موضوع",
        "total": "مجموع",
        "heatmap_caption": "نکات اصلی به تفکیک موضوع و نشست",
        "points_by_theme": "نکات اصلی به تفکیک موضوع",
        "in_session": "(نشست {n})",
        "without_theme": "بدون موضوع",
        "page": "صفحهٔ {page} از {total}",
        "status.held": "برگزار شده",
        "status.closed": "بسته شده",
        "status.scheduled": "برنامه‌ریزی شده",
        "status.postponed": "به تعویق افتاده",
        "status.draft": "پیش‌نویس",
        "status.cancelled": "لغو شده",
        "basis.attended": "حاضر",
        "basis.confirmed": "تأییدشده",
    },
    "ps": {
        "detailed_note": "مفصل راپور",
        "main_points": "اصلي ټکي",
        "general_points": "عمومي ټکي",
        "themes": "موضوعات",
        "themes_tag": "موضوعات",
        "chart_caption": "د موضوع له مخې د اصلي ټکو شمېر",
        "composition": "د ګډونوالو جوړښت",
        "composition_caption": "ګډونوال ({basis})؛ له درېیو تنو کمې ډلې د «نور» په توګه "
        "شمېرل شوې دي",
        "composition_suppressed": "د کسانو شمېر له درېیو کم دی، نو د ګډونوالو جوړښت نه ښودل کېږي.",
        "category": "ډله",
        "group": "ګروپ",
        "people": "شمېر",
        "all": "ټول",
        "participants": "ګډونوال",
        "sector": "مسلکي شالید",
        "country": "هېواد",
        "countries_represented": "د هېوادونو شمېر: {n}.",
        "series_so_far": "د دې لړۍ پخوانۍ غونډې",
        "earlier_caption": "د دې لړۍ پخوانۍ غونډې",
        "session": "غونډه",
        "date": "نېټه",
        "title": "سرلیک",
        "first_session": "دا د دې لړۍ لومړۍ غونډه وه.",
        "sessions": "غونډې",
        "sessions_caption": "د دې لړۍ غونډې",
        "number": "شمېره",
        "status": "حالت",
        "points": "ټکي",
        "themes_across": "په غونډو کې موضوعات",
        "matrix_caption": "د موضوع (کرښې) او غونډې (ستنې) له مخې تایید شوي اصلي ټکي",
        "theme": "موضوع",
        "total": "ټول",
        "heatmap_caption": "د موضوع او غونډې له مخې اصلي ټکي",
        "points_by_theme": "د موضوع له مخې اصلي ټکي",
        "in_session": "(غونډه {n})",
        "without_theme": "بې موضوع",
        "page": "مخ {page} له {total}",
        "status.held": "جوړه شوې",
        "status.closed": "تړل شوې",
        "status.scheduled": "ټاکل شوې",
        "status.postponed": "ځنډول شوې",
        "status.draft": "مسوده",
        "status.cancelled": "لغوه شوې",
        "basis.attended": "حاضر",
        "basis.confirmed": "تایید شوي",
    },
    "ar": {
        "detailed_note": "التقرير المفصل",
        "main_points": "النقاط الرئيسية",
        "general_points": "نقاط عامة",
        "themes": "المحاور",
        "themes_tag": "المحاور",
        "chart_caption": "عدد النقاط الرئيسية حسب المحور",
        "composition": "تركيبة المشاركين",
        "composition_caption": "المشاركون ({basis})؛ تُحسب المجموعات التي تقل عن ثلاثة "
        "أشخاص ضمن «أخرى»",
        "composition_suppressed": "يقل عدد الأشخاص عن ثلاثة، لذا لا تُعرض تركيبة المشاركين.",
        "category": "الفئة",
        "group": "المجموعة",
        "people": "العدد",
        "all": "الكل",
        "participants": "المشاركون",
        "sector": "القطاع",
        "country": "البلد",
        "countries_represented": "عدد الدول الممثلة: {n}.",
        "series_so_far": "الجلسات السابقة في السلسلة",
        "earlier_caption": "الجلسات السابقة في السلسلة",
        "session": "الجلسة",
        "date": "التاريخ",
        "title": "العنوان",
        "first_session": "كانت هذه الجلسة الأولى في السلسلة.",
        "sessions": "الجلسات",
        "sessions_caption": "جلسات السلسلة",
        "number": "الرقم",
        "status": "الحالة",
        "points": "النقاط",
        "themes_across": "المحاور عبر الجلسات",
        "matrix_caption": "النقاط الرئيسية المعتمدة حسب المحور (الصفوف) والجلسة (الأعمدة)",
        "theme": "المحور",
        "total": "المجموع",
        "heatmap_caption": "النقاط الرئيسية حسب المحور والجلسة",
        "points_by_theme": "النقاط الرئيسية حسب المحور",
        "in_session": "(الجلسة {n})",
        "without_theme": "بلا محور",
        "page": "الصفحة {page} من {total}",
        "status.held": "عُقدت",
        "status.closed": "مغلقة",
        "status.scheduled": "مجدولة",
        "status.postponed": "مؤجلة",
        "status.draft": "مسودة",
        "status.cancelled": "ملغاة",
        "basis.attended": "الحاضرون",
        "basis.confirmed": "المؤكَّدون",
    },
}


def label(tag: str, key: str, **values: object) -> str:
    """A label in the language, with ``{n}``-style values put in (digits converted)."""
    text = LABELS.get(tag, LABELS["en"]).get(key) or LABELS["en"][key]
    if values:
        lang = LANGUAGES.get(tag, LANGUAGES["en"])
        text = text.format(**{k: digits(str(v), lang.digits) for k, v in values.items()})
    return text


# -- the builder's sentences ----------------------------------------------------------------

SECTOR_LABELS: Mapping[str, Mapping[str, str]] = {
    "fa-AF": {
        "scholar": "پژوهشگران",
        "former_diplomat": "دیپلمات‌های پیشین",
        "serving_official": "مقامات برحال",
        "former_official": "مقامات پیشین",
        "civil_society": "جامعهٔ مدنی",
        "media": "رسانه‌ها",
        "other": "سایر",
    },
    "ps": {
        "scholar": "څېړونکي",
        "former_diplomat": "پخواني ډیپلوماتان",
        "serving_official": "اوسني چارواکي",
        "former_official": "پخواني چارواکي",
        "civil_society": "مدني ټولنه",
        "media": "رسنۍ",
        "other": "نور",
    },
    "ar": {
        "scholar": "الباحثون",
        "former_diplomat": "الدبلوماسيون السابقون",
        "serving_official": "المسؤولون الحاليون",
        "former_official": "المسؤولون السابقون",
        "civil_society": "المجتمع المدني",
        "media": "الإعلام",
        "other": "أخرى",
    },
}
# The sectors as they read in the composition sentence.
SECTOR_PLURALS: Mapping[str, Mapping[str, str]] = {
    "fa-AF": {
        "scholar": "پژوهشگران",
        "former_diplomat": "دیپلمات‌های پیشین",
        "serving_official": "مقامات برحال",
        "former_official": "مقامات پیشین",
        "civil_society": "نمایندگان جامعهٔ مدنی",
        "media": "روزنامه‌نگاران",
        "other": "سایر شرکت‌کنندگان",
    },
    "ps": {
        "scholar": "څېړونکي",
        "former_diplomat": "پخواني ډیپلوماتان",
        "serving_official": "اوسني چارواکي",
        "former_official": "پخواني چارواکي",
        "civil_society": "د مدني ټولنې استازي",
        "media": "ژورنالستان",
        "other": "نور ګډونوال",
    },
    "ar": {
        "scholar": "الباحثين",
        "former_diplomat": "الدبلوماسيين السابقين",
        "serving_official": "المسؤولين الحاليين",
        "former_official": "المسؤولين السابقين",
        "civil_society": "ممثلي المجتمع المدني",
        "media": "الصحفيين",
        "other": "مشاركين آخرين",
    },
}
OTHER_COUNTRIES = {"fa-AF": "کشورهای دیگر", "ps": "نور هېوادونه", "ar": "دول أخرى"}

# Ordinals: of a session (Dari adjective before the noun; Pashto and Arabic feminine, after
# it) and of an agenda part (Dari after the noun; Pashto feminine; Arabic masculine).
SESSION_ORDINALS: Mapping[str, tuple[str, ...]] = {
    "fa-AF": (
        "نخستین",
        "دومین",
        "سومین",
        "چهارمین",
        "پنجمین",
        "ششمین",
        "هفتمین",
        "هشتمین",
        "نهمین",
        "دهمین",
    ),
    "ps": (
        "لومړۍ",
        "دوهمه",
        "درېیمه",
        "څلورمه",
        "پنځمه",
        "شپږمه",
        "اوومه",
        "اتمه",
        "نهمه",
        "لسمه",
    ),
    "ar": (
        "الأولى",
        "الثانية",
        "الثالثة",
        "الرابعة",
        "الخامسة",
        "السادسة",
        "السابعة",
        "الثامنة",
        "التاسعة",
        "العاشرة",
    ),
}
PART_ORDINALS: Mapping[str, tuple[str, ...]] = {
    "fa-AF": ("اول", "دوم", "سوم", "چهارم", "پنجم", "ششم", "هفتم", "هشتم", "نهم", "دهم"),
    "ps": SESSION_ORDINALS["ps"],
    "ar": (
        "الأول",
        "الثاني",
        "الثالث",
        "الرابع",
        "الخامس",
        "السادس",
        "السابع",
        "الثامن",
        "التاسع",
        "العاشر",
    ),
}
NUMBER_WORDS: Mapping[str, tuple[str, ...]] = {
    "fa-AF": ("صفر", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده"),
    "ps": ("صفر", "یو", "دوه", "درې", "څلور", "پنځه", "شپږ", "اووه", "اته", "نهه", "لس"),
}


def session_ordinal(n: int, tag: str) -> str:
    words = SESSION_ORDINALS[tag]
    if 1 <= n <= len(words):
        return words[n - 1]
    number = digits(str(n), language(tag).digits)
    return {"fa-AF": f"{number}مین", "ps": f"{number}مه", "ar": f"رقم {number}"}[tag]


def part_ordinal(n: int, tag: str) -> str:
    words = PART_ORDINALS[tag]
    if 1 <= n <= len(words):
        return words[n - 1]
    number = digits(str(n), language(tag).digits)
    return {"fa-AF": f"{number}م", "ps": f"{number}مه", "ar": f"رقم {number}"}[tag]


def count_word(n: int, tag: str) -> str:
    words = NUMBER_WORDS.get(tag)
    if words and 0 <= n < len(words):
        return words[n]
    return digits(str(n), language(tag).digits)


FORUMS: Mapping[str, Mapping[str, str]] = {
    "fa-AF": {"online": "نشست‌های آنلاین", "in_person": "میزگردها", "hybrid": "نشست‌ها"},
    "ps": {"online": "آنلاین غونډو", "in_person": "ګردو مېزونو", "hybrid": "غونډو"},
    "ar": {
        "online": "المنتديات الافتراضية",
        "in_person": "الموائد المستديرة",
        "hybrid": "المنتديات",
    },
}


def opening(tag: str, ordinal: str, fmt: str, series: str, day: str) -> str:
    forums = FORUMS[tag].get(fmt, FORUMS[tag]["hybrid"])
    if tag == "fa-AF":
        return f"{ordinal} نشست از سلسله {forums} دربارهٔ «{series}» در {day} برگزار شد."
    if tag == "ps":
        return f"د «{series}» په اړه د {forums} د لړۍ {ordinal} غونډه په {day} جوړه شوه."
    return f"عُقدت الجلسة {ordinal} من سلسلة {forums} حول «{series}» في {day}."


def organisers(tag: str, organiser: str, partners: Sequence[str]) -> str:
    lang = language(tag)
    together = join_list(list(partners), lang)
    if tag == "fa-AF":
        if partners:
            return f"این سلسله گفت‌وگوهای مسیر دوم را {organiser} با همکاری {together} برگزار می‌کند."
        return f"این سلسله گفت‌وگوهای مسیر دوم را {organiser} برگزار می‌کند."
    if tag == "ps":
        if partners:
            return (
                f"د غیر رسمي ډیپلوماسۍ (Track 2) د خبرو اترو دا لړۍ {organiser} د {together} "
                "په همکارۍ جوړوي."
            )
        return f"د غیر رسمي ډیپلوماسۍ (Track 2) د خبرو اترو دا لړۍ {organiser} جوړوي."
    if partners:
        return f"تنظّم {organiser} هذه السلسلة من حوارات المسار الثاني بالشراكة مع {together}."
    return f"تنظّم {organiser} هذه السلسلة من حوارات المسار الثاني."


def composition(tag: str, total: int | None, countries: int | None, sectors: Sequence[str]) -> str:
    lang = language(tag)
    if total is None:
        return {
            "fa-AF": "به این منظور، این سلسله شرکت‌کنندگانی از منطقه و جامعهٔ جهانی را گرد هم آورد.",
            "ps": "په دې موخه، دې لړۍ د سیمې او نړیوالې ټولنې ګډونوال سره راټول کړل.",
            "ar": "ولهذا الغرض، جمعت السلسلة مشاركين من المنطقة والمجتمع الدولي.",
        }[tag]
    who = join_list([SECTOR_PLURALS[tag][s] for s in sectors], lang)
    n = digits(str(total), lang.digits)
    c = digits(str(countries or 0), lang.digits)
    if tag == "fa-AF":
        who = who or "شرکت‌کنندگان"
        where = f"از {c} کشور منطقه و جامعهٔ جهانی" if countries else "از منطقه و جامعهٔ جهانی"
        return f"به این منظور، این سلسله {n} تن از {who} را {where} گرد هم آورد."
    if tag == "ps":
        who = who or "ګډونوال"
        where = (
            f"د سیمې او نړیوالې ټولنې له {c} هېوادونو" if countries else "د سیمې او نړیوالې ټولنې"
        )
        return f"په دې موخه، دې لړۍ {where} {n} تنه {who} سره راټول کړل."
    who = who or "المشاركين"
    participants = "مشاركاً" if total > 10 else "مشاركين"
    if countries:
        noun = "دولة" if countries > 10 or countries == 1 else "دول"
        where = f" من {c} {noun} من المنطقة والمجتمع الدولي"
    else:
        where = " من المنطقة والمجتمع الدولي"
    return f"ولهذا الغرض، جمعت السلسلة ما مجموعه {n} {participants} من {who}{where}."


def guests_phrase(tag: str, guests: Sequence[tuple[str, str | None]]) -> str:
    return join_list([f"{n}، {p}" if p else n for n, p in guests], language(tag))


def agenda_sentence(
    tag: str,
    kind: str,
    index: int,
    last: bool,
    *,
    guests: str = "",
    topics: Sequence[str] = (),
    title: str = "",
    count: int = 1,
) -> str:
    """One sentence of the agenda paragraph (see ``builder.agenda_paragraph``)."""
    lang = language(tag)
    ordinal = part_ordinal(index, tag)
    topic = join_list(list(topics), lang)
    if tag == "fa-AF":
        about = f" دربارهٔ {topic}" if topic else ""
        if guests:
            return (
                f"بخش {ordinal} نشست با حضور {guests} برگزار شد{about and '، با سخنانی' + about}."
            )
        if kind == "presentation":
            noun = "یک ارائه" if count == 1 else f"{count_word(count, tag)} ارائه"
            return f"در بخش {ordinal}، {noun}{about} انجام شد."
        if kind == "opening_remarks":
            return f"بخش {ordinal} نشست با سخنان افتتاحیه{about} آغاز شد."
        if kind == "q_and_a":
            if last:
                return "نشست با یک جلسهٔ پرسش و پاسخ پایان یافت."
            return f"بخش {ordinal} به پرسش و پاسخ اختصاص داشت."
        if kind == "discussion":
            if last:
                return f"نشست با بحث عمومی همهٔ شرکت‌کنندگان{about} پایان یافت."
            return f"بخش {ordinal} به بحث عمومی همهٔ شرکت‌کنندگان{about} اختصاص داشت."
        return f"بخش {ordinal} نشست به {topic or title} اختصاص داشت."
    if tag == "ps":
        about = f" د {topic} په اړه" if topic else ""
        if guests:
            sentence = f"د غونډې په {ordinal} برخه کې {guests} ګډون درلود"
            return sentence + (f" او{about} یې خبرې وکړې." if topic else ".")
        if kind == "presentation":
            if count == 1:
                return f"په {ordinal} برخه کې{about} یو پرېزنټېشن وړاندې شو."
            return f"په {ordinal} برخه کې{about} {count_word(count, tag)} پرېزنټېشنونه وړاندې شول."
        if kind == "opening_remarks":
            return f"د غونډې {ordinal} برخه{about} په پرانیستونکو خبرو پیل شوه."
        if kind == "q_and_a":
            if last:
                return "غونډه د پوښتنو او ځوابونو په برخه پای ته ورسېده."
            return f"{ordinal} برخه پوښتنو او ځوابونو ته ځانګړې وه."
        if kind == "discussion":
            if last:
                return f"غونډه{about} د ټولو ګډونوالو په عمومي بحث پای ته ورسېده."
            return f"{ordinal} برخه{about} د ټولو ګډونوالو عمومي بحث ته ځانګړې وه."
        return f"د غونډې {ordinal} برخه {topic or title} ته ځانګړې وه."
    about = f" حول {topic}" if topic else ""
    if guests:
        return f"حضر الجزء {ordinal} من الاجتماع {guests}{about and '، وتحدّث' + about}."
    if kind == "presentation":
        noun = {1: "عرض", 2: "عرضان"}.get(count, f"{digits(str(count), lang.digits)} عروض")
        verb = "قُدِّم" if count == 1 else "قُدِّمت" if count > 2 else "قُدِّم"
        return f"وفي الجزء {ordinal}، {verb} {noun}{about}."
    if kind == "opening_remarks":
        return f"افتُتح الجزء {ordinal} من الاجتماع بكلمات افتتاحية{about}."
    if kind == "q_and_a":
        if last:
            return "واختُتم الاجتماع بجلسة أسئلة وأجوبة."
        return f"وكان الجزء {ordinal} جلسة أسئلة وأجوبة."
    if kind == "discussion":
        if last:
            return f"واختُتم الاجتماع بنقاش عام شارك فيه جميع المشاركين{about}."
        return f"وكان الجزء {ordinal} نقاشاً عاماً شارك فيه جميع المشاركين{about}."
    return f"وخُصّص الجزء {ordinal} من الاجتماع لموضوع {topic or title}."


def points_intro(tag: str, kinds: set[str]) -> str:
    lang = language(tag)
    names = {
        "fa-AF": ("ارائه‌ها", "جلسات پرسش و پاسخ", "بحث عمومی همهٔ شرکت‌کنندگان"),
        "ps": ("پرېزنټېشنونو", "د پوښتنو او ځوابونو برخو", "د ټولو ګډونوالو عمومي بحث"),
        "ar": ("العروض", "جلسات الأسئلة والأجوبة", "النقاش العام بين جميع المشاركين"),
    }[tag]
    sources = [
        name
        for kind, name in zip(("presentation", "q_and_a", "discussion"), names, strict=True)
        if kind in kinds
    ]
    joined = join_list(sources, lang)
    if tag == "fa-AF":
        where = f"از {joined} برآمد" if sources else "در این نشست مطرح شد"
        return f"در ادامه فهرستی از نکات و دیدگاه‌های اصلی آمده است که {where}."
    if tag == "ps":
        where = f"په {joined} کې" if sources else "په غونډه کې"
        return f"لاندې هغه اصلي ټکي او نظرونه راغلي چې {where} مطرح شول."
    where = f"في {joined}" if sources else "خلال الاجتماع"
    return f"وفيما يلي قائمة بأبرز النقاط ووجهات النظر التي طُرحت {where}."


def chatham(tag: str, previous_rounds: int, on_record: bool) -> str:
    if on_record:
        return {
            "fa-AF": "این نشست به‌صورت علنی و قابل نقل برگزار شد.",
            "ps": "دا غونډه په علني او د نقل وړ ډول جوړه شوه.",
            "ar": "عُقد هذا الاجتماع بشكل علني وقابل للاقتباس.",
        }[tag]
    if tag == "fa-AF":
        if previous_rounds:
            rounds = count_word(previous_rounds, tag)
            return (
                f"این گفت‌وگو، همانند {rounds} دور پیشین این سلسله، بر اساس قاعدهٔ چتم هاوس "
                "برگزار شد."
            )
        return "این گفت‌وگو بر اساس قاعدهٔ چتم هاوس برگزار شد."
    if tag == "ps":
        if previous_rounds:
            return "دا بحث، د دې لړۍ د پخوانیو پړاوونو په څېر، د چتم هاوس د قاعدې له مخې ترسره شو."
        return "دا بحث د چتم هاوس د قاعدې له مخې ترسره شو."
    if previous_rounds:
        return "وعُقد هذا النقاش، على غرار الجولات السابقة من السلسلة، وفق قاعدة تشاتام هاوس."
    return "وعُقد هذا النقاش وفق قاعدة تشاتام هاوس."


def default_closing(tag: str, organiser: str) -> str:
    return {
        "fa-AF": f"{organiser} و همکارانش در نظر دارند این سلسله گفت‌وگوهای مسیر دوم را ادامه دهند.",
        "ps": f"{organiser} او د هغې همکاران غواړي د خبرو اترو دې لړۍ ته دوام ورکړي.",
        "ar": f"تعتزم {organiser} وشركاؤها مواصلة هذه السلسلة من حوارات المسار الثاني.",
    }[tag]


OFFERS: Mapping[str, Mapping[str, str]] = {
    "summary": {
        "en": "If you are interested in the detailed report of the meeting or if you wish to "
        "join our newsletter, follow the links below.",
        "fa-AF": "اگر به گزارش مفصل این نشست علاقه‌مندید یا می‌خواهید در خبرنامهٔ ما عضو شوید، "
        "از پیوندهای زیر استفاده کنید.",
        "ps": "که د غونډې مفصل راپور ته لېوالتیا لرئ یا غواړئ زموږ خبرپاڼې ته ګډون وکړئ، "
        "لاندې لینکونه وکاروئ.",
        "ar": "إذا كنت مهتماً بالتقرير المفصل للاجتماع أو ترغب في الاشتراك في نشرتنا "
        "الإخبارية، فاتبع الروابط أدناه.",
    },
    "detailed": {
        "en": "To follow the series, join our newsletter at the link below.",
        "fa-AF": "برای دنبال کردن این سلسله، از طریق پیوند زیر در خبرنامهٔ ما عضو شوید.",
        "ps": "د دې لړۍ د تعقیب لپاره، د لاندې لینک له لارې زموږ خبرپاڼې ته ګډون وکړئ.",
        "ar": "لمتابعة السلسلة، اشترك في نشرتنا الإخبارية عبر الرابط أدناه.",
    },
}
LINK_LABELS: Mapping[str, Mapping[str, str]] = {
    "request": {
        "en": "Request the detailed report",
        "fa-AF": "درخواست گزارش مفصل",
        "ps": "د مفصل راپور غوښتنه",
        "ar": "طلب التقرير المفصل",
    },
    "newsletter": {
        "en": "Join the newsletter",
        "fa-AF": "عضویت در خبرنامه",
        "ps": "په خبرپاڼه کې ګډون",
        "ar": "الاشتراك في النشرة الإخبارية",
    },
}


def digest_title(tag: str, series: str) -> str:
    return {
        "en": f"{series}: series digest",
        "fa-AF": f"{series}: چکیدهٔ سلسله",
        "ps": f"{series}: د لړۍ لنډیز",
        "ar": f"{series}: موجز السلسلة",
    }[tag]


def digest_intro(tag: str, organisers_sentence: str, sessions: int, held: int, points: int) -> str:
    lang = language(tag)
    s, h, p = (digits(str(v), lang.digits) for v in (sessions, held, points))
    if tag == "fa-AF":
        return (
            f"{organisers_sentence} این چکیده {s} نشست ({h} برگزارشده) و {p} نکتهٔ اصلی "
            "تأییدشده را دربر می‌گیرد."
        )
    if tag == "ps":
        return (
            f"{organisers_sentence} دا لنډیز {s} غونډې ({h} جوړې شوې) او {p} تایید شوي اصلي "
            "ټکي رانغاړي."
        )
    return (
        f"{organisers_sentence} ويغطي هذا الموجز {s} جلسة (عُقد منها {h}) و{p} نقطة رئيسية معتمدة."
    )


DIGEST_CHATHAM: Mapping[str, str] = {
    "en": "The discussions of the series are held under the Chatham House Rule: no point in "
    "this digest is attributed to anyone.",
    "fa-AF": "گفت‌وگوهای این سلسله بر اساس قاعدهٔ چتم هاوس برگزار می‌شوند: هیچ نکته‌ای در این "
    "چکیده به کسی نسبت داده نشده است.",
    "ps": "د دې لړۍ خبرې اترې د چتم هاوس د قاعدې له مخې ترسره کېږي: په دې لنډیز کې هېڅ ټکی "
    "هېچا ته منسوب شوی نه دی.",
    "ar": "تُعقد نقاشات السلسلة وفق قاعدة تشاتام هاوس: لا تُنسب أي نقطة في هذا الموجز إلى أي شخص.",
}


def country_name(code: str, tag: str) -> str:
    """A country's name in the language (CLDR, through Babel)."""
    if code == "other":
        return OTHER_COUNTRIES.get(tag, "Other countries")
    from babel import Locale

    locale = Locale.parse(tag.replace("-", "_"))
    return str(locale.territories.get(code.upper(), code))
