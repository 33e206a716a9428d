"""Write a deterministic synthetic Persian news corpus for benchmarks.

    python benchmarks/gen_corpus.py N CONTENT_DIR [--seed S] [--hugo HUGO_CONTENT_DIR]

CONTENT_DIR receives ``<topic-folder>/<id>.md`` files in digest's input format (Jalali date,
Tehran local time). With ``--hugo`` the same articles are also written in Hugo's form (Gregorian
date with offset, taxonomies for topic, day, month and year, and the Jalali URL), so both tools
build the same site from the same text. Same N and seed give byte-identical files.

All sentences come from the small word lists and templates below; nothing is taken from real news.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime

ZWNJ = "\u200c"
TEHRAN = ZoneInfo("Asia/Tehran")
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# The corpus starts mid-year so that 10,000 articles cross into the next Jalali year.
START = (1403, 7, 1)
TARGET_BYTES = (2400, 3700)     # body size range; with front matter a file averages about 4 KB


# Word lists write ZWNJ as "+" so that it stays visible in review; z() turns it into U+200C.
def z(text: str) -> str:
    """Replace the visible ``+`` marks of the word lists with ZWNJ."""
    return text.replace("+", ZWNJ)


def zs(*words: str) -> tuple[str, ...]:
    """Return the words with their ZWNJ marks resolved."""
    return tuple(z(w) for w in words)


@dataclass(frozen=True)
class Topic:
    """One topic: folder name, Persian name, share of articles and its own vocabulary."""

    folder: str
    name: str
    weight: int
    things: tuple[str, ...]
    actors: tuple[str, ...]
    tags: tuple[str, ...]


TOPICS = (
    Topic("economy", "اقتصاد", 22,
          zs("نرخ تورم", "قیمت ارز", "شاخص بورس", "صادرات غیرنفتی", "بودجه+ی سال آینده",
             "تولید خودرو", "نرخ سود بانکی", "بازار مسکن", "قیمت طلا", "واردات کالاهای اساسی"),
          zs("وزیر اقتصاد", "رئیس+کل بانک مرکزی", "مدیرعامل بورس تهران", "رئیس اتاق بازرگانی",
             "سخنگوی گمرک"),
          zs("بورس", "نفت", "تورم", "ارز", "مسکن", "بانک", "بودجه", "صادرات")),
    Topic("politics", "سیاست", 18,
          zs("لایحه+ی انتخابات", "طرح شفافیت آرا", "نشست هیئت دولت", "گزارش کمیسیون امنیت ملی",
             "برنامه+ی هفتم توسعه", "سفر هیئت دیپلماتیک", "استیضاح وزیر", "رأی اعتماد مجلس"),
          zs("سخنگوی دولت", "رئیس مجلس", "نماینده+ی تهران", "معاون اول رئیس+جمهور",
             "عضو کمیسیون اصل نود"),
          zs("مجلس", "دولت", "انتخابات", "دیپلماسی", "قانون", "رئیس+جمهور")),
    Topic("world", z("بین+الملل"), 14,
          zs("مذاکرات هسته+ای", "نشست شورای امنیت", "قیمت جهانی نفت", "انتخابات اروپا",
             "اجلاس سران گروه بیست", "آتش+بس در منطقه", "تحریم+های تازه"),
          zs("دبیرکل سازمان ملل", "وزیر خارجه", "سفیر پیشین", "تحلیلگر روابط بین+الملل",
             "سخنگوی وزارت خارجه"),
          zs("سازمان ملل", "اروپا", "آسیا", "تحریم", "مذاکره", "نفت")),
    Topic("sports", "ورزش", 14,
          zs("تیم ملی فوتبال", "لیگ برتر", "مسابقات کشتی آزاد", "تیم ملی والیبال",
             "فدراسیون شنا", "بازی+های آسیایی", "نقل+وانتقالات تابستانی", "ورزشگاه آزادی"),
          zs("سرمربی تیم ملی", "رئیس فدراسیون فوتبال", "کاپیتان تیم", "وزیر ورزش",
             "مدیرعامل باشگاه"),
          zs("فوتبال", "کشتی", "والیبال", "المپیک", "لیگ برتر", "جام جهانی")),
    Topic("culture", "فرهنگ و هنر", 10,
          zs("جشنواره+ی فیلم فجر", "نمایشگاه کتاب", "کنسرت ارکستر ملی", "موزه+ی ملی",
             "تئاتر شهر", "فروش فیلم+های نوروزی", "شب شعر", "ترجمه+ی رمان+های تازه"),
          zs("دبیر جشنواره", "مدیر موزه", "کارگردان پیشکسوت", "ناشر کتاب کودک",
             "رئیس خانه+ی سینما"),
          zs("سینما", "کتاب", "موسیقی", "تئاتر", "میراث فرهنگی", "شعر")),
    Topic("science", "علم و فناوری", 8,
          zs("ماهواره+ی پژوهشی", "شبکه+ی ملی اطلاعات", "پارک فناوری", "شرکت+های دانش+بنیان",
             "هوش مصنوعی", "اینترنت همراه", "نسل پنجم شبکه", "انرژی خورشیدی"),
          zs("وزیر ارتباطات", "رئیس سازمان فضایی", "پژوهشگر دانشگاه شریف", "مدیر پارک علم و فناوری",
             "معاون علمی رئیس+جمهور"),
          zs("فناوری", "اینترنت", "هوش مصنوعی", "فضا", "استارتاپ", "دانشگاه")),
    Topic("health", "سلامت", 7,
          zs("واکسن آنفلوآنزا", "بیمه+ی سلامت", "بیمارستان+های دولتی", "داروهای وارداتی",
             "طرح پزشک خانواده", "فهرست داروهای کمیاب", "اورژانس کشور"),
          zs("وزیر بهداشت", "سخنگوی سازمان غذا و دارو", "رئیس نظام پزشکی", "متخصص عفونی",
             "مدیر اورژانس تهران"),
          zs("بهداشت", "دارو", "بیمه", "بیمارستان", "واکسن", "پزشکی")),
    Topic("society", "جامعه", 7,
          zs("آلودگی هوای تهران", "طرح ترافیک", "کنکور سراسری", "حمل+ونقل عمومی",
             "کم+آبی تابستان", "بازگشایی مدارس", "متروی تهران", "سیل در استان+های شمالی"),
          zs("شهردار تهران", "وزیر آموزش+وپرورش", "رئیس پلیس راهور", "مدیر شرکت آب و فاضلاب",
             "استاندار مازندران"),
          zs("تهران", "آموزش", "ترافیک", "آب", "محیط زیست", "شهر")),
)

PREDICATES = zs(
    "افزایش یافته است", "کاهش می+یابد", "ثابت مانده است", "در حال بررسی است",
    "به+زودی اجرا می+شود", "با تأخیر روبه+رو شده است", "دوباره بررسی خواهد شد",
    "از هفته+ی آینده تغییر می+کند", "نیازمند تصمیم تازه است", "به مرحله+ی پایانی رسیده است",
    "بیش از پیش اهمیت یافته است", "هنوز روشن نیست",
)
TITLE_PREDICATES = zs(
    "افزایش یافت", "کاهش یافت", "به مرحله+ی تازه رسید", "در دستور کار قرار گرفت",
    "متوقف شد", "رکورد زد", "زیر ذره+بین رفت", "تمدید شد", "به تعویق افتاد",
)
SAID = zs("گفت", "اعلام کرد", "تأکید کرد", "خبر داد", "توضیح داد", "یادآور شد", "افزود")
WEEKDAYS = zs("شنبه", "یک+شنبه", "دوشنبه", "سه+شنبه", "چهارشنبه", "پنج+شنبه", "جمعه")
CITIES = zs("تهران", "اصفهان", "مشهد", "تبریز", "شیراز", "رشت", "کرمان", "اهواز", "یزد", "همدان")
GROUPS = zs("خانوارهای شهری", "کارشناسان", "فعالان بازار", "دانشجویان", "تولیدکنندگان",
            "رانندگان تاکسی", "بازنشستگان", "کشاورزان", "مسافران", "شرکت+های کوچک")
OUTLETS = zs("خبرگزاری پارسه", "روزنامه+ی سپیده", "پایگاه خبری نگاه نو", "رادیو گفت+وگو",
             "خبرگزاری البرز", "هفته+نامه+ی چشم+انداز")
PLANS = zs("طرحی تازه", "بسته+ی حمایتی", "سامانه+ای برخط", "برنامه+ای سه+ساله",
           "دستورالعملی جدید", "آیین+نامه+ی اجرایی")
MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
          "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
LATIN = ("OPEC", "Reuters", "Bloomberg", "FIFA", "UNESCO", "IMF", "World Bank", "Nasdaq",
         "Python", "OpenStreetMap", "GitHub", "Linux", "BBC", "Financial Times")
LINK_TEXTS = zs("گزارش کامل", "متن بیانیه", "جدول آماری", "گفت+وگوی کامل", "نقشه+ی تعاملی",
                "پرونده+ی ویژه")
DOMAINS = ("example.com", "example.org", "example.net", "news.example.com", "data.example.org")

# Sentence templates; {n} is a Persian-digit number filled per sentence.
TEMPLATES = tuple(z(t) for t in (
    "{actor} روز {weekday} {said} که {thing} {pred}.",
    "به گفته+ی {actor}، {thing} {pred} و {group} باید منتظر تصمیم نهایی بمانند.",
    "{actor} در گفت+وگو با {outlet} {said}: «{thing} {pred}.»",
    "بر اساس گزارش {outlet}، {n} درصد از {group} در {city} از وضعیت {thing} راضی نیستند.",
    "{actor} همچنین از {plan} برای {thing} خبر داد و گفت این کار تا پایان {month} انجام می+شود.",
    "پیش از این، {actor} گفته بود {thing} {pred}.",
    "کارشناسان معتقدند {thing} {pred} و اثر آن در ماه+های آینده دیده می+شود.",
    "در همین حال، {group} در {city} خواستار شفافیت بیشتر درباره+ی {thing} شدند.",
    "آمارهای تازه نشان می+دهد {thing} در {month} امسال نسبت به سال گذشته {n} درصد تغییر کرده است.",
    "نشست بررسی {thing} با حضور {actor} در {city} برگزار شد.",
    "{outlet} نوشت که {thing} {pred} و هنوز جزئیات آن منتشر نشده است.",
    "این موضوع پیش+تر هم در گزارش+های {latin} مطرح شده بود.",
    "به نوشته+ی {outlet}، نزدیک به {n} هزار نفر در {city} از {plan} استفاده کرده+اند.",
    "{actor} افزود که همکاری با نهادهایی مانند {latin} ادامه پیدا می+کند.",
))


def persian_number(rng: random.Random, low: int, high: int) -> str:
    """Return a random integer written in Persian digits."""
    return str(rng.randint(low, high)).translate(PERSIAN_DIGITS)


def sentence(rng: random.Random, topic: Topic) -> str:
    """Fill one random template with the topic's words."""
    return rng.choice(TEMPLATES).format(
        actor=rng.choice(topic.actors), thing=rng.choice(topic.things), pred=rng.choice(PREDICATES),
        said=rng.choice(SAID), weekday=rng.choice(WEEKDAYS), group=rng.choice(GROUPS),
        outlet=rng.choice(OUTLETS), city=rng.choice(CITIES), plan=rng.choice(PLANS),
        month=rng.choice(MONTHS), latin=rng.choice(LATIN), n=persian_number(rng, 2, 90))


