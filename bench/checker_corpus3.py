# ruff: noqa: RUF001  (the corpus spells names with the letters real text uses)
"""Write the guard's third labelled corpus: clean texts as an outsider writes them.

Run with ``python -m bench.checker_corpus3``. Deterministic (seeded). It writes
``corpus_guard3_tune.json`` and ``corpus_guard3_valid.json`` in ``tests/confidentiality/``,
split **by person** (consent texts of a person, and the leak texts naming them, fall in one
part only; texts naming nobody alternate at random).

The first two corpora were written by the checker's authors, whose clean texts avoided what
the guard finds hard. This one is about what an outsider writes:

* **consent**: a speaker who consented for an on-record part (``allowed_person_ids``) named
  every way people write it (title and full name, honorific and family name, "H.E.", the
  given name alone, a possessive, with their affiliation, acronym, position, e-mail, in
  Arabic script, transliterated), while other participants who did *not* consent share a
  given name, a patronymic or the institution. The same texts without consent, and texts
  where the shared part can only be the other person, are leaks;
* **Arabic script**: ordinary Dari, Pashto and Arabic sentences about Afghan peace talks,
  with places, public figures and common words that look like names;
* **public figures and places** that share a given or family name part with a participant
  ("Hamid Karzai" beside a participant Laila Karzai and one called Hamid);
* **transliteration, compatibility characters, line breaks, acronyms** in clean text;
* leaks in the classes the held-out corpus found weak (Arabic script, positions, note
  formats, acronyms, Markdown, bidi, misspellings, line breaks).
"""

from __future__ import annotations

import random
from typing import Any

from bench.checker_corpus import _p
from bench.corpus_items import HERE, SplitItems, write_corpus

SEED = 3015

