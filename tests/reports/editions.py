"""The demo's third session as report facts, and its translations into Dari (complete: every
public text of the reference session) and into Pashto and Arabic (the series and session
texts, the agenda and three of the points), written for these tests by the reports engineer.

The editions data model (stored, reviewed translations) comes later; it will produce the
same :class:`EditionTexts` that these fixtures hand to the builder directly.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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


DARI = EditionTexts(
    series_title="حمایت منطقه‌ای و بین‌المللی از صلح افغانستان",
    organiser="انجمن قلب آسیا",
    partners=(
        "مرکز مطالعات منازعات و امور بشردوستانه در دوحه",
        "مرکز همکاری‌های بین‌المللی در دانشگاه نیویورک",
    ),
    strapline="صلح‌سازی و پیوندهای منطقه‌ای از راه پژوهش و گفت‌وگو",
    title_prefix="سلسله گفت‌وگوهای مسیر دوم HAS",
    dateline="کابل",
    closing="HAS و همکارانش در نظر دارند این سلسله گفت‌وگوهای مسیر دوم را ادامه دهند تا به "
    "تسهیل گفت‌وگو کمک کنند و راهبردها و مواضع طرف‌های منازعه و نیز نقش بازیگران "
    "منطقه‌ای و بین‌المللی را روشن‌تر سازند.",
    sessions={
        SESSION_ID: (
            "در حالی که دوحه برای میزبانی مذاکرات بین‌الافغانی (IAN) آماده می‌شود، چه "
            "چالش‌هایی در پیش است؟",
            "در چند هفتهٔ گذشته، افغانستان شاهد از سرگیری خشونت بوده است؛ خشونتی که به آرامش "
            "نسبی پس از آتش‌بس عید فطر پایان داد. این وضعیت پیشرفت‌های اخیر در مسیر مذاکرات "
            "بین‌الافغانی (IAN) را تهدید می‌کند. احتمال افزایش خشونت در این مرحله از روند صلح، "
            "که بیشتر غیرنظامیان را هدف می‌گیرد و به قصد برهم‌زدن این روند یا اثرگذاری بر "
            "نتیجهٔ آن صورت می‌گیرد، تلاش‌ها برای جلب حمایت از صلح در افغانستان را مهم‌تر و "
            "فوری‌تر می‌سازد.",
        ),
        EARLIER_IDS[0]: (
            "توافق آمریکا و طالبان و انتظارات منطقه",
            "نخستین نشست به معنای توافق امضاشده در دوحه برای منطقه پرداخت.",
        ),
        EARLIER_IDS[1]: (
            "پس از آتش‌بس عید فطر: چشم‌انداز مذاکرات بین‌الافغانی",
            "دومین نشست به آتش‌بس ماه می ۲۰۲۰ پرداخت.",
        ),
    },
    parts={
        PART_IDS[0]: PartText("سخنرانی افتتاحیه"),
        PART_IDS[1]: PartText("ارائه", "دیدگاه‌هایی از اروپا"),
        PART_IDS[2]: PartText("ارائه", "دیدگاه‌هایی از ایران"),
        PART_IDS[3]: PartText("پرسش و پاسخ"),
        PART_IDS[4]: PartText("بحث عمومی"),
    },
    guests={
        GUEST: GuestText(
            "جلالتمآب داکتر مطلق بن ماجد القحطانی",
            "فرستادهٔ ویژهٔ قطر در امور مبارزه با تروریزم و میانجی‌گری در حل منازعات",
        )
    },
    themes={
        "trust-and-confidence-building": "اعتمادسازی",
        "reduction-of-violence-and-ceasefire": "کاهش خشونت و آتش‌بس",
        "prisoners-and-reintegration": "زندانیان و ادغام دوباره",
        "mediation-and-facilitation": "میانجی‌گری و تسهیل",
        "foreign-forces-and-timelines": "نیروهای خارجی و جدول زمانی",
        "governance-and-continuity-of-the-state": "حکومتداری و تداوم دولت",
        "rights-women-and-civil-society": "حقوق، زنان و جامعهٔ مدنی",
        "aid-and-leverage": "کمک‌ها و اهرم فشار",
        "regional-consensus": "اجماع منطقه‌ای",
        "economy-and-connectivity": "اقتصاد و پیوندهای منطقه‌ای",
    },
    points=dict(
        zip(
            POINT_IDS,
            (
                "رسیدن به توافق صلح برای منازعهٔ افغانستان روندی طولانی و پیچیده بوده که هفت "
                "سال به درازا کشیده و تنها در دو سال اخیر، پس از آنکه بازیگران اصلی به‌تدریج "
                "دریافتند که راه‌حل نظامی وجود ندارد، پیشرفت کرده است.",
                "سرعت این روند کندتر از انتظاراتی بوده که پیشرفت چشمگیر اخیر در رهایی متقابل "
                "زندانیان برانگیخته بود. اعمال خشونت‌آمیز بسیار زننده در هفته‌های گذشته می‌تواند "
                "کار اخلالگران باشد. با این حال، طرف‌های اصلی همچنان بر ضرورت راه‌حل سیاسی "
                "اجماع دارند. صلح اکنون بیش از هر زمان دیگری نزدیک است، هرچند این امر هنوز به "
                "امنیت ملموس یا بهبود زندگی افغان‌ها نینجامیده است.",
                "به نظر می‌رسد هر دو طرف منازعه به این تفاهم مشترک رسیده‌اند که کاهش خشونت گامی "
                "مهم به سوی IAN است، هرچند این کاهش هنوز به‌گونهٔ چشمگیر رخ نداده است. امکان "
                "ایجاد یک سازوکار ارتباطی سه‌جانبه میان طالبان، ایالات متحده و حکومت افغانستان "
                "برای گزارش فعالیت‌های نظامی در دست بررسی است.",
                "نیاز است ابزارهای نظارتی ایجاد شوند تا تضمین کنند زندانیان آزادشده به جنگ "
                "بازنمی‌گردند، و برنامه‌های بازپروری، ادغام دوباره و سایر کمک‌ها نیز فراهم شوند.",
                "طالبان و حکومت بر این نکته توافق دارند که روند صلح باید به رهبری و مالکیت "
                "افغان‌ها باشد. در این مرحله، به نظر می‌رسد حکومت افغانستان و طالبان آمادهٔ پذیرش "
                "هیچ میانجی‌گری یا تسهیل‌گری طرف سوم نیستند، هرچند این وضعیت با آغاز رسمی IAN "
                "ممکن است تغییر کند. بسیاری از بازیگران نقش طرف سوم را به‌عنوان میانجی یا "
                "تسهیل‌گر مهم و حتی اجتناب‌ناپذیر می‌دانند؛ چنین نقشی به اجماع و اعتماد هر دو طرف "
                "نیاز دارد. بهتر است از رقابت بین‌المللی بر سر این نقش پرهیز شود تا فشار "
                "غیرضروری بر روند وارد نشود و به هیچ‌یک از طرف‌های منازعه دیده‌شدن یا مشروعیت "
                "ناروا داده نشود.",
                "ایالات متحده تاکنون کاتالیزور روند صلح بوده و برآوردها دربارهٔ جدول زمانی IAN "
                "تا حد زیادی به برنامهٔ سیاسی آمریکا وابسته به نظر می‌رسد: جدول زمانی کوتاه "
                "چندماهه بر نیاز به توافق صلح موفق میان دو طرف درگیر استوار است تا خروج "
                "نیروهای آمریکایی ممکن شود. از سوی دیگر، تردیدهای جدی وجود دارد که پیش از "
                "انتخابات ماه نومبر آمریکا یا استقرار ادارهٔ جدید در ماه جنوری پیشرفت بزرگی در "
                "روند صلح رخ دهد. در هر حال، کمک به پیشرفت روند صلح افغانستان در چند ماه آینده "
                "حیاتی دانسته شد تا این روند در برابر تغییراتی که انتخابات آمریکا ممکن است به "
                "همراه آورد، پایدار بماند.",
                "مسائلی مانند احیای امارت، با توجه به تجربه‌های گذشته، از سوی بسیاری از کشورها خط "
                "قرمز به شمار می‌رود. با این حال، بسیاری از شرکت‌کنندگان تأکید کردند که تصمیم "
                "دربارهٔ نام حکومت آیندهٔ افغانستان باید به طرف‌های افغان واگذار شود. در عوض، "
                "پیشنهاد شد که تمرکز بر محتوا، ساختارهای دولتی و فرایندهای سیاسی باشد.",
                "بیشتر شرکت‌کنندگان از حفظ تداوم حکومت حمایت کردند، از جمله برای جلوگیری از "
                "فروپاشی نهادها و حفظ دستاوردهای دموکراتیک مردم افغانستان در ۲۰ سال گذشته. "
                "واقعیت تازه‌ای که نسل جوان افغان و رشد جامعهٔ مدنی، از جمله ایجاد پارلمان و رشد "
                "و گسترش رسانه‌های مستقل افغانستان، پدید آورده‌اند، نادیده‌گرفتنی نیست.",
                "طالبان پذیرفته‌اند که هر حکومت افغانی که به قدرت برسد، برای مدتی طولانی به "
                "کمک‌های خارجی نیاز خواهد داشت و در توافق‌نامهٔ دوحه نیز به روابط نیک آینده با "
                "ایالات متحده اذعان کرده‌اند. با این حال، تردیدهایی وجود دارد که دیدگاه‌های سیاسی "
                "بنیادین آنان تا چه اندازه تغییر کرده و تا چه حد آمادهٔ مصالحه‌اند. ادامهٔ "
                "کمک‌های خارجی به‌عنوان ابزار فشار نقشی مهم خواهد داشت، زیرا به کیفیت وضعیت "
                "نهایی و میزان رعایت حقوق و پاسخ‌گو بودن مصرف کمک‌ها پیوند دارد. از آنجا که "
                "تعهدات اروپایی به افغانستان رو به پایان است، کنفرانس بعدی کمک‌کنندگان که برای "
                "ماه نومبر برنامه‌ریزی شده، باید بودجه را به‌عنوان سرمایه‌گذاری در یک وضعیت "
                "نهایی گردآوری کند؛ شکل این وضعیت نهایی تا حد زیادی مقیاس و مدت این "
                "سرمایه‌گذاری را تعیین خواهد کرد.",
                "لازم است همهٔ کشورها و سازمان‌های منطقه‌ای و بین‌المللی مربوط، با وجود "
                "اختلاف‌هایشان در سایر مسائل دوجانبه، از این روند حمایت کنند. پیشنهاد شد گروهی از "
                "دوستان روند صلح تشکیل شود تا ارتباطات بهبود یابد و حمایت‌ها در سطوح همسایگان، "
                "کشورهای منطقه و بازیگران بین‌المللی هماهنگ شود.",
                "تأکید شد که صلح افغانستان، رشد اقتصادی و پیوندهای منطقه‌ای به‌هم پیوسته‌اند و "
                "یکدیگر را تقویت می‌کنند. شرکت‌کنندگان خاطرنشان کردند که باید برنامهٔ توسعهٔ "
                "اقتصادی افغانستان، هم در چارچوب IAN و هم در چارچوب حمایت منطقه‌ای و بین‌المللی "
                "از صلح افغانستان، در اولویت قرار گیرد. سفر دیپلماتیک کنونی زلمی خلیلزاد، "
                "نمایندهٔ ویژهٔ آمریکا، و رئیس شرکت مالی توسعهٔ بین‌المللی ایالات متحده (DFC) به "
                "کشورهای منطقه می‌تواند همکاری را تقویت کند. موفقیت توافق صلح نه‌تنها به تعهدات "
                "دو طرف درگیر، بلکه به پایبندی کشورهای دیگر به این توافق و بازگشت آنان به رقابت "
                "صرفاً اقتصادی نیز بستگی دارد.",
            ),
            strict=True,
        )
    ),
)

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
