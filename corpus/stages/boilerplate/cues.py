"""Priors for the plain-text boilerplate classifier: cue phrases and language names.

These are written down from what web pages say in their furniture (menus, widgets,
consent banners, credits), in the languages the project cares about most. They are
general priors, not fitted to any benchmark: each phrase is something a reader would name
as page furniture on sight. Matching is case-insensitive on whole lines or line starts, see
``corpus.stages.boilerplate.classify``.
"""

from __future__ import annotations

# ISO 639-1 code -> jusText stoplist name (``justext.get_stoplist(name)``).
ISO_TO_STOPLIST: dict[str, str] = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese", "hy": "Armenian",
    "ast": "Asturian", "az": "Azerbaijani", "eu": "Basque", "be": "Belarusian",
    "bn": "Bengali", "bs": "Bosnian", "br": "Breton", "bg": "Bulgarian", "ca": "Catalan",
    "ceb": "Cebuano", "hr": "Croatian", "cs": "Czech", "cv": "Chuvash", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "is": "Icelandic", "io": "Ido", "ig": "Igbo", "id": "Indonesian", "ga": "Irish",
    "it": "Italian", "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh", "ko": "Korean",
    "ku": "Kurdish", "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian", "lt": "Lithuanian",
    "lb": "Luxembourgish", "mk": "Macedonian", "ms": "Malay", "ml": "Malayalam",
    "mt": "Maltese", "mr": "Marathi", "ne": "Nepali", "nb": "Norwegian_Bokmal",
    "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "oc": "Occitan", "fa": "Persian",
    "pl": "Polish", "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian", "ru": "Russian",
    "sr": "Serbian", "sh": "Serbo_Croatian", "scn": "Sicilian", "sk": "Slovak",
    "sl": "Slovenian", "es": "Spanish", "su": "Sundanese", "sw": "Swahili", "sv": "Swedish",
    "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish", "tk": "Turkmen",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "vo": "Volapuk",
    "wa": "Walloon", "cy": "Welsh", "fy": "West_Frisian",
}  # fmt: skip

# Line starts that announce a link to another article ("READ MORE: ...").
TEASER_PREFIXES: tuple[str, ...] = (
    "read more", "read also", "also read", "read next", "see also", "see more", "related:",
    "don't miss", "do not miss", "more:", "also:", "must read", "trending:", "popular:",
    "related articles", "related stories", "recommended", "more on this", "you may also like",
    "you might also like", "watch:", "watch more", "listen:",
    "читайте также", "читайте еще", "читайте ещё", "читать далее", "смотрите также",
    "подробнее", "по теме", "см. также", "также читайте",
    "читайте також", "дивіться також", "детальніше",
    "lesen sie auch", "lesen sie mehr", "mehr zum thema", "weiterlesen", "siehe auch",
    "das könnte sie auch interessieren",
    "lire aussi", "à lire aussi", "a lire aussi", "voir aussi", "lire la suite",
    "sur le même sujet",
    "lea también", "lee también", "ver también", "leer más", "te puede interesar",
    "leia também", "leia mais", "veja também", "saiba mais",
    "leggi anche", "leggi tutto", "vedi anche",
    "czytaj też", "czytaj także", "czytaj więcej", "zobacz też", "zobacz także",
    "lees ook", "lees meer", "lees verder", "bekijk ook",
    "devamını oku", "ayrıca bakınız", "ilgili haberler",
    "baca juga", "関連記事", "関連リンク", "相关阅读", "相关文章", "관련기사",
    "auch lesen", "ebenfalls lesen", "mehr dazu", "le puede interesar", "le podría interesar",
    "vea también", "lea más", "lea también", "noticias relacionadas", "dowiedz się więcej",
    "przeczytaj też", "przeczytaj także", "article suivant", "à lire également",
    "ler mais", "leia também:", "notícias relacionadas", "leggi l'articolo",
    "next article", "previous article", "more stories", "more from", "most read",
    "most popular", "top stories", "editor's picks", "also on",
    "ещё по теме", "еще по теме", "новости по теме", "також читайте", "meistgelesen",
    "les plus lus", "lo más leído", "mais lidas", "più letti",
    "related links", "related content", "related posts", "related videos", "trending",
    "trending now", "explore further", "featured video", "continue reading",
    "continue reading below", "keep reading", "more like this", "more in", "more about",
    "recommended for you", "sponsored stories", "from the web", "around the web",
    "продолжение ниже", "популярное", "рекомендуем", "weitere artikel", "empfohlen",
    "à découvrir", "recommandé", "relacionados", "recomendados", "consigliati",
)  # fmt: skip