ROSTER: list[dict[str, Any]] = [
    # Consented (tune): the envoy, with a patronymic that is another participant's given name.
    _p(
        "suwaidi",
        "H.E.",
        "Hamad",
        "bin Nasser Al-Suwaidi",
        "Special Envoy for Mediation and Conflict Resolution",
        "Ministry of Foreign Affairs of Qatar",
        "MOFA",
        "QA",
        "h.alsuwaidi@mofa.example.qa",
        ("حمد بن ناصر السويدي",),
    ),
    # Not consented: same given name and same ministry as the envoy.
    _p(
        "othman",
        "Dr.",
        "Hamad",
        "Othman",
        "Legal Adviser to the Minister of State",
        "Ministry of Foreign Affairs of Qatar",
        "MOFA",
        "QA",
        "h.othman@mofa.example.qa",
        ("حمد عثمان",),
    ),
    # Not consented: given name is the envoy's patronymic.
    _p(
        "karimzada",
        "Mr.",
        "Nasser",
        "Karimzada",
        "Director of Research",
        "Afghanistan Research Network",
        "ARN",
        "AF",
        "n.karimzada@arn.example.af",
        ("ناصر کریم‌زاده",),
    ),
    # Consented (valid).
    _p(
        "kohistani",
        "Dr.",
        "Mahbouba",
        "Kohistani",
        "Member of the Negotiation Team for Women's Rights",
        "Kabul Women's Forum for Peace",
        "KWFP",
        "AF",
        "m.kohistani@kwfp.example.af",
        ("محبوبه کوهستانی", "Mahbuba Kuhistani"),
    ),
    # Not consented: same given name as Kohistani, same forum.
    _p(
        "taheri",
        "Ms.",
        "Mahbouba",
        "Taheri",
        "Programme Officer for Returnees",
        "Kabul Women's Forum for Peace",
        "KWFP",
        "AF",
        None,
        ("محبوبه طاهری",),
    ),
    # Consented (tune): family name is also a tribe.
    _p(
        "barakzai",
        "Mr.",
        "Ahmad Zia",
        "Barakzai",
        "Head of the Secretariat of the High Council for Reconciliation",
        "High Council for Reconciliation",
        "HCR",
        "AF",
        "az.barakzai@hcr.example.af",
        ("احمد ضیا بارکزی",),
    ),
    # Not consented: shares "Ahmad" with Barakzai.
    _p(
        "wazir",
        "Mr.",
        "Ahmad Naeem",
        "Wazir",
        "Spokesperson of the Khyber Peace Jirga",
        "Khyber Peace Jirga",
        "KPJ",
        "PK",
        None,
        ("احمد نعیم وزیر",),
    ),
    # Consented (valid): a professor whose university a non-consented colleague shares.
    _p(
        "tehrani",
        "Prof.",
        "Parisa",
        "Tehrani",
        "Professor of International Law",
        "University of Tehran",
        "UT",
        "IR",
        "p.tehrani@ut.example.ir",
        ("پریسا تهرانی",),
    ),
    _p(
        "jafari",
        "Dr.",
        "Reza",
        "Jafari-Moghaddam",
        "Associate Professor of Hydrology",
        "University of Tehran",
        "UT",
        "IR",
        None,
        ("رضا جعفری مقدم",),
    ),
    # People sharing a name part with public figures.
    _p(
        "karzai",
        "Ms.",
        "Laila",
        "Karzai",
        "Senior Adviser on Returnees",
        "Ministry of Refugees and Repatriation",
        "MoRR",
        "AF",
        None,
        ("لیلا کرزی",),
    ),
    _p(
        "sultani",
        "Mr.",
        "Hamid",
        "Sultani",
        "Adviser on Transboundary Water",
        "Afghan Water Institute",
        "AWI",
        "AF",
        "h.sultani@awi.example.af",
        ("حامد سلطانی",),
    ),
    _p(
        "noorzai",
        "Mr.",
        "Zalmay",
        "Noorzai",
        "Member of the Provincial Council of Kandahar",
        None,
        None,
        "AF",
        None,
        ("زلمی نورزی",),
    ),
    _p(
        "mansoor",
        "Dr.",
        "Ashraf",
        "Mansoor",
        "Senior Fellow for Border Studies",
        "Islamabad Institute for Conflict Studies",
        "IICS",
        "PK",
        "ashraf.mansoor@iics.example.pk",
        ("اشرف منصور",),
    ),
    _p(
        "shinwari",
        "Mr.",
        "Gul Rahman",
        "Shinwari",
        "Chief of Staff to the Second Deputy Speaker of the Wolesi Jirga",
        None,
        None,
        "AF",
        None,
        ("ګل رحمان شینواري",),
    ),
    _p(
        "yusupov",
        "Mr.",
        "Dilshod",
        "Yusupov",
        "Deputy Head of the Department for Afghanistan",
        "Institute for Strategic and Regional Studies",
        "ISRS",
        "UZ",
        "d.yusupov@isrs.example.uz",
        ("Юсупов",),
    ),
    _p(
        "kaya",
        "Ms.",
        "Elif",
        "Kayaoglu",
        "Researcher on Migration",
        "Ankara Policy Centre",
        "APC",
        "TR",
        None,
    ),
    _p(
        "solheim",
        "Ms.",
        "Ingrid",
        "Solheim",
        "Senior Adviser for Mediation",
        "Oslo Forum for Mediation Studies",
        "OFMS",
        "NO",
        "ingrid.solheim@ofms.example.no",
    ),
    _p(
        "hajri",
        "Dr.",
        "Faisal",
        "Al-Hajri",
        "Director of the Doha Centre for Mediation",
        "Doha Centre for Mediation",
        "DCM",
        "QA",
        None,
        ("فيصل الهاجري",),
    ),
    _p(
        "mohmand",
        "Mr.",
        "Abdul Wali",
        "Mohmand",
        "Tribal Liaison Officer",
        "Nangarhar Elders' Council",
        "NEC",
        "AF",
        None,
        ("عبدالولي مومند",),
    ),
    _p(
        "haidari",
        "Ms.",
        "Shabnam",
        "Haidari",
        "Country Director for Afghanistan",
        "Peacebuilding Support Alliance",
        "PSA",
        "AF",
        "s.haidari@psa.example.org",
        ("شبنم حیدری",),
    ),
]
BY_ID = {p["person_id"]: p for p in ROSTER}

# The people whose texts (consent and leaks) are only in the validation part.
VALID = frozenset({"kohistani", "taheri", "tehrani", "jafari", "shinwari", "mohmand", "solheim"})

# ------------------------------------------------------------------------------------------
# Consent: (text, consenting people, label). A "leak" here is a text that names someone who
# did not consent even though someone else in it did; every clean text is also a leak when
# nobody consented (added by build()).