def sentence_pools(rng: random.Random, size: int) -> dict[str, list[tuple[str, int]]]:
    """Pre-build each topic's sentences with their UTF-8 sizes, so articles only pick and join."""
    pools = {}
    for topic in TOPICS:
        texts = [sentence(rng, topic) for _ in range(size)]
        pools[topic.folder] = [(t, len(t.encode("utf-8"))) for t in texts]
    return pools


def emphasize(rng: random.Random, text: str) -> str:
    """Wrap one word run of the sentence in bold or italics."""
    words = text.split(" ")
    if len(words) < 6:
        return text
    start = rng.randrange(0, len(words) - 3)
    stop = start + rng.randint(2, 3)
    mark = "**" if rng.random() < 0.75 else "*"
    words[start] = mark + words[start]
    words[stop - 1] = words[stop - 1] + mark
    return " ".join(words)


def link(rng: random.Random, article_no: int) -> str:
    """Return a Markdown link sentence pointing at an example domain."""
    url = f"https://{rng.choice(DOMAINS)}/{rng.choice(('report', 'doc', 'news', 'data'))}/{article_no}"
    text = rng.choice(LINK_TEXTS)
    return z(f"[{text}]({url}) این خبر را در پایگاه {rng.choice(LATIN)} ببینید.")


