"""Accessibility of the default templates, in headless Chromium on the built sample site.

axe-core (from ``node_modules``, installed by ``npm ci``) must report no serious or critical
violation; the checks axe cannot make (contrast of every text element from computed colours,
skip link, heading order, focus ring, Latin runs, the calendar table, reduced motion) are ours.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
MIN_CONTRAST = 4.5
KEY_PAGES = {"index": "", "day": "1403/12/28/", "month": "1403/12/", "topic": "topics/culture/",
             "article": "1403/12/29/open-data-portal/"}
ALL_PAGES = {**KEY_PAGES, "topic-page-2": "topics/culture/page/2/", "year": "1403/",
             "topics": "topics/", "404": "404.html", "article-with-source": "1403/12/28/neshast-zhenev/"}
WIDTHS = {"XS": 375, "LG": 1280}
SCHEMES = ("light", "dark")

# Colour maths in the page: WCAG relative luminance, backgrounds composited up the ancestors.
COLOR_JS = """
const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const over = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); };
const backdrop = el => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  return bg;
};
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const label = el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
  + ' "' + el.textContent.trim().slice(0, 40) + '"';
"""

CONTRAST_JS = "() => {" + COLOR_JS + """
  const found = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility !== 'visible' || !el.getClientRects().length) continue;
    const bg = backdrop(el);
    const fg = over(parse(style.color), bg);
    const r = ratio(fg, bg);
    checked++;
    if (r < """ + str(MIN_CONTRAST) + """) found.push(`${label(el)}: ${r.toFixed(2)}:1 (${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
  }
  return {checked, found};
}"""


def axe_path() -> Path:
    """Return axe.min.js, skipping (or failing under CI) when npm has not installed it."""
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("node_modules/axe-core is missing under CI; .ci/run must run 'npm ci'")
        pytest.skip("axe-core is not installed (run 'npm ci')")
    return AXE


@pytest.fixture
def open_page(browser, sample_url: str):
    """Return a function that opens a sample page at a width and colour scheme; closes them after."""
    pages = []

    def open_(path: str, width: int = 1280, scheme: str = "light", motion: str = "no-preference"):
        page = browser.new_page(viewport={"width": width, "height": 900})
        pages.append(page)
        page.emulate_media(color_scheme=scheme, reduced_motion=motion)
        page.goto(sample_url + path)
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    yield open_
    for page in pages:
        page.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", KEY_PAGES)
def test_axe_finds_no_serious_violation(open_page, kind: str, width: int, scheme: str) -> None:
    """axe-core reports nothing serious or critical on the key pages, at XS and LG, light and dark."""
    page = open_page(KEY_PAGES[kind], width, scheme)
    page.add_script_tag(path=str(axe_path()))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
               f"    {n['target']}: {n['html'][:120]}" for n in v["nodes"][:5])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"/{KEY_PAGES[kind]} at {width}px, {scheme}:\n" + "\n".join(bad)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", ALL_PAGES)
def test_every_visible_text_has_enough_contrast(open_page, kind: str, width: int, scheme: str) -> None:
    """Every visible text element, links and calendar cells included, reaches 4.5:1 in both schemes."""
    page = open_page(ALL_PAGES[kind], width, scheme)
    result = page.evaluate(CONTRAST_JS)
    assert result["checked"] > 10
    assert not result["found"], f"/{ALL_PAGES[kind]} at {width}px, {scheme}:\n" + "\n".join(result["found"])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_print_is_dark_text_on_white_in_either_scheme(open_page, scheme: str) -> None:
    """Printing from a dark-mode screen still gives dark text on white cards and page."""
    page = open_page(KEY_PAGES["day"], 800, scheme)
    page.emulate_media(media="print", color_scheme=scheme)
    result = page.evaluate(CONTRAST_JS)
    assert not result["found"], "\n".join(result["found"])
    backgrounds = page.evaluate("""() => ['body', '.card', '.masthead'].map(
        s => getComputedStyle(document.querySelector(s)).backgroundColor)""")
    assert all(bg in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)") for bg in backgrounds), backgrounds


def test_contrast_check_catches_pale_text(open_page) -> None:
    """The contrast script flags grey-on-white text, so a pass above means something."""
    page = open_page("topics/")
    page.add_style_tag(content=".count { color: #aaa !important; }")
    assert any("span.count" in f for f in page.evaluate(CONTRAST_JS)["found"])


STRUCTURE_JS = """() => {
  const one = s => document.querySelectorAll(s).length;
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
  return {
    lang: document.documentElement.lang, dir: document.documentElement.dir,
    direction: getComputedStyle(document.body).direction,
    banner: one('body > header'), nav: one('header nav'), main: one('main#main'),
    contentinfo: one('body > footer'), h1: one('h1'), levels,
    skipFirst: document.querySelector('a[href="#main"]') === document.querySelector('a[href]'),
  };
}"""


@pytest.mark.parametrize("kind", ALL_PAGES)
def test_landmarks_and_headings(open_page, kind: str) -> None:
    """Header, nav, main and footer landmarks, one h1, no skipped heading level, skip link first."""
    s = open_page(ALL_PAGES[kind]).evaluate(STRUCTURE_JS)
    where = f"/{ALL_PAGES[kind]}"
    assert (s["lang"], s["dir"], s["direction"]) == ("fa", "rtl", "rtl"), where
    assert (s["banner"], s["nav"], s["main"], s["contentinfo"]) == (1, 1, 1, 1), f"{where}: landmarks {s}"
    assert s["h1"] == 1, f"{where}: {s['h1']} h1 elements"
    assert s["levels"][0] == 1, f"{where}: first heading is h{s['levels'][0]}"
    jumps = [(a, b) for a, b in zip(s["levels"], s["levels"][1:]) if b > a + 1]
    assert not jumps, f"{where}: heading levels skip {jumps} in {s['levels']}"
    assert s["skipFirst"], f"{where}: the skip link is not the first link"


def test_skip_link_shows_on_focus_and_moves_focus_to_main(open_page) -> None:
    """The first Tab shows the skip link on screen; Enter moves focus into main."""
    page = open_page("1403/12/28/", 375)
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
        return {skip: e.classList.contains('skip'), top: r.top, bottom: r.bottom}; }""")
    assert focused["skip"] and focused["top"] >= 0 and focused["bottom"] <= 900, focused
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_focused_links_show_a_ring_that_stands_out(open_page, scheme: str) -> None:
    """Keyboard focus on each of the first links draws an outline of 2px+ at 3:1 against the page."""
    page = open_page("1403/12/28/", 1280, scheme)
    for _ in range(6):
        page.keyboard.press("Tab")
        ring = page.evaluate("() => {" + COLOR_JS + """
            const el = document.activeElement, s = getComputedStyle(el);
            const bg = backdrop(el.parentElement);
            return {el: label(el), style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    shadow: s.boxShadow, ratio: ratio(over(parse(s.outlineColor), bg), bg)}; }""")
        visible = (ring["style"] != "none" and ring["width"] >= 2) or ring["shadow"] != "none"
        assert visible and ring["ratio"] >= 3, ring


LATIN_JS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  let runs = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!/[A-Za-z]/.test(n.textContent)) continue;
    const el = n.parentElement;
    runs++;
    const lang = (el.closest('[lang]') || document.documentElement).getAttribute('lang');
    const machine = el.closest('code, pre, kbd, samp');
    if (getComputedStyle(el).direction !== 'ltr' || (!machine && lang.startsWith('fa')))
      found.push(`${el.outerHTML.slice(0, 100)} (lang=${lang})`);
  }
  return {runs, found};
}"""


@pytest.mark.parametrize("path", ["1403/12/29/open-data-portal/", "1403/12/28/neshast-zhenev/",
                                  "topics/politics/", "1403/12/29/"])
def test_latin_runs_are_left_to_right_and_not_persian(open_page, path: str) -> None:
    """Every text run with Latin letters renders left-to-right with a non-Persian lang."""
    result = open_page(path).evaluate(LATIN_JS)
    assert result["runs"] > 0, "the sample page has no Latin text to check"
    assert not result["found"], f"/{path}:\n" + "\n".join(result["found"])


CALENDAR_JS = """() => [...document.querySelectorAll('table.calendar')].map(t => ({
  display: getComputedStyle(t).display,
  caption: t.caption ? t.caption.textContent.trim() : '',
  heads: [...t.querySelectorAll('thead th')].map(th => th.getAttribute('scope')),
  days: t.querySelectorAll('tbody td .num').length,
  links: [...t.querySelectorAll('tbody td a')].map(a => a.getAttribute('aria-label') || ''),
}))"""


@pytest.mark.parametrize("kind", ["month", "day", "index"])
def test_calendar_is_a_real_table(open_page, kind: str) -> None:
    """The month calendar is a table with a caption, seven column headers and labelled day links."""
    tables = open_page(ALL_PAGES[kind], 375).evaluate(CALENDAR_JS)
    assert len(tables) == 1, tables
    t = tables[0]
    assert t["display"] == "table" and t["caption"], t
    assert t["heads"] == ["col"] * 7, t
    assert 29 <= t["days"] <= 31 and t["links"] and all("خبر" in label for label in t["links"]), t


MOTION_JS = """() => {
  const moving = [...document.querySelectorAll('*')].filter(e => {
    const s = getComputedStyle(e);
    return s.transitionDuration.split(',').some(d => parseFloat(d) > 0) || s.animationName !== 'none';
  }).map(e => e.tagName.toLowerCase());
  return {moving, scroll: getComputedStyle(document.documentElement).scrollBehavior};
}"""


def test_reduced_motion_turns_off_transitions_and_smooth_scroll(open_page) -> None:
    """With prefers-reduced-motion: reduce, nothing transitions or animates and scrolling jumps."""
    normal = open_page("1403/12/28/").evaluate(MOTION_JS)
    assert normal["moving"] and normal["scroll"] == "smooth", "nothing moves even without the preference"
    reduced = open_page("1403/12/28/", motion="reduce").evaluate(MOTION_JS)
    assert reduced == {"moving": [], "scroll": "auto"}, reduced