CONSENT: dict[str, list[tuple[str, list[str], str]]] = {
    "suwaidi": [
        (
            "H.E. Hamad bin Nasser Al-Suwaidi, Special Envoy for Mediation and Conflict "
            "Resolution, opened the on-record session.",
            ["suwaidi"],
            "clean",
        ),
        ("H.E. Al-Suwaidi welcomed the delegations to Doha.", ["suwaidi"], "clean"),
        (
            "Hamad bin Nasser Al-Suwaidi said Qatar would keep hosting the talks.",
            ["suwaidi"],
            "clean",
        ),
        ("Al-Suwaidi's opening remarks set out three principles.", ["suwaidi"], "clean"),
        ("Mr Al Suwaidi thanked the hosts and the facilitators.", ["suwaidi"], "clean"),
        ("The envoy, Hamad Al-Suwaidi, stressed the need for a ceasefire.", ["suwaidi"], "clean"),
        (
            "H.E. Hamad bin Nasser Al-Suwaidi of the Ministry of Foreign Affairs of Qatar "
            "chaired the opening.",
            ["suwaidi"],
            "clean",
        ),
        (
            "Al-Suwaidi (MOFA, Qatar) reminded participants that the Doha process remains open.",
            ["suwaidi"],
            "clean",
        ),
        (
            "Hamad bin Nasser Al-Suwaidi opened the session. Hamad then invited questions from "
            "the floor.",
            ["suwaidi"],
            "clean",
        ),
        (
            "Questions for the envoy may be sent to h.alsuwaidi@mofa.example.qa.",
            ["suwaidi"],
            "clean",
        ),
        ("افتتح سعادة حمد بن ناصر السويدي الجلسة العلنية.", ["suwaidi"], "clean"),
        ("قال السويدي إن قطر ستواصل دعم الحوار.", ["suwaidi"], "clean"),
        ("Hamad bin Naser Al-Suwaydi, Qatar's envoy, spoke on the record.", ["suwaidi"], "clean"),
        ("HE Alsuwaidi closed the public part with a call for patience.", ["suwaidi"], "clean"),
        (
            "Special Envoy Al-Suwaidi and Dr. Ashraf Mansoor of the IICS opened the day.",
            ["suwaidi", "mansoor"],
            "clean",
        ),
        # What consent does not cover: a non-consented person sharing a name part.
        ("H.E. Al-Suwaidi and Dr. Hamad Othman opened the session.", ["suwaidi"], "leak"),
        ("Hamad stressed that the ministry would stay neutral.", ["suwaidi"], "leak"),
        (
            "Al-Suwaidi was followed by Nasser Karimzada, who presented the ARN survey.",
            ["suwaidi"],
            "leak",
        ),
        ("Dr. Othman, the envoy's legal adviser, summarised the draft.", ["suwaidi"], "leak"),
        ("h.othman@mofa.example.qa circulated the text afterwards.", ["suwaidi"], "leak"),
        ("The Legal Adviser to the Minister of State answered.", ["suwaidi"], "leak"),
    ],
    "barakzai": [
        (
            "Mr. Ahmad Zia Barakzai, Head of the Secretariat of the High Council for "
            "Reconciliation, spoke on the record.",
            ["barakzai"],
            "clean",
        ),
        ("Ahmad Zia Barakzai presented the council's roadmap.", ["barakzai"], "clean"),
        ("Barakzai's presentation of the HCR roadmap drew many questions.", ["barakzai"], "clean"),
        ("Mr Barakzai (HCR) answered questions on prisoner releases.", ["barakzai"], "clean"),
        (
            "Ahmad Zia said the council would publish the draft in Dari and Pashto.",
            ["barakzai"],
            "clean",
        ),
        (
            "The HCR's Ahmad Zia Barakzai described the provincial consultations.",
            ["barakzai"],
            "clean",
        ),
        ("احمد ضیا بارکزی گفت که شورا نقشهٔ راه را منتشر می‌کند.", ["barakzai"], "clean"),
        ("Contact: az.barakzai@hcr.example.af", ["barakzai"], "clean"),
        ("Ahmad Zia Barekzai spoke after the break.", ["barakzai"], "clean"),
        ("Ahmad Zia Barakzai and Ahmad Naeem Wazir exchanged views.", ["barakzai"], "leak"),
        ("Barakzai agreed with the KPJ spokesperson, Mr Wazir.", ["barakzai"], "leak"),
        ("Ahmad Naeem said the jirga would not attend.", ["barakzai"], "leak"),
    ],
    "kohistani": [
        (
            "Dr. Mahbouba Kohistani, Member of the Negotiation Team for Women's Rights, opened "
            "the on-record part.",
            ["kohistani"],
            "clean",
        ),
        ("Dr Kohistani described the forum's work in Herat and Balkh.", ["kohistani"], "clean"),
        ("Kohistani's paper on girls' schooling was circulated.", ["kohistani"], "clean"),
        (
            "Dr. Mahbouba Kohistani of the Kabul Women's Forum for Peace (KWFP) spoke first.",
            ["kohistani"],
            "clean",
        ),
        (
            "Mahbouba Kohistani opened the session. Mahbouba then asked the delegations to "
            "name their women negotiators.",
            ["kohistani"],
            "clean",
        ),
        ("دکتر محبوبه کوهستانی جلسه را افتتاح کرد.", ["kohistani"], "clean"),
        ("Mahbuba Kuhistani, of the KWFP, spoke on the record.", ["kohistani"], "clean"),
        ("Write to m.kohistani@kwfp.example.af for the slides.", ["kohistani"], "clean"),
        (
            "Dr. Kohistani and Prof. Parisa Tehrani gave the opening remarks.",
            ["kohistani", "tehrani"],
            "clean",
        ),
        ("Dr Kohistani and Ms Taheri presented the survey.", ["kohistani"], "leak"),
        ("Mahbouba said the forum had met the returnees in Torkham.", ["kohistani"], "leak"),
        ("Mahbouba Taheri, Programme Officer for Returnees, added figures.", ["kohistani"], "leak"),
        ("The KWFP's programme officer for returnees added figures.", ["kohistani"], "leak"),
    ],
    "tehrani": [
        (
            "Prof. Parisa Tehrani, Professor of International Law, opened the panel.",
            ["tehrani"],
            "clean",
        ),
        ("Prof. Tehrani of the University of Tehran spoke on the record.", ["tehrani"], "clean"),
        ("Tehrani's reading of the 1973 Helmand treaty was discussed.", ["tehrani"], "clean"),
        ("پروفسور پریسا تهرانی دربارهٔ معاهدهٔ هیرمند سخن گفت.", ["tehrani"], "clean"),
        ("Parisa Tehrani (UT) answered questions on the water treaty.", ["tehrani"], "clean"),
        ("Contact: p.tehrani@ut.example.ir", ["tehrani"], "clean"),
        (
            "Prof. Tehrani and Dr. Reza Jafari-Moghaddam presented the hydrology.",
            ["tehrani"],
            "leak",
        ),
        ("Her colleague Dr Jafari-Moghaddam disagreed.", ["tehrani"], "leak"),
    ],
}