def body(rng: random.Random, topic: Topic, pool: list[tuple[str, int]], article_no: int) -> str:
    """Compose a Markdown body of paragraphs, with emphasis, a link and sometimes a list."""
    target = rng.randint(*TARGET_BYTES)
    parts: list[str] = []
    size = 0
    linked = False
    while size < target:
        picked = rng.choices(pool, k=rng.randint(3, 6))
        sentences = [text for text, _ in picked]
        size += sum(n for _, n in picked) + len(picked)
        if rng.random() < 0.5:
            i = rng.randrange(len(sentences))
            sentences[i] = emphasize(rng, sentences[i])
        if not linked and rng.random() < 0.4:
            sentences.append(link(rng, article_no))
            linked = True
        parts.append(" ".join(sentences))
        roll = rng.random()
        if roll < 0.08:
            items = [f"- {rng.choice(topic.things)} {rng.choice(PREDICATES)}" for _ in range(rng.randint(3, 5))]
            parts.append("\n".join(items))
        elif roll < 0.12:
            parts.append(z(f"## {rng.choice(topic.things)} در یک نگاه"))
    if not linked:
        parts.append(link(rng, article_no))
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class Article:
    """One generated article: where it belongs in time and topic, and its text."""

    id: str
    topic: Topic
    jdate: tuple[int, int, int]
    minute: int                 # minutes after midnight, Tehran local time
    title: str
    summary: str
    source: str
    tags: tuple[str, ...]
    body: str


