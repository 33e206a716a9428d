"""The sample site in real headless Chromium at XS, SM, MD and LG widths.

No horizontal overflow, the column counts of each breakpoint, right-to-left direction and the
self-hosted Vazirmatn font actually in use.
"""

from __future__ import annotations

import pytest

# Bootstrap 3's breakpoints, which the CMS our sample pages come from uses.
WIDTHS = {375: 1, 800: 2, 1000: 3, 1280: 3}


@pytest.fixture(scope="module")
def base_url(sample_url: str) -> str:
    """Serve the built sample site (conftest's session build, topic pages paginated)."""
    return sample_url


PAGES = ["", "1403/12/29/", "1403/12/29/open-data-portal/", "1403/12/", "1403/", "topics/",
         "topics/world/", "topics/culture/page/2/", "1403/12/28/neshast-zhenev/", "404.html"]


def open_page(browser, url: str, width: int):
    """Open ``url`` at a viewport width and wait until fonts are ready."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    response = page.goto(url)
    assert response.status == 200, url
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


@pytest.mark.parametrize("width", [320, *WIDTHS])
@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_overflow(browser, base_url, path, width):
    page = open_page(browser, base_url + path, width)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert scroll <= width, f"/{path} is {scroll}px wide at a {width}px viewport"


@pytest.mark.parametrize("width, columns", WIDTHS.items())
def test_column_counts(browser, base_url, width, columns):
    # On 1 Farvardin 1404 the sample site has three culture articles in one grid.
    page = open_page(browser, base_url + "1404/01/01/", width)
    counts = page.evaluate("""() => [...document.querySelectorAll('.cards')].map(grid =>
        getComputedStyle(grid).gridTemplateColumns.split(' ').length)""")
    lefts = page.evaluate("""() => Math.max(...[...document.querySelectorAll('.cards')].map(grid =>
        new Set([...grid.children].map(c => Math.round(c.getBoundingClientRect().left))).size))""")
    sidebar = page.evaluate("""() => {
        const main = document.querySelector('main').getBoundingClientRect();
        const side = document.querySelector('.sidebar').getBoundingClientRect();
        return {beside: side.top < main.bottom && side.right <= main.left + 1, below: side.top >= main.bottom - 1,
                mainOnRight: main.left > side.left};
    }""")
    page.close()
    assert counts and set(counts) == {columns}
    assert lefts == columns, "cards really sit side by side, as many as the columns"
    if width >= 1200:
        assert sidebar["beside"], "the calendar sidebar sits beside main on LG"
        assert sidebar["mainOnRight"], "right-to-left: main comes first, on the right"
    else:
        assert sidebar["below"], "the calendar goes below main under LG"


@pytest.mark.parametrize("path", PAGES)
def test_direction_is_rtl_and_vazirmatn_is_used(browser, base_url, path):
    page = open_page(browser, base_url + path, 1280)
    direction = page.evaluate("getComputedStyle(document.body).direction")
    html = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    loaded = page.evaluate("""() => [...document.fonts].filter(f =>
        f.family.replace(/"/g, '') === 'Vazirmatn' && f.status === 'loaded').map(f => f.weight).sort()""")
    check = page.evaluate("document.fonts.check('16px Vazirmatn')")
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    page.close()
    assert direction == "rtl" and html == ["fa", "rtl"]
    assert loaded == ["400", "700"], f"Vazirmatn weights loaded: {loaded} (regular body, bold headings)"
    assert check
    assert family.replace('"', "").startswith("Vazirmatn")


def test_no_request_leaves_the_site(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    for path in PAGES:
        page.goto(base_url + path)
    page.close()
    assert requests and all(url.startswith(base_url) for url in requests)