# ------------------------------------------------------------------------------------------
# Clean Arabic-script prose (Dari, Pashto, Arabic), public figures and places.

ARABIC_CLEAN = [
    "مذاکرات صلح افغانستان در دوحه پس از ماه‌ها وقفه دوباره آغاز شد.",
    "اشرف غنی و زلمی خلیلزاد دربارهٔ آزادی زندانیان گفتگو کردند.",
    "حامد کرزی در کابل گفت که صلح باید افغانی باشد.",
    "عبدالله عبدالله رئیس شورای عالی مصالحهٔ ملی بود.",
    "ملا عبدالغنی برادر توافق‌نامهٔ دوحه را امضا کرد.",
    "در ولایت هلمند خشکسالی زندگی کشاورزان را دشوار کرده است.",
    "راه‌آهن مزار شریف تا هرات برای تجارت منطقه مهم است.",
    "زنان افغان خواستار حضور در میز مذاکره هستند.",
    "بسیاری از مهاجرین از ایران و پاکستان به کشور بازگشته‌اند.",
    "سازمان ملل متحد کمک‌های بشردوستانه را افزایش داد.",
    "د افغانستان د سولې خبرې اترې په دوحه کې پیل شوې.",
    "زلمي خلیلزاد د امریکا ځانګړی استازی و.",
    "د ننګرهار په ولایت کې قومي مشرانو جرګه جوړه کړه.",
    "د کونړ سیند اوبه د دواړو هیوادونو لپاره مهمې دي.",
    "ښځې غواړي چې په سوله کې ونډه ولري.",
    "بدأت مفاوضات السلام الأفغانية في الدوحة في سبتمبر.",
    "وقّعت الولايات المتحدة وحركة طالبان اتفاقاً في الدوحة عام ألفين وعشرين.",
    "قال المبعوث الأمريكي زلماي خليل زاد إن الحوار هو الطريق الوحيد.",
    "رحّبت قطر بالوفود في فندق شيراتون الدوحة.",
    "تناولت الجلسة عودة اللاجئين من باكستان وإيران.",
    "دعت الأمم المتحدة إلى وقف إطلاق النار قبل عيد الفطر.",
    "شورای ولایتی قندهار دربارهٔ امنیت راه‌ها بحث کرد.",
    "نمایندهٔ ویژهٔ سازمان ملل در کابل با بزرگان قومی دیدار کرد.",
    "آتش‌بس سه‌روزه در عید قربان رعایت شد.",
    "وزارت امور خارجهٔ قطر میزبان نشست بود.",
    "د پاکستان او افغانستان ترمنځ د تورخم لاره بیا پرانیستل شوه.",
    "امرالله صالح با این توافق مخالفت کرد.",
    "احمد مسعود از پنجشیر خواستار گفتگو شد.",
    "گلبدین حکمتیار در سال ۲۰۱۶ با دولت صلح کرد.",
    "سراج‌الدین حقانی در فهرست تحریم‌ها باقی ماند.",
    "عبدالرشید دوستم به شمال کشور بازگشت.",
    "شبکهٔ حقانی در جنوب شرق فعال است.",
    "در شهر جلال‌آباد بازار میوه پررونق است.",
    "د وزیرستان قبایل په سرحد کې ژوند کوي.",
    "باران‌های بهاری سطح آب دریای کابل را بالا برد.",
    "ناصر خسرو شاعر و فیلسوف بلخی بود.",
    "مسجد سلطانی در مرکز شهر قرار دارد.",
    "سالنامهٔ احصائیه نشان می‌دهد که جمعیت شهری بیشتر شده است.",
]