def days(start: tuple[int, int, int]):
    """Yield consecutive Jalali days from ``start`` as jdatetime dates."""
    day = jdatetime.date(*start)
    while True:
        yield day
        day += dt.timedelta(days=1)


def articles(count: int, seed: int):
    """Yield ``count`` articles in date order; a day carries 30-60 of them, Fridays fewer."""
    rng = random.Random(seed)
    pools = sentence_pools(rng, 3000)
    weights = [t.weight for t in TOPICS]
    made = 0
    for day in days(START):
        # jdatetime's weekday() counts from Saturday, so 6 is Friday.
        per_day = rng.randint(18, 30) if day.weekday() == 6 else rng.randint(30, 60)
        minutes = sorted(rng.randrange(6 * 60, 24 * 60) for _ in range(per_day))
        for minute in minutes:
            if made == count:
                return
            made += 1
            topic = rng.choices(TOPICS, weights)[0]
            thing = rng.choice(topic.things)
            title = z(f"«{thing}» {rng.choice(TITLE_PREDICATES)}")
            if rng.random() < 0.3:
                title = f"{rng.choice(topic.actors)}: {title}"
            yield Article(
                id=f"a{made:06d}", topic=topic, jdate=(day.year, day.month, day.day), minute=minute,
                title=title, summary=sentence(rng, topic), source=rng.choice(OUTLETS),
                tags=tuple(rng.sample(topic.tags, rng.randint(1, 3))),
                body=body(rng, topic, pools[topic.folder], made))


def digest_text(a: Article) -> str:
    """Render an article in digest's input format."""
    y, m, d = a.jdate
    return (
        "---\n"
        f'title: "{a.title}"\n'
        f"date: {y:04d}-{m:02d}-{d:02d}T{a.minute // 60:02d}:{a.minute % 60:02d}\n"
        f"topic: {a.topic.name}\n"
        f"id: {a.id}\n"
        f"source: {a.source}\n"
        f'summary: "{a.summary}"\n'
        f"tags: [{', '.join(a.tags)}]\n"
        "---\n"
        f"{a.body}"
    )