# A line that opens an author's box: "About Jane Doe", "Über Moritz Bachmann".
BIO_PREFIXES: tuple[str, ...] = (
    "about", "about the author", "sobre", "über", "à propos de", "a proposito di",
    "o autorze", "об авторе", "про автора", "over", "hakkında",
)  # fmt: skip

# "By Jane Doe", "Por María López", "Von Max Muster | …": a byline is this word, then a
# name (two capitalised words), in a line of at most ``BYLINE_NAME_MAX_WORDS`` words.
BYLINE_PREFIXES: tuple[str, ...] = (
    "by", "por", "par", "von", "door", "przez", "av", "af",
)  # fmt: skip
BYLINE_NAME_MAX_WORDS = 16

# An author's bio: "Jane Doe (@jdoe) is a staff writer at …". The copulas and the roles
# (nouns of the trade) it is written with; see ``classify._author_bio``.
BIO_COPULAS: tuple[str, ...] = (
    "is", "was", "ist", "war", "est", "était", "es", "era", "é", "è", "jest", "был", "была",
    "является", "—",
)  # fmt: skip
BIO_ROLES: tuple[str, ...] = (
    "writer", "reporter", "editor", "journalist", "correspondent", "contributor",
    "columnist", "author", "producer", "blogger", "freelancer", "intern", "critic",
    "journalistin", "redakteur", "redakteurin", "autor", "autorin", "korrespondent",
    "korrespondentin", "journaliste", "rédacteur", "rédactrice", "correspondant",
    "correspondante", "chroniqueur", "periodista", "redactor", "redactora", "corresponsal",
    "columnista", "jornalista", "repórter", "redator", "redatora", "colunista",
    "giornalista", "redattore", "redattrice", "corrispondente", "dziennikarz",
    "dziennikarka", "redaktor", "redaktorka", "журналист", "журналистка", "корреспондент",
    "редактор", "обозреватель", "колумнист", "автор",
)  # fmt: skip

# Month and weekday names: a line made of them and numbers is a dateline.
DATE_WORDS: tuple[str, ...] = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thurs", "fri",
    "sat", "sun", "am", "pm", "a.m", "p.m", "at", "on", "updated", "published", "posted",
    "gmt", "utc", "est", "edt", "pst", "pdt", "cet", "cest", "bst",
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря", "понедельник", "вторник", "среда", "четверг", "пятница",
    "суббота", "воскресенье", "січня", "лютого", "березня", "квітня", "травня", "червня",
    "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
    "januar", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "montag",
    "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "um", "uhr",
    "janvier", "février", "mars", "avril", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
    "samedi", "dimanche", "le", "à",
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre", "lunes", "martes", "miércoles", "jueves",
    "viernes", "sábado", "domingo", "de", "del", "las", "a las",
    "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro",
    "novembro", "dezembro", "segunda-feira", "terça-feira", "quarta-feira",
    "quinta-feira", "sexta-feira", "às",
    "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre",
    "dicembre", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato",
    "domenica", "alle",
)  # fmt: skip

