"""The default theme's layout in headless Chromium: widths XS 375, SM 800, MD 1000, LG 1280.

No page scrolls sideways at any width; the cards grid has 1, 2, 3, 3 columns; the calendar sits
beside main only on LG; text runs right-to-left in Vazirmatn, which really loads.
"""

from __future__ import annotations

import pytest

from tests.test_accessibility import ALL_PAGES

WIDTHS = {"XS": 375, "SM": 800, "MD": 1000, "LG": 1280}
COLUMNS = {"XS": 1, "SM": 2, "MD": 3, "LG": 3}


@pytest.fixture
def at_width(browser, sample_url: str):
    """Return a function that opens a sample page at a viewport width; closes the pages after."""
    pages = []

    def open_(path: str, width: int):
        page = browser.new_page(viewport={"width": width, "height": 900})
        pages.append(page)
        page.goto(sample_url + path)
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    yield open_
    for page in pages:
        page.close()


OVERFLOW_JS = """() => {
  const vw = innerWidth, wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > vw + 1 || r.left < -1) && !el.closest('.skip'))
      wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  return {scroll: document.documentElement.scrollWidth, vw, wide: wide.slice(0, 5)};
}"""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", ALL_PAGES)
def test_no_page_scrolls_sideways(at_width, kind: str, width: int) -> None:
    """The document is never wider than the viewport."""
    r = at_width(ALL_PAGES[kind], width).evaluate(OVERFLOW_JS)
    assert r["scroll"] <= r["vw"], f"/{ALL_PAGES[kind]} at {width}px is {r['scroll']}px wide: {r['wide']}"


GRID_JS = """() => {
  const cards = document.querySelector('.cards'), main = document.querySelector('main'),
        side = document.querySelector('.sidebar');
  const m = main.getBoundingClientRect(), s = side.getBoundingClientRect();
  return {
    columns: getComputedStyle(cards).gridTemplateColumns.split(' ').length,
    beside: s.top < m.bottom && (s.right <= m.left || s.left >= m.right),
    mainOnRight: m.left > s.left,
    below: s.top >= m.bottom,
  };
}"""


@pytest.mark.parametrize("name", WIDTHS)
@pytest.mark.parametrize("path", ["", "1403/12/28/"])
def test_cards_columns_and_sidebar(at_width, path: str, name: str) -> None:
    """Cards fill 1/2/3/3 columns; on LG the calendar is beside main (to its left), else below it."""
    g = at_width(path, WIDTHS[name]).evaluate(GRID_JS)
    assert g["columns"] == COLUMNS[name], g
    if name == "LG":
        assert g["beside"] and g["mainOnRight"], g
    else:
        assert g["below"], g


FONT_JS = """() => ({
  direction: getComputedStyle(document.body).direction,
  check: document.fonts.check('16px Vazirmatn'),
  loaded: [...document.fonts].filter(f => f.family.includes('Vazirmatn') && f.status === 'loaded')
                              .map(f => f.weight).sort(),
  family: getComputedStyle(document.body).fontFamily,
})"""


@pytest.mark.parametrize("name", ["XS", "LG"])
@pytest.mark.parametrize("kind", ["index", "article"])
def test_text_is_right_to_left_in_vazirmatn(at_width, kind: str, name: str) -> None:
    """Body text runs right-to-left and both Vazirmatn weights (regular, bold) actually load."""
    f = at_width(ALL_PAGES[kind], WIDTHS[name]).evaluate(FONT_JS)
    assert f["direction"] == "rtl", f
    assert f["family"].startswith('Vazirmatn') or f["family"].startswith('"Vazirmatn"'), f
    assert f["check"] and f["loaded"] == ["400", "700"], f
