import unicodedata

import pytest

from corpus.textnorm import normalize_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Hello\t\tworld \n", "Hello world"),
        ("e\u0301te\u0301", "été"),  # NFD → NFC
        ("co\u00adoper\u00adation", "cooperation"),  # soft hyphens
        ("zero\u200bwidth\u200djoin\ufeff", "zerowidthjoin"),
        ("a\u00a0b\u2009c\u3000d", "a b c d"),  # NBSP, thin, ideographic spaces
        ("bell\x07 and\x1b esc\x85", "bell and esc"),  # C0/C1 controls
        ("\u202eevil\u202c text", "evil text"),  # bidi overrides
        ("Заголовок\u00a0открываемого", "Заголовок открываемого"),
        ("", ""),
    ],
)
def test_normalize(raw, clean):
    assert normalize_text(raw) == clean


def test_output_is_nfc_and_idempotent():
    text = "Cafe\u0301  \u0130stanbul\u200b ﬁ"
    once = normalize_text(text)
    assert unicodedata.is_normalized("NFC", once)
    assert normalize_text(once) == once