def gregorian_stamp(a: Article) -> str:
    """Return the article's time as an ISO Gregorian timestamp with Tehran's offset."""
    day = jdatetime.date(*a.jdate).togregorian()
    local = dt.datetime(day.year, day.month, day.day, a.minute // 60, a.minute % 60, tzinfo=TEHRAN)
    return local.isoformat()


def hugo_text(a: Article) -> str:
    """Render an article as Hugo content with the same body and digest's URL."""
    y, m, d = a.jdate
    return (
        "---\n"
        f'title: "{a.title}"\n'
        f"date: {gregorian_stamp(a)}\n"
        f"url: /{y:04d}/{m:02d}/{d:02d}/{a.id}/\n"
        f"topic: {a.topic.name}\n"
        f"source: {a.source}\n"
        f'summary: "{a.summary}"\n'
        f"labels: [{', '.join(a.tags)}]\n"
        f"topics: [{a.topic.folder}]\n"
        f'days: ["{y:04d}-{m:02d}-{d:02d}"]\n'
        f'months: ["{y:04d}-{m:02d}"]\n'
        f'years: ["{y:04d}"]\n'
        "---\n"
        f"{a.body}"
    )


def hugo_terms(out: Path, seen_days: list[tuple[int, int, int]]) -> None:
    """Write term pages that give Hugo's topic, day, month and year lists digest's titles and URLs."""
    for topic in TOPICS:
        # Each topic has a feed, as in digest (see hugo.toml).
        write(out / "topics" / topic.folder / "_index.md",
              f'---\ntitle: "{topic.name}"\noutputs: [html, rss]\n---\n')
    write(out / "topics" / "_index.md", z('---\ntitle: "موضوع+ها"\nurl: /topics/\n---\n'))
    months: list[tuple[int, int]] = []
    for y, m, d in seen_days:
        write(out / "days" / f"{y:04d}-{m:02d}-{d:02d}" / "_index.md",
              f"---\ntitle: \"{d} {MONTHS[m - 1]} {y}\"\nurl: /{y:04d}/{m:02d}/{d:02d}/\n---\n")
        if (y, m) not in months:
            months.append((y, m))
    for y, m in months:
        write(out / "months" / f"{y:04d}-{m:02d}" / "_index.md",
              f"---\ntitle: \"{MONTHS[m - 1]} {y}\"\nurl: /{y:04d}/{m:02d}/\n---\n")
    for y in sorted({y for y, _ in months}):
        write(out / "years" / f"{y:04d}" / "_index.md", f'---\ntitle: "{y}"\nurl: /{y:04d}/\n---\n')
    # digest has no page listing every day, month or year; keep Hugo from rendering one.
    for name in ("days", "months", "years"):
        write(out / name / "_index.md", "---\nbuild:\n  render: never\n---\n")


def write(path: Path, text: str) -> None:
    """Write UTF-8 text, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def generate(count: int, out: Path, seed: int = 1, hugo_out: Path | None = None) -> int:
    """Write the corpus (and its Hugo twin); return the number of articles written."""
    for folder in [out] + ([hugo_out] if hugo_out else []):
        if folder.exists() and any(folder.iterdir()):
            raise SystemExit(f"{folder}: not empty; choose a new folder so no stale article survives")
    for topic in TOPICS:
        (out / topic.folder).mkdir(parents=True, exist_ok=True)
        if hugo_out:
            (hugo_out / topic.folder).mkdir(parents=True, exist_ok=True)
    seen_days: list[tuple[int, int, int]] = []
    written = 0
    for a in articles(count, seed):
        (out / a.topic.folder / f"{a.id}.md").write_bytes(digest_text(a).encode("utf-8"))
        if hugo_out:
            (hugo_out / a.topic.folder / f"{a.id}.md").write_bytes(hugo_text(a).encode("utf-8"))
        if not seen_days or seen_days[-1] != a.jdate:
            seen_days.append(a.jdate)
        written += 1
    if hugo_out:
        hugo_terms(hugo_out, seen_days)
    return written


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the corpus."""
    parser = argparse.ArgumentParser(description="Write a synthetic Persian news corpus.")
    parser.add_argument("count", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="content folder to create (must be empty or absent)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--hugo", type=Path, metavar="HUGO_CONTENT_DIR",
                        help="also write the same articles as Hugo content here")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    written = generate(args.count, args.out, args.seed, args.hugo)
    print(f"wrote {written} articles to {args.out}" + (f" and {args.hugo}" if args.hugo else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