PUBLIC_FIGURES = [
    "Hamid Karzai argued in 2019 that the talks had to be Afghan-owned.",
    "Former President Hamid Karzai met the delegation in Kabul.",
    "Zalmay Khalilzad, the US special representative, shuttled between Doha and Kabul.",
    "Ambassador Khalilzad briefed the Security Council.",
    "Ashraf Ghani offered talks without preconditions in February 2018.",
    "President Ghani's government released 5,000 prisoners.",
    "Mullah Abdul Ghani Baradar signed the Doha agreement.",
    "Abdullah Abdullah led the High Council for National Reconciliation.",
    "Amrullah Saleh rejected the deal.",
    "Ahmad Massoud called for a decentralised state.",
    "Ahmad Shah Massoud was killed two days before 11 September 2001.",
    "Gulbuddin Hekmatyar returned to Kabul in 2017.",
    "Sirajuddin Haqqani remains under UN sanctions.",
    "Deborah Lyons, who led UNAMA, warned of a humanitarian collapse.",
    "Imran Khan said Pakistan would support an Afghan-led process.",
    "Sheikh Tamim bin Hamad Al Thani hosted the signing ceremony.",
    "The Emir, Sheikh Tamim bin Hamad, received the delegations.",
    "Nasser Judeh, a former Jordanian foreign minister, wrote about the talks.",
    "Mahbouba Seraj, an Afghan women's rights activist, spoke to the press.",
    "Fawzia Koofi was one of four women on the republic's team.",
    "Habiba Sarabi served as governor of Bamyan.",
    "Mohammad Naeem, the Taliban's spokesperson in Doha, issued a statement.",
    "Zabihullah Mujahid denied the report.",
    "Anas Haqqani was released in a prisoner exchange.",
    "Sher Mohammad Abbas Stanikzai led the Taliban's negotiators for a time.",
    "Gul Agha Sherzai was governor of Nangarhar.",
    "Rahmatullah Nabil, a former intelligence chief, commented on the deal.",
    "Nasser Kanani, a Lebanese diplomat of the 1990s, is unrelated to the talks.",
    "The Karzai administration had opened the first contacts in 2010.",
    "Khalilzad's deputy, Molly Phee, travelled to Islamabad.",
]

PLACES_AND_WORDS = [
    "The Mohmand district borders the Kunar river valley.",
    "Tribes such as the Barakzai, Popalzai and Noorzai live around Kandahar.",
    "The Shinwari elders of Achin met the governor.",
    "North Waziristan and South Waziristan have seen repeated military operations.",
    "The vizier, or wazir, was the king's chief minister in the old court.",
    "A Tehrani merchant and a Heratine trader would once meet at Islam Qala.",
    "Sultani coins from the Ghaznavid period are in the Kabul museum.",
    "The road through Kohistan was closed by snow.",
    "Noorzai and Alizai farmers share the canal water.",
    "The Hajri market in Doha sells dates from Al-Ahsa.",
    "The Kohistani dialects are spoken in the valleys north of Swat.",
    "A jirga of Mohmand and Shinwari elders settled the land dispute.",
    "Karimzada is a common surname in Kabul, like Ahmadzai or Popal.",
    "The Al Suwaidi district of Riyadh is a residential area.",
    "Dilshod is a common name in Tashkent.",
]

