"""corpus.stages.boilerplate.classify: body vs page furniture in plain-text web dumps."""

from __future__ import annotations

import pytest
from paths import SEEDS

from corpus.stages.boilerplate.classify import classify_lines, guess_stoplist, line_script

SEED = SEEDS / "sputnik-s400-turkey.txt"

RU_PAGE = """\
Главная
Новости
Общество
Спорт
Культура
Войти
Регистрация
Наш сайт использует файлы cookie. Продолжая пользоваться сайтом, вы соглашаетесь с политикой конфиденциальности.
В Казани открылся новый городской парк

Фото: пресс-служба мэрии
В субботу в Казани торжественно открыли новый городской парк на берегу Волги. На его благоустройство ушло почти два года, а работы вели сразу несколько подрядчиков.

По словам мэра, в парке появились велосипедные дорожки, детские площадки и летняя сцена. Он отметил, что жители сами выбирали, каким должен стать этот участок набережной.

Читайте также: Как в регионах благоустраивают набережные

Вечером в парке прошёл концерт местных музыкантов, на который, по оценкам организаторов, пришли больше пяти тысяч человек. Следующее мероприятие запланировано на конец месяца.

Поделиться
ВКонтакте
Telegram
Комментарии
12
Подписаться на рассылку
© 2024 Городские новости. Все права защищены."""  # noqa: E501

DE_PAGE = """\
Startseite
Politik
Wirtschaft
Kultur
Sport
Anmelden
Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Website zu ermöglichen. Mit der Nutzung stimmen Sie der Datenschutzerklärung zu.
Akzeptieren
Neue Brücke über den Rhein eröffnet
Foto: dpa
Nach vier Jahren Bauzeit ist die neue Brücke zwischen den beiden Stadtteilen am Montag für den Verkehr freigegeben worden. Die Kosten lagen bei rund 80 Millionen Euro und damit etwas über der ursprünglichen Planung.

Der Oberbürgermeister sprach bei der Eröffnung von einem wichtigen Tag für die Stadt, weil sich die Fahrzeit für viele Pendler deutlich verkürzen werde.

Lesen Sie auch: Wie andere Städte ihre Brücken sanieren

Auch Radfahrer und Fußgänger sollen von der Brücke profitieren, denn auf beiden Seiten gibt es breite Wege, die baulich von der Fahrbahn getrennt sind.

Teilen
Facebook
Twitter
WhatsApp
Kommentare
Newsletter abonnieren
© 2024 Stadtanzeiger. Alle Rechte vorbehalten."""  # noqa: E501


def _page(text: str) -> list[str]:
    return text.splitlines()


def _by_text(lines: list[str], reasons: list[str | None]) -> dict[str, str | None]:
    return dict(zip(lines, reasons, strict=True))


def test_seed_page_body_and_boilerplate() -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    got = _by_text(lines, classify_lines(lines))
    body = [t for t in lines if t.startswith(("Turkish Foreign", "Cavusoglu tweeted", "Recently,"))]
    body += [t for t in lines if t.startswith(("Last December", "Earlier,", '"Our minister'))]
    assert len(body) == 6
    assert all(got[t] is None for t in body), {t[:40]: got[t] for t in body}
    furniture = [
        "World", "Subscribe", "Newsfeed", "0", "To participate in the discussion",
        "log in or register", "loader", "Chats", "Заголовок открываемого материала",
        "The S-400 missile defence system. - Sputnik International",
    ]  # fmt: skip
    furniture += [t for t in lines if t.startswith(("© Sputnik", "READ MORE:", "Night launch"))]
    for t in furniture:
        assert got[t] is not None, t
    assert got["0"] == "lone_number"
    assert got["Subscribe"] == "subscribe_prompt"
    assert got["log in or register"] == "login_prompt"
    assert got["Заголовок открываемого материала"] == "ui_string"
    assert got[next(t for t in lines if t.startswith("© Sputnik"))] == "photo_credit"
    assert {got[t] for t in lines if t.startswith("READ MORE:")} == {"teaser"}


