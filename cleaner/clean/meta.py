"""Title, author, site name and date lines: metadata that pages put around the story.

They are taken out of the body and into the article's fields, so the body holds only the story.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from importlib import resources

from . import phrases

#: lower-case words inside a person's name ("Pieter de Vries", "Ursula von der Leyen", "Luiz Inácio Lula da Silva")
NAME_PARTICLES = frozenset("de van von der den da di du des le la del dos das al bin ter ten".split())
_BYLINE = re.compile(
    r"^(?:(?i:(?:(?:an?|eine?|une?|un|una) )?(?:analysis|commentary|essay|column|review|analyse|kommentar|"
    r"kolumne|reportage|rezension|chronique|tribune|análisis|columna|crónica|analisi|commento) (?:by|von|de|par|por|di))|"
    r"(?i:by|written by|words by|reported by|story by|article by|posted by|von|par|por|escrito por|scritto da|door|di):?|"
    r"de|av|af|przez|"
    r"(?i:author|autor|autorin|auteur|autore|autora|yazar|автор|text|texto|testo|texte|текст)\s*:)\s*"
    r"(?P<name>[A-Z\u00c0-\u024f\u0400-\u042f][\w.'’-]+(?:\s+(?:(?!(?:Updated|Published|Posted|Modified)\b)"
    r"[A-Z\u00c0-\u024f\u0400-\u042f][\w.'’-]+|"
    r"and|und|et|y|e|en|i|и|ve|&|,|de|van|von|der|den|da|di|du|le|la|del|dos|das|ter|ten)){0,8})"
    r"(?:\s*[,|•·–—-]\s*.{0,80}|\s+(?:on|at|am|le|el|il|em|the)\s+.{0,70}|"
    # "by Regan September 15, 2014", "By Umair Irfan Updated Nov 13, 2019": the date right after the name
    r"\s+(?:Updated|Published|Posted)\b.{0,60}|\s+(?=[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+[A-Z][a-z]{2,8}\.?\s+\d{4}).{0,60})?$",
)
#: the other names of a byline listing three or more ("By Owen Tasker, Priya Shah and Luis Ferreira"):
#: after the first name, only names, commas and a last "and"
_PERSON = r"[A-Z\u00c0-\u024f][\w.'’-]+(?:\s+(?:[A-Z\u00c0-\u024f][\w.'’-]+|de|van|von|der|da|di|le|la|del)){1,3}"
_MORE_NAMES = re.compile(rf",\s*(?:{_PERSON},\s*)*{_PERSON},?\s+(?:and|&|und|et|y|e|en|i|ve)\s+{_PERSON}\s*")
#: a name and the reporter's role, a byline without "By" ("Kirsty Wainwright Senior Reporter"); no word
#: of the name may be a word of a role ("Breaking News Reporter", "The Senior Reporter")
_ROLE = r"Reporter|Writer|Correspondent|Editor|Journalist|Columnist|Producer"  #: the role itself, last
_ROLE_WORDS = (
    r"Senior|Chief|Staff|Deputy|Associate|Assistant|Principal|Trainee|Political|Business|Sports?|Health|"
    r"Crime|Court|Education|Local|Democracy|Digital|News|Features|Showbiz|Consumer|Science|Environment|"
    rf"Technology|Tech|Investigations|Social|Affairs|Money|Breaking|The|Our|{_ROLE}"
)
_TRAILING_ROLE = re.compile(rf"(?:\s+(?:{_ROLE_WORDS}))*\s+(?:{_ROLE})$")
_NAME_WORD = rf"(?!(?:{_ROLE_WORDS})\b)[A-Z\u00c0-\u024f][\w.'’-]+"
_NAME_ROLE = re.compile(rf"^(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}),?\s+(?:(?:{_ROLE_WORDS})\s+){{0,2}}(?:{_ROLE})$")
_NAME_TOKEN = re.compile(r"^[A-Z\u00c0-\u00de\u0100-\u024f][a-z\u00df-\u00ff\u0100-\u024f'’.-]+$|^[A-Z]\.$")
#: month names (full and abbreviated) in en, de, fr, es, it, pt, nl, pl, ru, tr (Polish and Russian
#: in the genitive a date takes: "7 marca 2025", "18 июня 2025")
_MONTHS = (
    r"jan(uary|\.)?|feb(ruary|\.)?|mar(ch|\.)?|apr(il|\.)?|may|june?|july?|aug(ust|\.)?|sept?(ember|\.)?|"
    r"oct(ober|\.)?|nov(ember|\.)?|dec(ember|\.)?|"
    r"januar|februar|märz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|sep?tiembre|octubre|noviembre|diciembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    r"januari|februari|maart|mei|augustus|"
    r"stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|"
    r"января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    r"ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık"
)
#: each month's number, by the start of its name in any of those languages (``iso_date``)
_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            "jan januar janvier enero gennaio janeiro januari stycznia января ocak",
            "feb februar février febrero febbraio fevereiro februari lutego февраля şubat",
            "mar märz mars marzo março maart marca марта mart",
            "apr avril abril aprile kwietnia апреля nisan",
            "may mai mayo maggio maio mei maja мая mayıs",
            "jun juin junio giugno junho juni czerwca июня haziran",
            "jul juillet julio luglio julho juli lipca июля temmuz",
            "aug août agosto augustus sierpnia августа ağustos",
            "sep septembre septiembre setiembre settembre setembro września сентября eylül",
            "oct okt octobre octubre ottobre outubro oktober października октября ekim",
            "nov novembre noviembre novembro listopada ноября kasım",
            "dec dez décembre diciembre dicembre dezembro dezember grudnia декабря aralık",
        ),
        start=1,
    )
    for name in names.split()
}
_TIME = r"\d{1,2}[:.h]\d{2}(:\d{2})?\s*([ap]\.?\s?m\.?)?(\s*[A-Z]{2,4}\b)?"
_DATE = re.compile(
    rf"(\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}[-/.]\d{{2}}[-/.]\d{{2}}(T[\d:.]+(Z|[+-]\d{{2}}:?\d{{2}})?)?\b|"
    rf"\b({_MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}\b|"
    rf"\b\d{{1,2}}(st|nd|rd|th|er|º|°)?\.?\s+(de\s+)?({_MONTHS})\.?,?\s+(de\s+)?\d{{4}}\b)",
    re.I,
)
#: "Published", "Updated on", "Aktualisiert am", "Publié le", "Actualizado el", "Atualizado em", ...
_STAMP = (
    r"published|updated|posted|last updated|first published|modified|released|"
    r"veröffentlicht|aktualisiert|erstellt|stand|publié|mis à jour|modifié|publicado|actualizado|"
    r"atualizado|modificado|pubblicato|aggiornato|creato|기사입력|입력|수정|опубликовано|обновлено|"
    r"gepubliceerd|bijgewerkt|laatst bijgewerkt|opublikowano|aktualizacja|zaktualizowano|yayınlanma|"
    r"güncelleme|güncellenme|son güncelleme"
)
_WEEKDAY = (
    r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|"
    r"domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|segunda-feira|terça-feira|"
    r"quarta-feira|quinta-feira|sexta-feira"
)
_DATELINE = re.compile(
    rf"^(({_STAMP})(\s+(on|at|am|um|le|el|em|il|à|a las|às|alle))?\s*[:：]?\s*[\[(]?\s*)?"
    rf"(({_WEEKDAY}),?\s+)?(the\s+)?.{{0,6}}({_TIME}\s*,?\s*(({_WEEKDAY}),?\s+)?)?{_DATE.pattern}.{{0,40}}$",
    re.I,
)
#: "Updated at 1:23 p.m.", "2 days ago at 07:52 am", "vor 2 Stunden", "il y a 3 heures", "hace 2 horas"
_RELATIVE = re.compile(
    rf"^(({_STAMP})(\s+(on|at|am|um|le|el|em|il|à|às|alle))?\s*[:：]?\s*)?"
    rf"(\d+\s+(seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago|"
    rf"vor\s+\d+\s+(sekunden|minuten|stunden?|tagen?|wochen?)|il y a\s+\d+\s+(secondes?|minutes?|heures?|jours?)|"
    rf"hace\s+\d+\s+(segundos?|minutos?|horas?|días?)|há\s+\d+\s+(segundos?|minutos?|horas?|dias?)|"
    rf"\d+\s+(secondi|minuti|ore|giorni)\s+fa|(yesterday|today|gestern|heute|hier|aujourd'hui|ayer|hoy|ontem|hoje|"
    rf"ieri|oggi)\b|{_TIME})"
    rf"(\s*(at|um|à|a las|às|alle|,)?\s*{_TIME})?\s*$",
    re.I,
)
_BARE_TIME = re.compile(rf"^{_TIME}$", re.I)
_DIGIT = re.compile(r"\d")
#: the place a dateline starts with: "Madrid, 5 de marzo de 2025", "Rio de Janeiro, 5 de março de 2025"
#: (1–4 capitalised words, "de"/"am"/... between them, and a comma; case matters, unlike in the dates)
_PLACE = re.compile(
    r"[A-ZÀ-ÞĀ-ɏА-Я][^\W\d_]*\.?(?:[ -](?:(?:de|da|do|dos|del|la|le|am|an|der|di|sur|upon|on|el) )?"
    r"[A-ZÀ-ÞĀ-ɏА-Я][^\W\d_]*\.?){0,3},\s+"
)
_TIME_TAIL = re.compile(rf"[\s,|/·–—-]*((at|um|à|a las|às|alle)\s+)?({_TIME})?(\s*(uhr|h|hrs))?\s*", re.I)
#: a date stamp inside a short line: "New Delhi, Bureau | Updated : 19 November 2019, 09:01 AM"
_STAMPED = re.compile(rf"\b({_STAMP})(\s+(on|at|am|le|el|em|il))?\s*[:：]?\s*({_TIME}\s*,?\s*)?{_DATE.pattern}", re.I)


#: words that stamp a date in languages that write the day before the month
_DAY_FIRST = re.compile(
    r"\b(publicado|actualizado|atualizado|publié|mis à jour|modifié|veröffentlicht|aktualisiert|pubblicato|"
    r"aggiornato|gepubliceerd|bijgewerkt|opublikowano|aktualizacja|yayınlanma|güncelleme|опубликовано|"
    r"обновлено)|\d{1,2}h\d{2}\b|\d{1,2}[:.]\d{2} ?(uhr|h)\b",
    re.I,
)
_NUMERIC_DATE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\b|(?=T\d))|\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_NAMED_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTHS})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})|"
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s+(?:de\s+)?(?P<m2>{_MONTHS})\.?,?\s+(?:de\s+)?(?P<y2>\d{{4}}))\b",
    re.I,
)


def iso_date(line: str) -> str | None:
    """The day a date line names, as ``YYYY-MM-DD``; None when it names none or cannot be read for
    sure (a relative time, or "03/04/2025", which is March in the US and April elsewhere).

    >>> iso_date("Publié le 12 mars 2025 à 08h15"), iso_date("Updated 9:14 AM EDT, Wed July 16, 2025")
    ('2025-03-12', '2025-07-16')
    >>> iso_date("21.07.2025 - 13:45"), iso_date("11/19/2019"), iso_date("03/04/2025"), iso_date("3 hours ago")
    ('2025-07-21', '2019-11-19', None, None)
    >>> iso_date("Publicado: 03/04/2025 10:15h"), iso_date("Publié le 04/06/2025 à 17h40")
    ('2025-04-03', '2025-06-04')
    >>> iso_date("By Tim Childers - Live Science Contributor 2019-11-19T12:48:14Z Space")
    '2019-11-19'

    """
    m = _NAMED_DATE.search(line)
    if m:
        name = (m.group("m1") or m.group("m2")).lower().rstrip(".")
        month = next((n for key, n in _MONTH_NUMBERS.items() if name.startswith(key)), None)
        day, year = int(m.group("d1") or m.group("d2")), int(m.group("y1") or m.group("y2"))
        return _iso(year, month, day) if month else None
    m = _NUMERIC_DATE.search(line)
    if not m:
        return None
    if m.group(1):
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    first, second, year = int(m.group(4)), int(m.group(5)), int(m.group(6))
    # "21.07.2025", "20/01/2025", and a date stamped in a language that writes the day first
    if "." in m.group(0) or first > 12 or _DAY_FIRST.search(line):
        return _iso(year, second, first)
    if second > 12:  # "11/19/2019": month first
        return _iso(year, first, second)
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


#: a page's header lines (bylines, names, dates) are asked about by several rules, and site chrome
#: recurs across pages: the answers for this many distinct lines are remembered
_LINES_REMEMBERED = 8192


#: a byline that names no person, only a desk or a role ("By Staff Reporter", "By Web Desk")
_ROLE_ONLY = re.compile(
    r"(?i)(?:our |the )?(?:(?:staff|news|web|editorial|digital|online|city|foreign|metro|sports?|business)\s+)*"
    r"(?:staff|reporter|writer|correspondent|desk|team|editor|editors|staffers?)s?"
)
#: one of several reporters and the city each files from: "Sophie Marchetti in Zurich"
_LOCATED = re.compile(
    r"(?P<name>[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|der|da|di|le|la|del)){1,3})\s+in\s+"
    r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,2}"
)


def role_only(name: str) -> bool:
    """Does a byline's name name no person ("Staff Reporter", "News Desk", "Our Correspondent")?

    >>> role_only("Staff Reporter"), role_only("Web Desk"), role_only("Jane Doe")
    (True, True, False)
    """
    return _ROLE_ONLY.fullmatch(name.strip()) is not None


@lru_cache(maxsize=_LINES_REMEMBERED)
def located_byline(line: str) -> str | None:
    """The reporters of a byline that gives each one's city, without "By" ("Sophie Marchetti in Zurich
    and Tom Ashdown in London"), joined by "and"; two at least: one name and a city ("Heavy Rain in
    Madrid") is as often a headline.

    >>> located_byline("Sophie Marchetti in Zurich and Tom Ashdown in London")
    'Sophie Marchetti and Tom Ashdown'
    >>> located_byline("Heavy Rain in Madrid"), located_byline("Fire in Leeds and Flooding in York")
    (None, None)
    """
    parts = re.split(r",\s+(?:and\s+)?|\s+and\s+", line.strip())
    if not 2 <= len(parts) <= 4:
        return None
    names = []
    for part in parts:
        m = _LOCATED.fullmatch(part)
        if m is None or not person_name(m["name"]):
            return None
        names.append(m["name"])
    return " and ".join(names)


@lru_cache(maxsize=_LINES_REMEMBERED)
def byline(line: str) -> str | None:
    """The author named by a byline ("By Jane Doe", "Door Pieter de Vries", "Autor: Anna Nowak", "Kirsty
    Wainwright Senior Reporter"), else None."""
    m = _BYLINE.match(line.strip()) or _NAME_ROLE.match(line.strip())
    if m:
        name = m.group("name").strip(" ,")
        if _MORE_NAMES.fullmatch(m.string, m.end("name")):
            return m.string[m.start("name") :].strip()
        # "By Meg James Staff Writer": the role is no part of the name ("By Staff Reporter" keeps it)
        person = _TRAILING_ROLE.sub("", name)
        return name if not person or role_only(person) else person
    # two reporters at least, each "in" a city: a short line (prose says " in " all the time)
    return located_byline(line) if len(line) <= 150 and line.count(" in ") >= 2 else None


@lru_cache(maxsize=_LINES_REMEMBERED)
def person_name(line: str) -> bool:
    """Does the whole line look like a person's name (2–4 capitalised words)?"""
    tokens = line.strip().split()
    return 2 <= len(tokens) <= 4 and all(_NAME_TOKEN.match(t) for t in tokens) and not line.isupper()


#: a stamp glued onto the date before it ("16:42, 14 Aug 2025Updated 17:05, 14 Aug 2025")
_GLUED_STAMP = re.compile(r"(\d)(Updated|Published|Modified|Aktualisiert|Mis à jour|Actualizado|Atualizado|Aggiornato)")


@lru_cache(maxsize=_LINES_REMEMBERED)
def dateline(line: str) -> bool:
    """A line that is only a date, perhaps with "Published"/"Updated" and a time, in six languages;
    a relative time ("2 days ago", "vor 2 Stunden"); or a short line that stamps a date ("... | Updated: ...").

    >>> [dateline(s) for s in ("Published 2:16 AM EST Nov 20, 2019", "19. November 2019", "Updated at 1:23 p.m.")]
    [True, True, True]
    >>> dateline("The bridge closed on 3 May 2019 after a crack was found in its main span.")
    False
    """
    s = _GLUED_STAMP.sub(r"\1 \2", line.strip())
    if len(s) > 100:
        return False
    if _DIGIT.search(s) is None:
        # every date, time and stamp expression needs a digit: only a relative day ("yesterday") is left
        return len(s) <= 80 and _RELATIVE.match(s) is not None and not notice(s)
    if notice(s):
        return False
    if len(s) <= 80 and (_DATELINE.match(s) or (_RELATIVE.match(s) and not _BARE_TIME.match(s))):
        return True
    place = _PLACE.match(s)
    if place and len(s) <= 80:  # "Madrid, 5 de marzo de 2025": after the date, a time at most
        date = _DATE.match(s, place.end())
        if date and _TIME_TAIL.fullmatch(s, date.end()):
            return True
    return len(s.split()) <= 16 and not s.endswith(("!", "?")) and bool(_STAMPED.search(s))


#: a notice's "all rights reserved" in ten languages: where the holder's name ends
_RIGHTS = r"all rights|todos los derechos|tous droits|alle rechte|tutti i diritti|todos os direitos|wszelkie prawa|все права"
#: "© 2019 Reuters. All rights reserved", "Copyright © 2025 Cable News Network", "(c) 2019-2024 Vox Media, LLC"
_COPYRIGHT = re.compile(
    r"^\s*(?:(?:all )?content\s+(?=©))?(?:(?:©|\(c\)|copyright)\s*)+(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"[«\"“]?(?P<name>(?:(?-i:St|Mt|Ft|Pt)\.\s)?[^\W\d][^.|,©«»\"“”]{1,60}?)[»\"”]?\s*(?:\.|,|\||\s[-–—]\s|"
    rf"\b(?:{_RIGHTS})\b|\d{{4}}|$)",
    re.I,
)
#: the holder before the year: "Metrópoli Hoy © 2025. Todos los derechos reservados.", "The Exchange Review Ltd
#: 2026. All rights reserved."
_COPYRIGHT_AFTER = re.compile(
    rf"^\s*(?P<name>[^\W\d][^.|,©]{{1,60}}?)\s*(?:©|\(c\)|copyright)?\s*\d{{4}}\s*[.,]?\s*(?:all rights reserved|(?!all rights)(?:{_RIGHTS}))", re.I
)
#: a company's legal form after its name: the site is "Daily Clarion", not "Daily Clarion Ltd"
_LEGAL_FORM = re.compile(r"(?:,?\s+(?:Ltd|Limited|Private|Pvt|Inc|LLC|L\.L\.C|PLC|plc|GmbH|AG|S\.A|S\.L|SpA|S\.p\.A|Corp|Co)\.?)+$")
_COPYRIGHT_DOMAIN = re.compile(
    r"^\s*(?:(?:©|\(c\)|copyright)\s*)+(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?(?:www\.)?"
    r"(?P<domain>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|news|info|co\.uk|[a-z]{2}))\b(?!\.\w)",
    re.I,
)
#: between a page's headline and its site name in the page's title: "Headline - Site", "Headline | Site"
#: (not a colon: "Headline: live updates" goes on with the headline)
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*[|»]\s*")


def copyright_holder(line: str) -> str | None:
    """The name a copyright notice gives ("© 2019 Reuters. All rights reserved." -> "Reuters"), else None.

    >>> copyright_holder("© 2025 Cable News Network. A Warner Bros. Discovery Company."), copyright_holder("© 2019")
    ('Cable News Network', None)
    >>> copyright_holder("© 2025 www.gazette-online.co.uk. All rights reserved.")
    'gazette-online.co.uk'
    >>> copyright_holder("All content © 2025 Daily Clarion Ltd. All rights reserved.")
    'Daily Clarion'
    >>> copyright_holder("© 2025 Gazzetta del Lario - Tutti i diritti riservati")
    'Gazzetta del Lario'
    >>> copyright_holder("© 2025 «Сибирский курьер». Все права защищены.")
    'Сибирский курьер'
    >>> copyright_holder("Metrópoli Hoy © 2025. Todos los derechos reservados.")
    'Metrópoli Hoy'
    >>> copyright_holder("The Exchange Review Ltd 2026. All rights reserved."), copyright_holder("In 2019 all rights were sold.")
    ('The Exchange Review', None)

    """
    if len(line) > 200:
        return None
    domain = _COPYRIGHT_DOMAIN.match(line)
    if domain:  # "© 2025 www.gazette.com. All rights reserved."
        return domain["domain"]
    m = _COPYRIGHT.match(line) or _COPYRIGHT_AFTER.match(line)
    if m is None:
        return None
    name = _LEGAL_FORM.sub("", m["name"].strip(" -–—:;"))
    words = name.split()
    if not 1 <= len(words) <= 8 or name.lower().startswith(("all rights", "by ")):
        return None
    return name


def title_suffix(first: str, title: str) -> str | None:
    """What a page's first line (its ``<title>``, "Headline - Site Name") adds after the headline: the
    site's name, the last part when there are several ("Headline | Section | Site"); else None.

    >>> title_suffix("Bridge to close after crack found - The Gazette", "Bridge to close after crack found")
    'The Gazette'
    >>> title_suffix("Bridge to close: live updates", "Bridge to close"), title_suffix("Bridge to closed", "Bridge to close")
    (None, None)
    """
    if len(first) <= len(title) or not first.lower().startswith(title.lower()):
        return None
    rest = first[len(title) :]
    if not _TITLE_SEPARATOR.match(rest):  # the headline goes on ("Headline: live updates")
        return None
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(rest) if p.strip()]
    if not parts:
        return None
    name = parts[-1]
    return name if 1 <= len(name.split()) <= 8 else None


def names_date(line: str) -> bool:
    """Does the line name a calendar date ("14 March 2025", "2025-03-14"), not only a time or a
    relative one ("Updated 3 hours ago")? The publication date a page gives is then the one to keep.

    >>> names_date("March 14, 2025 10:42 AM UTC"), names_date("Updated 3 hours ago")
    (True, False)
    """
    return _DATE.search(line) is not None


def headline_like(line: str) -> bool:
    """Could this line be a headline (short, unterminated or a question)?"""
    words = line.split()
    # a quote ends in its closing mark: '"... about eyepieces."' is a sentence, not a headline
    end = line.rstrip().rstrip("\"'”’»")
    return 3 <= len(words) <= 30 and not end.endswith((".", ",", ";", ":")) and len(line) <= 250


_CAPITALISED = re.compile(r"^[\"'“‘(\[]?[A-ZÀ-ÞĀ-ɏА-ЯΑ-Ω]")


def title_case(line: str) -> bool:
    """A headline in title case that ends like a question or exclamation (4–20 words, 60 % of the
    words that start with a letter capitalised, not ending in a full stop).

    >>> title_case("Does Marie Doe Have a Net Worth of $17 Million?"), title_case("Remember the town's quest for a slogan?")
    (True, False)
    """
    words = line.split()
    if not 4 <= len(words) <= 20 or not headline_like(line):
        return False
    lettered = [w for w in words if any(c.isalpha() for c in w[:2])]
    return bool(lettered) and sum(bool(_CAPITALISED.match(w)) for w in lettered) >= 0.6 * len(lettered)


def shouted_headline(line: str) -> bool:
    """A headline of 8+ words in capitals, not a question: a link to another story set between the
    story's paragraphs ("SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS'"); a story's own
    capitalised subheadings are short ("WHAT YOU NEED TO KNOW") or ask something.

    >>> shouted_headline("LAUREN ALAINA SAYS 'DWTS' HAS HELPED HER LOSE 25 POUNDS"), shouted_headline("HOW TO USE A WATER BATH CANNER")
    (True, False)
    """
    words = line.split()
    if len(words) < 8 or len(words) > 30 or line.rstrip().endswith(("?", ".")) or "|" in line:  # "| HD | ... |": a table
        return False
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


@lru_cache(maxsize=1)
def _notice_rules() -> re.Pattern[str]:
    text = resources.files("cleaner.data").joinpath("notices.txt").read_text("utf-8")
    rules = [x.strip() for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    return re.compile("|".join(f"(?:{r})" for r in rules))


def notice(line: str) -> bool:
    """An editor's note, correction or update notice (``data/notices.txt``): part of the story, not a
    date line, though it names a date. A notice is a sentence: 5+ words, ending in . ! ? or ).

    >>> notice("Correction, Nov. 15, 2019: This article originally misidentified the publisher.")
    True
    >>> notice("Updated: 18 Nov 2019 9:38 pm"), notice("Updated on: November 19, 2019 / 10:07 AM / CBS News")
    (False, False)
    """
    s = line.strip()
    if not 5 <= len(s.split()) <= 80 or not s.rstrip("\"'”’").endswith((".", "!", "?", ")")):
        return False
    if _DATELINE.match(s) or _RELATIVE.match(s):  # "Updated: Nov. 19, 2019, 6:18 p.m." is only a date
        return False
    return bool(_notice_rules().match(phrases.normalise(s)))
