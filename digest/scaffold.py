"""``digest new PATH``: a new site folder that builds at once, with one example article.

Nothing is overwritten: the folder must be new or empty.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from digest import jalali
from digest.errors import OutputError
from digest.lookup import default_templates

CONFIG = '''\
# Settings of this site; every key is optional. See "digest build --help" and the README.
title = "خبرنامه‌ی من"
description = "خبرهای روز، دسته‌بندی‌شده بر پایه‌ی موضوع و تاریخ"

# Where the site will be published. A host is needed for the sitemap, canonical links and
# Open Graph tags; a project site on GitHub Pages looks like "https://USER.github.io/REPO/".
base_url = "/"

timezone = "Asia/Tehran"

[[topics]]
name = "فرهنگ"
slug = "culture"

[feeds]
length = 20          # entries in each Atom feed

# [deploy]           # for "digest deploy"
# remote = "origin"
# branch = "gh-pages"
# cname = "news.example.org"
'''

GITIGNORE = "/site/\n/.digest-cache/\n"

ARTICLE = '''\
---
title: نخستین خبر این سایت
date: {date}
topic: فرهنگ
id: nokhostin-khabar
source: تحریریه
tags: [راهنما, آغاز کار]
---
این نوشته نمونه‌ای است تا ببینید هر خبر چگونه نوشته می‌شود. بالای فایل، میان دو خط سه‌تیره،
عنوان و تاریخ و موضوع خبر آمده است؛ تاریخ را می‌توانید شمسی بنویسید و سایت آن را در روز درست
می‌گذارد.

## گام بعدی

این فایل را ویرایش کنید یا کنارش خبر تازه‌ای بسازید، سپس فرمان `digest build` را اجرا کنید
و پوشه‌ی `site/` را در مرورگر ببینید. برای پیوند به صفحه‌های خود سایت، نشانی را با `/` آغاز
کنید، مانند [فهرست موضوع‌ها](/topics/)؛ پیوندها در هر نشانی‌ای که سایت منتشر شود درست می‌مانند.
'''


def scaffold(path: Path, templates: bool = False, today: dt.date | None = None) -> list[str]:
    """Create a site in ``path`` and return the files made, relative to it."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OutputError(f"{path} already exists and is not empty; digest new never overwrites files",
                          hint="choose a new folder name")
    day = jalali.from_gregorian(today or dt.datetime.now(jalali.TEHRAN).date())
    files = {
        "digest.toml": CONFIG,
        ".gitignore": GITIGNORE,
        "content/farhang/nokhostin-khabar.md": ARTICLE.format(
            date=f"{day.year:04d}-{day.month:02d}-{day.day:02d}T09:00"),
    }
    try:
        for rel, text in files.items():
            target = path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        made = list(files)
        if templates:
            made += copy_templates(path / "templates")
    except OSError as err:
        raise OutputError(f"could not create the site: {err.strerror or err}",
                          path=getattr(err, "filename", None)) from None
    return made


def copy_templates(target: Path) -> list[str]:
    """Copy the default templates (and their static files) for editing; return what was copied."""
    source = default_templates()
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return sorted(f"templates/{p.relative_to(target).as_posix()}" for p in target.rglob("*") if p.is_file())