@pytest.mark.parametrize("text,lang", [(RU_PAGE, "ru"), (DE_PAGE, "de")])
@pytest.mark.parametrize("given", [True, False])
def test_written_pages(text: str, lang: str, given: bool) -> None:
    lines = _page(text)
    reasons = classify_lines(lines, lang=lang if given else None)
    kept = [t for t, r in zip(lines, reasons, strict=True) if r is None]
    # exactly the three article paragraphs (the headline may go either way)
    paragraphs = [t for t in lines if len(t.split()) >= 12 and "ookie" not in t]
    assert len(paragraphs) == 3
    assert set(paragraphs) <= set(kept)
    assert set(kept) - set(paragraphs) <= {lines[8]}
    got = _by_text(lines, reasons)
    cookie = next(t for t in lines if "ookie" in t)
    assert got[cookie] == "cookie_notice"
    assert got[lines[0]] == "navigation"
    assert {got[t] for t in lines if t.startswith(("Читайте также", "Lesen Sie auch"))} == {
        "teaser"
    }
    assert got.get("Поделиться", got.get("Teilen")) == "share_prompt"
    assert got.get("Войти", got.get("Anmelden")) == "login_prompt"
    assert got.get("Комментарии", got.get("Kommentare")) == "comment_widget"
    assert got[lines[-1]] == "copyright"
    assert got[""] == "empty"


def test_stoplist_guess_and_script() -> None:
    assert guess_stoplist(_page(RU_PAGE)) == "Russian"
    assert guess_stoplist(_page(DE_PAGE)) == "German"
    assert guess_stoplist(["12345", "!!!"]) is None
    assert line_script("Заголовок") == "Cyrillic"
    assert line_script("商標法違反") == "CJK"
    assert line_script("2019") == ""


def test_comments_after_article_are_not_body() -> None:
    article = [
        "The council approved the new budget on Tuesday after a long debate about "
        "school funding and road repairs across the district.",
        "Members said the plan would raise spending on maintenance by a tenth, while "
        "keeping property taxes at the level set last year.",
        "The mayor is expected to sign the budget next week, and the first projects "
        "should start in the spring.",
    ]
    thread = ["3 Comments", "jdoe says:", "November 19, 2019 at 6:34 am"]
    thread += [
        "I think this is a terrible idea and the council should have listened to the "
        "residents who spoke at the meeting last month.",
        "Nobody asked us what we wanted, and now we will pay for it for many years.",
    ]
    lines = ["Home", "News", "Local", *article, "Share", *thread]
    reasons = classify_lines(lines, lang="en")
    assert [r is None for r in reasons] == [False] * 3 + [True] * 3 + [False] * 6


def test_japanese_page_without_spaces() -> None:
    lines = [
        "HOME", "ブログ", "お問い合わせ",
        "先日、不正に改造した製品を販売したとして、商標法違反の疑いで男性が逮捕されたというニュースを耳にしました。",
        "報道によると、今回販売されたのは、機能制限を解除した製品とのことです。",
        "また、その他にも、",
        "権利者の意思に基づくことなく、もとの商品に改造を加えて販売した場合は、商標権侵害と判断される場合があります。",
        "関連記事", "PAGETOP", "Copyright © Lighthouse All rights reserved.",
    ]  # fmt: skip
    reasons = classify_lines(lines)
    assert [r is None for r in reasons] == [False] * 3 + [True] * 4 + [False] * 3


def test_repeats_mark_site_furniture() -> None:
    lines = _page(DE_PAGE)
    target = lines.index("Auch Radfahrer und Fußgänger sollen von der Brücke profitieren, denn auf "
                         "beiden Seiten gibt es breite Wege, die baulich von der Fahrbahn getrennt "
                         "sind.")  # fmt: skip
    repeats = [0] * len(lines)
    repeats[target] = 5
    reasons = classify_lines(lines, lang="de", repeats=repeats)
    assert reasons[target] == "repeated_across_pages"
    with pytest.raises(ValueError, match="repeats"):
        classify_lines(lines, repeats=[0])


