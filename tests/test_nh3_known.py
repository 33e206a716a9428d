"""nh3_known: its answer is nh3's answer, or none; and it answers for the HTML articles make."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import markup
from digest.markup import sanitize
from digest.nh3_known import REL, as_nh3_would

# Forms cmark and our passes write, which nh3 keeps (links gain rel, void elements lose "/").
KEPT = [
    "<p>متن</p>\n",
    '<h2 id="s1">عنوان</h2>\n<h6 id="s12">x</h6>',
    "<p>یک<br />\nدو</p>\n<hr />\n",
    '<p><img src="/media/a.png" alt="عکس" loading="lazy" decoding="async" /></p>',
    '<p><img src="https://cdn.example.org/a.jpg?w=2&amp;h=3" alt="a &amp; b &lt;c&gt;" title="t" '
    'loading="lazy" decoding="async" /></p>',
    '<p><a href="https://news.example.org/a?b=1&amp;c=2#d">پیوند</a></p>',
    '<p><a href="../../topics/x/" title="موضوع">x</a> <a href="#s1">y</a> <a href="?q=1">z</a></p>',
    '<p><a href="mailto:desk@example.org">نامه</a> <a href="//cdn.example.org/x">x</a></p>',
    '<ol start="3">\n<li>a</li>\n</ol>\n<ul>\n<li>\n<p>b</p>\n</li>\n</ul>\n',
    "<blockquote>\n<p><strong>a</strong> <em>b</em> <s>c</s> <code>d &lt; e</code></p>\n</blockquote>\n",
    "<pre><code>if a &lt; b &amp;&amp; c &gt; d:\n</code></pre>\n",
    "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b</td>\n</tr>\n</tbody>\n</table>\n",
    '<p>گفت: &quot;نه&quot; و <bdi dir="ltr" lang="en">AT&amp;T</bdi></p>',
    "<p>\u200cنیم\u200cفاصله\u2028\ufeff\x01 و \x0c</p>",
]

# Forms nh3 changes in ways not computed here: each one is left to nh3.
REFUSED = [
    "<p>a\xa0b</p>",                                     # no-break space: nh3 writes &nbsp;
    "<p>a\rb</p>",                                       # carriage return: a line feed
    "<p>a > b</p>",                                      # a bare ">" in text: &gt;
    "<p>a < b</p>",                                      # a bare "<" in text: &lt;
    "<p>a</p>\n<",                                       # ... even after the last tag
    "<pre>\n<code>x</code></pre>",                      # a line feed after <pre> is dropped
    '<p><a href="https://x.org" title="&quot;q&quot;">x</a></p>',   # &quot; in an attribute
    '<p><a href="HTTP://X.ORG/">x</a></p>',             # another spelling of a scheme
    '<p><a href="javascript:alert(1)">x</a></p>',
    '<p><a href="ftp://x.org/">x</a></p>',
    '<p><a href="https://x.org:99999/">x</a></p>',      # a port the URL parser refuses
    '<p><a href="https://1.2.3.999/">x</a></p>',        # an address the URL parser refuses
    '<p><a href="https://xn--zz.com/">x</a></p>',       # punycode the URL parser refuses
    '<p><a href="https://user@x.org/">x</a></p>',
    '<p><a href="https://x.org/a b">x</a></p>',
    '<pre><code class="language-py">x</code></pre>',    # nh3 drops the class
    '<table>\n<thead>\n<tr>\n<th style="text-align: center">a</th>\n</tr>\n</thead>\n</table>',
    '<p><input type="checkbox" disabled="" /> x</p>',
    "<p><script>alert(1)</script></p>",
    '<p onclick="x()">a</p>',
    "<h1>x</h1>",
    "<p>a &copy; b &#60;</p>",                            # entities cmark does not write
    '<p><img src="x.png" alt="a" /></p>',                # an image our passes did not rewrite
]


@pytest.mark.parametrize("html", KEPT)
def test_kept_forms_are_answered_as_nh3_answers(html):
    known = as_nh3_would(html)
    assert known is not None
    assert known == sanitize(html)


@pytest.mark.parametrize("html", REFUSED)
def test_other_forms_are_left_to_nh3(html):
    assert as_nh3_would(html) is None


def test_links_gain_rel_and_void_elements_lose_their_slash():
    html = '<p><a href="/x/">a</a><br />\n<img src="y.png" alt="b" loading="lazy" decoding="async" /></p>'
    assert as_nh3_would(html) == (f'<p><a href="/x/"{REL}>a</a><br>\n'
                                  '<img src="y.png" alt="b" loading="lazy" decoding="async"></p>')


def test_a_typical_article_never_reaches_nh3():
    text = ("## بخش اول\n\nوزیر گفت: \"این طرح از **هفته‌ی آینده** اجرا می‌شود\" و [گزارش کامل]"
            "(https://news.example.org/a?id=3&page=2) را در *Nasdaq* ببینید.\n\n"
            "- یک\n- دو\n\n![نمودار](/media/chart.png \"نمودار\")\n\n> نقل قول AT&T\n")
    html, _ = markup.render(text, page_url="/1403/09/02/a1/")
    assert REL in html and "&quot;" not in html and "<img" in html
    # nh3 applied to the answer changes nothing more: it is already in nh3's form.
    assert sanitize(html) == html


# Random HTML shaped as cmark writes it (well formed, each element where HTML allows it), with
# random text (escaped as cmark escapes it, or not), targets and attribute values, some of which
# nh3 treats otherwise.
TEXT = st.text(st.sampled_from(list("ab خبر\n\u200c'\"&;#<>/=\xa0\r\x00")), max_size=12)
ESCAPED = TEXT.map(lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   .replace('"', "&quot;"))
TARGETS = st.one_of(
    st.sampled_from(["https://x.org/a", "http://a.b.example/p?q=1&amp;r=2", "/t/x/", "../a", "#s2", "?q",
                     "mailto:a@b.c", "", "//x.org/", "HTTPS://x.org", "javascript:x", "vbscript:x", "data:x",
                     "https://x.org:80/", "https://1.2.3.4/", "https://x.123/", "https://xn--p1ai.example/",
                     "https://a..b/", "https://-a.example/", "https://a.example./", "a:b", "1a:b", "a+b:c"]),
    st.text(st.sampled_from(list("ahtps:/.?#&;=%-_~x1 \"<>\\")), max_size=14),
)
LINK = st.builds(lambda u, t: f'<a href="{u}"' + (f' title="{t}"' if t is not None else "") + ">",
                 TARGETS, st.none() | ESCAPED)
IMAGE = st.builds(lambda u, a: f'<img src="{u}" alt="{a}" loading="lazy" decoding="async" />', TARGETS, ESCAPED)
INLINE = st.recursive(
    ESCAPED | TEXT | st.just("<br />\n") | IMAGE | ESCAPED.map('<bdi dir="ltr" lang="en">{}</bdi>'.format)
    | ESCAPED.map("<code>{}</code>".format),
    lambda inner: st.builds(lambda tag, body: f"<{tag}>{body}</{tag}>",
                            st.sampled_from(["em", "strong", "s", "b", "i", "sub", "sup"]), inner)
    | st.builds(lambda a, body: f"{a}{body}</a>", LINK, ESCAPED),
    max_leaves=6)
LINE = st.lists(INLINE, max_size=4).map("".join)
BLOCK = st.recursive(
    LINE.map("<p>{}</p>\n".format) | st.just("<hr />\n") | ESCAPED.map("<pre><code>{}</code></pre>\n".format)
    | st.builds(lambda n, i, body: f'<h{n} id="s{i}">{body}</h{n}>\n', st.integers(1, 7), st.integers(0, 99), LINE)
    | st.builds(lambda head, cell: f"<table>\n<thead>\n<tr>\n<th>{head}</th>\n</tr>\n</thead>\n"
                f"<tbody>\n<tr>\n<td>{cell}</td>\n</tr>\n</tbody>\n</table>\n", LINE, LINE),
    lambda inner: st.lists(inner, max_size=3).map("".join).map("<blockquote>\n{}</blockquote>\n".format)
    | st.builds(lambda tag, items: f"{tag}\n" + "".join(f"<li>{i}</li>\n" for i in items) + f"</{tag[1:3]}>\n",
                st.sampled_from(["<ul>", "<ol>", '<ol start="4">', '<ol start="-1">']),
                st.lists(LINE | inner, min_size=1, max_size=3)),
    max_leaves=6)


@settings(max_examples=500, deadline=None)
@given(st.lists(BLOCK, max_size=4).map("".join))
def test_random_html_gets_nh3s_answer_or_none(html):
    known = as_nh3_would(html)
    assert known is None or known == sanitize(html)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "خبر", "Nasdaq", '"نقل"', "AT&T", "**پررنگ**", "*کج*", "`a<b`", "~~خط~~", "[پیوند](https://x.org/a?b=1&c=2)",
    "[دیگر](/topics/x/ \"عنوان\")", "![عکس](/a.png)", "![عکس](https://x.org/a.png 'ع')", "<b>خام</b>",
    "[بد](javascript:x)", "[پورت](https://x.org:8080/)", "<https://x.org/a>", "\\", "\u00a0", "&nbsp;",
    "\n\n", "\n\n## عنوان\n\n", "\n\n- یک\n- دو\n\n", "\n\n3. سه\n\n", "\n\n> نقل\n\n", "\n\n```\nکد\n```\n\n",
    "\n\n```py\nکد\n```\n\n", "\n\n| a | b |\n|---|:-:|\n| c | d |\n\n", "  \n", "&amp;", "&copy;", "&#160;", "&#13;",
]), max_size=20).map(" ".join))
def test_rendered_markdown_is_what_nh3_would_make_of_it(text):
    html, first = markup.render(text, page_url="/1403/09/02/a1/")
    before, first_before, _ = markup.unsanitized(text, "/1403/09/02/a1/", True)
    assert html == sanitize(before)
    assert first == first_before
