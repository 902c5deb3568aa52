"""The public pages' own words in each edition language (their chrome: navigation, headings,
links); the report texts themselves come from the published editions."""

from __future__ import annotations

from collections.abc import Mapping

PAGE_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "skip": "Skip to main content",
        "nav_series": "Series",
        "nav_subscribe": "Subscribe",
        "nav_sign_in": "Sign in",
        "sessions": "Sessions",
        "scheduled": "scheduled",
        "read_summary": "read the summary",
        "latest_summary": "Latest summary",
        "also_as": "Also as",
        "more_from": "More from",
        "languages": "Read in",
        "version": "Version",
        "footer": "Held under the Chatham House Rule: participants are free to use the "
        "information received, but neither the identity nor the affiliation of any speaker "
        "or participant may be revealed.",
    },
    "fa-AF": {
        "skip": "رفتن به محتوای اصلی",
        "nav_series": "سلسله‌ها",
        "nav_subscribe": "اشتراک",
        "nav_sign_in": "ورود",
        "sessions": "نشست‌ها",
        "scheduled": "برنامه‌ریزی‌شده",
        "read_summary": "خواندن خلاصه",
        "latest_summary": "آخرین خلاصه",
        "also_as": "این گزارش به این شکل‌ها نیز در دسترس است:",
        "more_from": "موارد بیشتر از",
        "languages": "خواندن به زبان",
        "version": "نسخهٔ",
        "footer": "بر اساس قاعدهٔ چتم هاوس برگزار شده است: شرکت‌کنندگان آزادند از اطلاعات "
        "دریافت‌شده استفاده کنند، اما هویت و وابستگی هیچ سخنران یا شرکت‌کننده‌ای نباید افشا شود.",
    },
    "ps": {
        "skip": "اصلي منځپانګې ته ورشئ",
        "nav_series": "لړۍ",
        "nav_subscribe": "ګډون",
        "nav_sign_in": "ننوتل",
        "sessions": "غونډې",
        "scheduled": "ټاکل شوې",
        "read_summary": "لنډیز ولولئ",
        "latest_summary": "وروستی لنډیز",
        "also_as": "دا راپور په دې بڼو هم شته:",
        "more_from": "نور له",
        "languages": "په دې ژبه یې ولولئ",
        "version": "نسخه",
        "footer": "د چتم هاوس د قاعدې له مخې جوړه شوې: ګډونوال کولای شي ترلاسه شوي معلومات "
        "وکاروي، خو د هېڅ وینا کوونکي یا ګډونوال هویت او تړاو باید څرګند نه شي.",
    },
    "ar": {
        "skip": "انتقل إلى المحتوى الرئيسي",
        "nav_series": "السلاسل",
        "nav_subscribe": "الاشتراك",
        "nav_sign_in": "تسجيل الدخول",
        "sessions": "الجلسات",
        "scheduled": "مُجدولة",
        "read_summary": "اقرأ الملخص",
        "latest_summary": "أحدث ملخص",
        "also_as": "يتوفر هذا التقرير أيضاً بالصيغ التالية:",
        "more_from": "المزيد من",
        "languages": "اقرأ باللغة",
        "version": "الإصدار",
        "footer": "عُقدت وفق قاعدة تشاتام هاوس: للمشاركين حرية استخدام المعلومات التي "
        "يتلقونها، دون الكشف عن هوية أي متحدث أو مشارك أو انتمائه.",
    },
}