def test_empty_and_blank_input() -> None:
    assert classify_lines([]) == []
    assert classify_lines(["", "   "]) == ["empty", "empty"]
    assert classify_lines(["Menu"]) == ["ui_string"]


def test_deterministic() -> None:
    lines = _page(RU_PAGE) + _page(DE_PAGE)
    first = classify_lines(lines)
    assert all(classify_lines(lines) == first for _ in range(3))
    assert classify_lines(tuple(lines)) == first


def test_a_headline_run_into_its_blurb_is_a_teaser_by_its_headline_case():
    """English headline case capitalises the short words prose keeps lower-case: two of
    them mid-line in a long line are a teaser's headline run into its blurb; prose that
    names "The New York Times" or starts a sentence with "In" is not."""
    from corpus.stages.boilerplate.classify import line_cue

    teaser = ("Customers Leave Without Paying Bill At Troy Steakhouse After Dinner For Six "
              "A party of six left the steakhouse without paying the bill.")
    assert line_cue(teaser, strict=False) == "headline"
    assert line_cue(teaser) is None  # a shape cue: not for HTML pages or records
    for prose in (
        "The New York Times reported on Sunday that the company is preparing to cut jobs.",
        "In the United States, the Bay Area and Los Angeles County face air quality alerts.",
        "Officials said: In the long run the plan will pay for itself. In any case it helps.",
    ):
        assert line_cue(prose, strict=False) is None, prose


@pytest.mark.parametrize("bio", [
    "Louise Matsakis is a Staff Writer at WIRED covering Amazon, security, and platforms.",
    "Molly Wood (@mollywood) is an Ideas contributor at WIRED and the host of a show.",
    "Brigit Katz is a freelance writer based in Toronto.",
    "Moritz Bachmann ist freier Journalist und schreibt über Technik.",
    "Marie Dupont est journaliste au service politique depuis 2015.",
])
def test_an_authors_bio_is_a_byline(bio):
    from corpus.stages.boilerplate.classify import line_cue

    assert line_cue(bio) == "byline"


def test_prose_about_people_is_not_a_bio():
    from corpus.stages.boilerplate.classify import line_cue

    for prose in (
        "The mayor said the money would also pay for two new schools and a library.",
        "Smith is a popular name, and the writer of the report said so on Tuesday.",
        "Lawmakers in the state said the governor is a strong supporter of the plan.",
    ):
        assert line_cue(prose) is None, prose


@pytest.mark.parametrize("line", [
    "By Ana Swanson", "By Eric Song, IGN Staff", "By Sean Martin Sean Martin",
    "By Louis Jacobson on Monday, November 18th, 2019 at 11:04 a.m.",
    "Por María López | Madrid", "Von Max Muster und Erika Musterfrau",
])
def test_a_by_line_with_a_name_is_a_byline(line):
    from corpus.stages.boilerplate.classify import line_cue

    assert line_cue(line) == "byline"


@pytest.mark.parametrize("line", [
    "By Monday, the council had approved the budget for the bridge.",
    "By 2020 the plan will have paid for itself twice over.",
    "By the end of the week the river had risen by two metres.",
])
def test_prose_that_starts_with_by_is_not_a_byline(line):
    from corpus.stages.boilerplate.classify import line_cue

    assert line_cue(line) is None


@pytest.mark.parametrize("line", [
    "President Trump at the Economic Club of New York last week. Credit... Anna Moneymaker",
    "A bubonic plague case was reported after a hunter ate a rabbit Credit: Getty",
    "Die neue Brücke über den Rhein am Abend ihrer Eröffnung Foto: Max Muster",
])
def test_a_caption_that_ends_in_its_credit_is_a_caption(line):
    from corpus.stages.boilerplate.classify import line_cue

    assert line_cue(line) == "caption"


def test_prose_with_a_colon_is_not_a_caption():
    from corpus.stages.boilerplate.classify import line_cue

    line = "The mayor gave one reason for the delay: the money had not yet arrived."
    assert line_cue(line) is None