TRANSLIT_COMPAT_CLEAN = [
    "Zalmai Khalil-zad and Ashraf Ghani Ahmadzai met twice in 2019.",
    "Ḥāmid Karzay is how some academic texts transliterate the former president's name.",
    "Mulla Baradar Akhund led the political office in Doha.",
    "Hekmatyār's party, Ḥizb-i Islāmī, signed a deal in 2016.",
    "The Ｕ.Ｎ. Security Council met on Ａｆｇｈａｎｉｓｔａｎ.",
    "Talks resumed in Doha on 12 Sep­tember after the ceasefire.",
    "The ﬁrst round ﬁnished early; the ﬂoor was then opened.",
    "UNAMA and the\nUN Security Council\nreviewed the sanctions list.",
    "The Doha agree-\nment of February 2020 set a withdrawal timetable.",
    "The Istanbul process (Heart of Asia) met in Tashkent.",
    "Water from the Helmand reaches Sīstān in a good year.",
    "Mazār-i Sharīf and Kunduz are on the northern ring road.",
    "The UN, UNAMA, NATO, the EU and the OIC all sent observers.",
    "OIC and GCC ministers issued a joint statement.",
    "UNHCR and IOM reported 1.2 million returns; WFP asked for more funding.",
    "The ICRC visited prisoners in Pul-e-Charkhi.",
    "The ECO and the SCO discussed transit corridors; CASA-1000 and TAPI were mentioned.",
    "The ANDSF and the NDS were dissolved in 2021.",
    "The IMF and the World Bank froze disbursements; ARTF funds were reprogrammed.",
    "NGOs working with UNICEF kept schools open in Bamyan.",
    "The AIHRC documented civilian casualties.",
    "ACBAR members asked OCHA for access.",
    "UNSC resolution 2513 endorsed the US-Taliban agreement.",
    "HCNR staff were paid until August.",
    "The UN Special Rapporteur and UNAMA's human rights unit published a report.",
    "Ｄｏｈａ talks were described as “historic”.",
    "The 2020 Doha Agreement — signed on 29 Feb­ruary — had four parts.",
    "Kabul\u00a0University and Herat\u00a0University reopened.",
    "Pul‑e‑Khumri lies on the road to Mazar.",
    "Khalilzād met Mullā Baradar in Doḥa.",
]

# ------------------------------------------------------------------------------------------
# Leaks in the classes the held-out corpus found weak.