# Sentences that are page furniture, by category: what a site says about itself, its
# newsletters and apps, its authors and its money, in any page's footer or inline box.
# Matched as whole words at the *start* of a line, or anywhere in a line of at most
# ``SENTENCE_CUE_MAX_WORDS`` words: prose that merely mentions a newsletter is longer.
# Bylines and datelines ("Reporting by …", "Updated at 1:23 p.m.") only in lines of at
# most ``BYLINE_MAX_WORDS`` words: "Published on Monday, the report found …" is prose.
SENTENCE_CUES: dict[str, tuple[str, ...]] = {
    "subscribe_prompt": (
        "sign up for", "sign up to", "sign up now", "subscribe to", "subscribe now",
        "subscribe for", "join our", "get our newsletter", "get the newsletter",
        "our newsletter", "newsletter delivered", "delivered to your inbox", "in your inbox",
        "to your inbox", "straight to your inbox", "keep an eye on your inbox",
        "thanks for signing up", "get the latest", "support independent journalism",
        "become a member", "members get", "start your free trial", "get unlimited access",
        "подпишитесь на", "подписывайтесь на", "подпишись на", "оформите подписку",
        "підпишіться на", "підписуйтесь на",
        "abonnieren sie", "melden sie sich", "jetzt abonnieren", "newsletter abonnieren",
        "abonnez vous", "inscrivez vous", "recevez notre", "suscríbete a", "suscríbete al",
        "regístrate para", "inscreva se", "assine a", "assine o", "cadastre se para",
        "iscriviti alla", "iscriviti al", "zapisz się", "zapisz się na", "abonneer je",
        "meld je aan", "bültenimize", "abone olun", "berlangganan",
    ),
    "share_prompt": (
        "follow us", "follow him on", "follow her on", "follow them on",
        "like us on", "find us on", "connect with us", "share this", "share it with",
        "like this story", "tell us what you think", "let us know what you think",
        "download the app", "download our app", "get the app", "click here", "tap here",
        "следите за нами", "подписывайтесь на наш", "присоединяйтесь к нам", "стежте за нами",
        "folgen sie uns", "folgen sie", "teilen sie", "suivez nous", "partagez",
        "síguenos", "siganos", "siga nos", "seguici", "obserwuj nas", "volg ons",
        "bizi takip edin", "ikuti kami",
    ),
    "byline": (
        "reporting by", "additional reporting", "contributed reporting",
        "contributed to this report", "contributed to this story", "editing by",
        "edited by", "written by", "writing by", "compiled by", "with post wires",
        "with wire services", "with agencies", "have a tip", "may be reached at",
        "can be reached at", "reach the reporter", "reach the reporters", "email the author",
        "contact the author", "min read", "minute read", "minutes read", "reading time",
        "updated at", "last updated", "published on", "posted on", "posted by",
        "по материалам", "при участии", "время чтения", "автор:", "редактор:",
        "mit material von", "lesezeit", "avec afp", "temps de lecture",
        "con información de", "tiempo de lectura", "com informações", "tempo de leitura",
        "tempo di lettura", "czas czytania", "leestijd", "okuma süresi",
    ),
    "disclosure": (
        "may earn a commission", "may receive a commission", "may get a share",
        "earn a commission", "earn from qualifying purchases", "affiliate links",
        "affiliate link", "if you buy something through", "if you purchase something",
        "we may earn", "paid partnership", "sponsored by", "this post contains",
        "this copy is for your personal", "non commercial use only",
        "партнёрская ссылка", "партнерская ссылка", "affiliate-links",
        "lien affilié", "liens affiliés", "enlace de afiliado", "link de afiliado",
        "link di affiliazione",
    ),
}  # fmt: skip
SENTENCE_CUE_MAX_WORDS = 20
BYLINE_MAX_WORDS = 12

# Whole-line (or short-line) cues, by reason. A line of at most ``CUE_MAX_WORDS`` words
# that contains one of these phrases as whole words is furniture.
CUES: dict[str, tuple[str, ...]] = {
    "login_prompt": (
        "log in", "login", "log out", "logout", "sign in", "sign up", "sign out", "register",
        "create an account", "create account", "my account", "forgot password",
        "войти", "вход", "выход", "выйти", "регистрация", "зарегистрироваться",
        "авторизуйтесь", "авторизация", "личный кабинет",
        "увійти", "вхід", "реєстрація", "зареєструватися",
        "anmelden", "einloggen", "abmelden", "registrieren", "mein konto",
        "se connecter", "connexion", "s'inscrire", "inscription", "mon compte",
        "iniciar sesión", "regístrate", "registrarse", "mi cuenta",
        "entrar", "cadastre-se", "cadastrar", "minha conta",
        "accedi", "registrati", "zaloguj", "zaloguj się", "zarejestruj",
        "inloggen", "registreren", "giriş yap", "üye ol", "masuk", "daftar",
        "ログイン", "新規登録", "로그인", "회원가입", "登录", "注册",
    ),
    "subscribe_prompt": (
        "subscribe", "subscription", "newsletter", "newsletters", "sign up for",
        "подписаться", "подпишитесь", "подписка", "рассылка",
        "підписатися", "підпишіться", "підписка", "розсилка",
        "abonnieren", "abonnement", "abo",
        "s'abonner", "abonnez-vous", "suscríbete", "suscribirse", "suscripción",
        "assine", "assinar", "inscreva-se", "iscriviti", "abbonati", "abbonamento",
        "subskrybuj", "subskrypcja", "prenumerata", "abonneren", "abone ol", "berlangganan",
        "購読", "구독", "订阅",
    ),
    "share_prompt": (
        "share", "share this", "tweet", "facebook", "twitter", "whatsapp", "telegram",
        "linkedin", "pinterest", "reddit", "email", "e-mail", "print", "copy link",
        "vk", "вконтакте", "одноклассники", "поделиться", "поділитися", "надіслати",
        "teilen", "drucken", "partager", "imprimer", "compartir", "imprimir",
        "compartilhar", "condividi", "stampa", "udostępnij", "drukuj", "delen", "paylaş",
        "bagikan", "シェア", "ツイート", "공유", "分享",
    ),
    "comment_widget": (
        "comment", "comments", "leave a comment", "post comment", "add comment", "reply",
        "to participate in the discussion", "join the discussion", "discussion",
        "комментарии", "комментарий", "комментариев", "обсуждение", "ответить",
        "коментарі", "коментар", "коментарів", "обговорення",
        "kommentar", "kommentare", "kommentieren", "antworten",
        "commentaire", "commentaires", "répondre", "comentario", "comentarios", "responder",
        "comentário", "comentários", "commento", "commenti", "rispondi",
        "komentarz", "komentarze", "odpowiedz", "reactie", "reacties", "yorum", "yorumlar",
        "komentar", "コメント", "댓글", "评论",
    ),
    "advertisement": (
        "advertisement", "advertising", "sponsored", "sponsored content", "ad", "ads",
        "реклама", "anzeige", "werbung", "publicité", "publicidad", "publicidade",
        "pubblicità", "reklama", "advertentie", "reklam", "iklan", "広告", "광고", "广告",
    ),
    "ui_string": (
        "loader", "loading", "menu", "search", "close", "next", "previous", "prev",
        "back", "back to top", "top", "more", "load more", "show more", "skip to content",
        "skip to main content", "toggle navigation", "open", "ok", "accept", "cancel",
        "загрузка", "меню", "поиск", "найти", "закрыть", "далее", "назад", "наверх", "еще",
        "ещё", "показать еще", "показать ещё", "пошук", "закрити", "ще", "більше",
        "suche", "suchen", "schließen", "weiter", "zurück", "mehr", "nach oben",
        "rechercher", "recherche", "fermer", "suivant", "précédent", "plus",
        "buscar", "cerrar", "siguiente", "anterior", "más", "ver más",
        "pesquisar", "fechar", "próximo", "mais", "ver mais",
        "cerca", "chiudi", "avanti", "indietro", "altro",
        "szukaj", "zamknij", "dalej", "więcej", "zoeken", "sluiten", "meer", "ara", "kapat",
        "検索", "閉じる", "次へ", "前へ", "もっと見る", "검색", "닫기", "더보기", "搜索", "关闭",
    ),
}  # fmt: skip

