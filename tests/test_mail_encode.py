"""Hand-built header values: encoded words, folding, addresses, refused line breaks."""

from __future__ import annotations

from email import message_from_string, policy

import pytest
from hypothesis import given, settings, strategies as st

from digest.errors import MailError
from digest.mail import encode

persian = st.text(alphabet=st.sampled_from("ابپتسشیکگلمنوه‌ۀ۰۱۲۳۴ آ؟،«»abc "), min_size=1, max_size=200)


@settings(max_examples=300)
@given(persian)
def test_encoded_subject_round_trips_and_fits(text):
    value = encode.encoded_header("Subject", text)
    lines = ("Subject: " + value).split("\r\n")
    assert all(len(line) <= 78 for line in lines) and value.isascii()
    assert all(len(w) <= 75 for w in value.replace("\r\n ", " ").split(" "))
    msg = message_from_string("Subject: " + value.replace("\r\n", "\n") + "\n\nbody\n", policy=policy.default)
    assert msg["Subject"] == text


def test_mailbox_keeps_name_and_address():
    value = encode.mailbox_header("From", "خبرنامه‌ی روزانه‌ی شهر", "news@example.com")
    msg = message_from_string("From: " + value.replace("\r\n", "\n") + "\n\nx\n", policy=policy.default)
    assert msg["From"].addresses[0].display_name == "خبرنامه‌ی روزانه‌ی شهر"
    assert msg["From"].addresses[0].addr_spec == "news@example.com"


@pytest.mark.parametrize("value", ["a\r\nb", "a\nb", "a\rb", "a\u2028b", "a\x00b"])
def test_line_breaks_are_refused(value):
    with pytest.raises(MailError, match="line break"):
        encode.refuse_breaks(value, "Subject")


@pytest.mark.parametrize("good,expected", [
    ("reader@example.org", "reader@example.org"),
    ("first.last+news@mail.example.co.uk", "first.last+news@mail.example.co.uk"),
    ("  spaced@example.org ", "spaced@example.org"),
    ("info@ایران.ir", "info@xn--mgba3a4f16a.ir"),
])
def test_good_addresses(good, expected):
    assert encode.check_address(good) == expected


@pytest.mark.parametrize("bad", ["", "a", "a@b", "a@@b.com", ".a@b.com", "a..b@b.com", "a b@c.com",
                                 "<a@b.com>", "a@b.com,c@d.com", "a@-b.com", "a@b.123", "رضا@b.com",
                                 "a" * 65 + "@b.com", "a@" + "b" * 64 + ".com"])
def test_bad_addresses(bad):
    with pytest.raises(MailError):
        encode.check_address(bad)