NOTES = (
    "{N}: the ceasefire must come first.",
    "({N}) The sequencing question is still open.",
    "{U} said the prisoner lists were incomplete.",
    "Chair: {N}. Rapporteur: none.",
    "Interventions: {N}, then the floor.",
    "{N} -- agreed with the sequencing.",
    "- {N}: asked about the returnees",
    "{N} (second round) disagreed with the draft.",
)
SENT = (
    "{N} argued that the ceasefire must precede the talks.",
    "According to {N}, the returnees need land.",
    "The proposal by {N} on the Kunar water was welcomed.",
    "{N} warned that the aid freeze would hit the provinces.",
    "It was {N} who raised the prisoner lists.",
)
ARABIC_LEAKS = {
    "othman": [
        "قال الدكتور حمد عثمان إن المسودة تحتاج إلى مراجعة.",
        "وأضاف عثمان أن الوزارة محايدة.",
    ],
    "karimzada": [
        "ناصر کریم‌زاده گفت که نظرسنجی کامل است.",
        "به گفتهٔ کریمزاده، بازگشت‌کنندگان زمین ندارند.",
    ],
    "taheri": [
        "محبوبه طاهری دربارهٔ مهاجرین صحبت کرد.",
        "خانم طاهری گفت که زنان باید حضور داشته باشند.",
    ],
    "wazir": [
        "احمد نعیم وزیر وویل چې جرګه به ګډون ونکړي.",
        "ښاغلي وزیر وویل چې لاره باید پرانیستل شي.",
    ],
    "jafari": [
        "دکتر رضا جعفری مقدم دربارهٔ آب هیرمند سخن گفت.",
        "جعفری‌مقدم گفت که سطح آب پایین آمده است.",
    ],
    "karzai": [
        "لیلا کرزی گفت که مهاجرین به کمک نیاز دارند.",
        "خانم کرزی دربارهٔ بازگشت‌کنندگان گزارش داد.",
    ],
    "sultani": ["حامد سلطانی دربارهٔ آب‌های مرزی صحبت کرد.", "به گفتهٔ سلطانی، بند کمال خان مهم است."],
    "noorzai": ["زلمی نورزی عضو شورای ولایتی است و سخن گفت.", "ښاغلي نورزي وویل چې امنیت ښه شوی."],
    "mansoor": [
        "قال الدكتور أشرف منصور إن الحدود مغلقة.",
        "ډاکټر اشرف منصور وویل چې سرحد تړل شوی.",
    ],
    "shinwari": [
        "ګل رحمان شینواري وویل چې جرګه چمتو ده.",
        "شینواري وویل چې ولسي جرګه به رایه ورکړي.",
    ],
    "yusupov": ["دلشاد یوسوپوف گفت که راه‌آهن آماده است.", "قال يوسوبوف إن السكك الحديدية جاهزة."],
    "hajri": ["قال الدكتور فيصل الهاجري إن الوساطة مستمرة.", "وأكد الهاجري أن المركز مستعد."],
    "mohmand": ["عبدالولي مومند وویل چې مشران به راشي.", "ښاغلي مومند وویل چې ځمکه ویشل شوې."],
    "haidari": ["شبنم حیدری گفت که کمک‌ها کافی نیست.", "خانم حیدری دربارهٔ مکاتب صحبت کرد."],
    "solheim": [
        "قالت إنغريد سولهايم إن الوساطة تحتاج إلى وقت.",
        "سولهایم گفت که نروژ حمایت می‌کند.",
    ],
}
POSITION_LEAKS = {
    "othman": [
        "the Legal Adviser to the Minister of State",
        "Qatar's legal adviser to the minister of state",
    ],
    "karimzada": [
        "the ARN's Director of Research",
        "the Director of Research of the Afghanistan Research Network",
    ],
    "taheri": ["the Programme Officer for Returnees", "the KWFP programme officer for returnees"],
    "wazir": ["the Spokesperson of the Khyber Peace Jirga", "the KPJ spokesperson"],
    "jafari": [
        "the Associate Professor of Hydrology at the University of Tehran",
        "an associate professor of hydrology from Tehran University",
    ],
    "karzai": ["the Senior Adviser on Returnees", "the ministry's senior adviser on returnees"],
    "sultani": ["the Adviser on Transboundary Water", "the Afghan adviser on transboundary water"],
    "noorzai": [
        "a Member of the Provincial Council of Kandahar",
        "a Kandahar provincial council member",
    ],
    "mansoor": [
        "the Senior Fellow for Border Studies",
        "the IICS senior fellow for border studies",
    ],
    "shinwari": [
        "the Chief of Staff to the Second Deputy Speaker",
        "the Wolesi Jirga second deputy speaker's chief of staff",
    ],
    "yusupov": [
        "the Deputy Head of the Department for Afghanistan",
        "the Uzbek deputy head of the department for Afghanistan",
    ],
    "kaya": [
        "the Researcher on Migration at the Ankara Policy Centre",
        "the APC's migration researcher",
    ],
    "solheim": ["the Senior Adviser for Mediation", "the Norwegian senior adviser for mediation"],
    "hajri": ["the Director of the Doha Centre for Mediation", "the DCM director"],
    "mohmand": ["the Tribal Liaison Officer", "the Nangarhar elders' tribal liaison officer"],
    "haidari": ["the Country Director for Afghanistan", "the PSA country director"],
}
MISSPELLINGS = {
    "othman": ["Dr. Othmann", "Hamad Osman", "Dr Uthman"],
    "karimzada": ["Karimzadeh", "Karim-zada", "Kareemzada"],
    "taheri": ["Tahiri", "Ms Taheeri", "Mahbooba Taheri"],
    "wazir": ["Mr Wazeer", "Ahmad Naim Wazir", "Naeem Vazir"],
    "jafari": ["Jafari Moghadam", "Jaafari-Moghaddam", "Dr Jafary"],
    "karzai": ["Laila Karzay", "Layla Karzai", "Ms Karzaï"],
    "sultani": ["Sultany", "Soltani", "Hamid Sultaani"],
    "noorzai": ["Nurzai", "Zalmai Noorzay", "Noorzaï"],
    "mansoor": ["Ashraf Mansur", "Dr Mansour", "Ashraf Manzoor"],
    "shinwari": ["Shinwary", "Gul Rahman Shenwari", "Shinwarai"],
    "yusupov": ["Yusupow", "Iusupov", "Dilshod Yussupov"],
    "kaya": ["Kayaoğlu", "Kayaoglou", "Elif Kaiaoglu"],
    "solheim": ["Solhiem", "Ingrid Sollheim", "Solheimm"],
    "hajri": ["Al Hajiri", "Faisal Hajry", "Dr Alhajri"],
    "mohmand": ["Momand", "Abdul Wali Mohmad", "Mohmandd"],
    "haidari": ["Haidary", "Heydari", "Shabnam Haideri"],
}