# Lines with at most this many words may be cue lines; longer lines are prose that merely
# mentions a cue word ("She shared the post on Facebook ...").
CUE_MAX_WORDS = 6

# Photo / image credit line starts.
CREDIT_PREFIXES: tuple[str, ...] = (
    "photo:", "photo by", "photos:", "photograph:", "image:", "images:", "picture:",
    "credit:", "credits:", "source:", "illustration:", "video:",
    "фото:", "фото", "фотография:", "источник:", "иллюстрация:", "джерело:",
    "foto:", "fotos:", "bild:", "bildquelle:", "quelle:",
    "crédit", "crédits", "crédito:", "fuente:", "fonte:", "zdjęcie:", "źródło:", "kaynak:",
    "写真", "사진",
)  # fmt: skip

# Words naming photo agencies: a short line mentioning one is a credit.
CREDIT_AGENCIES: tuple[str, ...] = (
    "getty images", "reuters", "ap photo", "afp", "shutterstock", "epa", "istock",
    "depositphotos", "alamy", "тасс", "риа новости", "dpa", "imago", "picture alliance",
    "mediabank",
)  # fmt: skip

COPYRIGHT_PHRASES: tuple[str, ...] = (
    "all rights reserved", "copyright", "все права защищены", "всі права захищені",
    "alle rechte vorbehalten", "tous droits réservés", "todos los derechos reservados",
    "todos os direitos reservados", "tutti i diritti riservati", "wszelkie prawa zastrzeżone",
    "alle rechten voorbehouden", "tüm hakları saklıdır", "hak cipta", "無断転載",
)  # fmt: skip

# A line naming cookies together with one of these words is a consent banner.
COOKIE_WORDS: tuple[str, ...] = ("cookie", "cookies", "куки", "кукі", "файлы cookie")
CONSENT_WORDS: tuple[str, ...] = (
    "use", "uses", "using", "agree", "accept", "consent", "policy", "website", "site",
    "browsing", "experience", "settings", "preferences",
    "используем", "использует", "используете", "использовать", "согласие", "соглашаетесь",
    "сайт", "сайта", "сайте", "политик", "використовує", "згоду", "погоджуєтесь",
    "verwendet", "verwenden", "nutzt", "akzeptieren", "zustimmen", "einverstanden",
    "datenschutz", "webseite", "website",
    "utilise", "utilisons", "accepter", "acceptez", "politique", "site",
    "utiliza", "utilizamos", "aceptar", "acepta", "política", "sitio",
    "usamos", "aceitar", "aceita", "utilizza", "utilizziamo", "accetta", "accetto",
    "używa", "używamy", "akceptuj", "zgod", "gebruikt", "accepteren", "kullan",
)  # fmt: skip