def _disguises(rng: random.Random, fam: str) -> dict[str, list[str]]:
    """Markdown, bidi, line breaks and compatibility letters of one family name."""
    k = rng.randint(2, len(fam) - 2)
    a, b = fam[:k], fam[k:]
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in fam)
    return {
        "markdown": [f"**{a}**{b}", f"*{fam}*", f"[{fam}](#)", f"`{fam}`", f"{a}_{b}_"],
        "bidi": [
            f"\u202b{fam}\u202c",
            f"\u2067{fam}\u2069",
            f"{a}\u200f{b}",
            f"\u202e{fam[::-1]}\u202c",
        ],
        "linebreak": [f"{a}-\n{b}", f"{a}\n{b}", f"{a}\u00ad{b}", f"{a}=\n{b}"],
        "compatibility": [
            wide,
            fam.replace("i", "\u2170") if "i" in fam else wide,
            f"{a}\ufe63{b}",
        ],
    }


def _acronym_forms(acr: str) -> list[str]:
    return [
        acr,
        ".".join(acr) + ".",
        " ".join(acr),
        acr + "'s",
        acr.lower() if len(acr) > 3 else acr,
    ]


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    rng = random.Random(SEED)
    parts = SplitItems(rng, VALID)
    add = parts.add
    for pid, texts in CONSENT.items():
        for text, allowed, label in texts:
            add(pid, text, label, "consent", allowed_person_ids=allowed)
            if label == "clean":
                add(pid, text, "leak", "consent")
    for text in ARABIC_CLEAN:
        add(None, text, "clean", "arabic_script")
    for text in PUBLIC_FIGURES:
        add(None, text, "clean", "public_figures")
    for text in PLACES_AND_WORDS:
        add(None, text, "clean", "ordinary_words")
    for text in TRANSLIT_COMPAT_CLEAN:
        add(None, text, "clean", "transliteration_compat_acronym")
    for pid, texts in ARABIC_LEAKS.items():
        for text in texts:
            add(pid, text, "leak", "arabic_script")
    for pid, texts in POSITION_LEAKS.items():
        for v in texts:
            t = rng.choice(SENT).format(N=v)
            add(pid, t[0].upper() + t[1:], "leak", "position")
    for pid, texts in MISSPELLINGS.items():
        for v in texts:
            add(pid, rng.choice(SENT).format(N=v), "leak", "misspelling")
    for pid, p in BY_ID.items():
        if pid in {"suwaidi", "barakzai", "kohistani", "tehrani"}:
            continue  # consented people: their leaks are the consent items
        fam = p["family_name"].split()[-1]
        for t in rng.sample(NOTES, 4):
            add(pid, t.format(N=fam, U=fam.upper()), "leak", "note_format")
        for cls, forms in _disguises(rng, fam).items():
            for v in forms:
                extra = {"format": "markdown"} if cls == "markdown" else {}
                add(pid, rng.choice(SENT).format(N=v), "leak", cls, **extra)
        acr = p.get("affiliation_acronym")
        if acr:
            for form in _acronym_forms(acr):
                add(pid, f"Colleagues from the {form} circulated a non-paper.", "leak", "acronym")
    return {"roster": ROSTER, "items": parts.tune}, {"roster": ROSTER, "items": parts.valid}


def main() -> None:
    tune, valid = build()
    write_corpus(HERE / "corpus_guard3_tune.json", tune["roster"], tune["items"])
    write_corpus(HERE / "corpus_guard3_valid.json", valid["roster"], valid["items"])


if __name__ == "__main__":
    main()
