"""Language detection: the stopword fast path answers only when clear, and agrees with langdetect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.language import UNDETERMINED, detect, langdetect, language, stopword_vote

PROSE = {
    "en": "The council voted on Monday to close the old bridge to all traffic from next week, and the "
    "mayor said that it would not open again before the spring because the repairs were more "
    "extensive than the engineers had expected when they first looked at it.",
    "de": "Der Stadtrat hat am Montag beschlossen, die alte Brücke ab der nächsten Woche für den "
    "gesamten Verkehr zu sperren, und der Bürgermeister sagte, dass sie nicht vor dem Frühjahr "
    "wieder geöffnet werde, weil die Reparaturen umfangreicher seien als erwartet.",
    "es": "El ayuntamiento votó el lunes cerrar el viejo puente a todo el tráfico a partir de la "
    "próxima semana, y el alcalde dijo que no se volvería a abrir antes de la primavera porque "
    "las reparaciones eran más importantes de lo que los ingenieros habían previsto.",
    "fr": "Le conseil municipal a voté lundi la fermeture du vieux pont à toute circulation à partir "
    "de la semaine prochaine, et le maire a déclaré qu'il ne rouvrirait pas avant le printemps car "
    "les réparations sont plus importantes que ce que les ingénieurs avaient prévu.",
}


@pytest.mark.parametrize("lang", sorted(PROSE))
def test_prose_takes_the_fast_path_and_agrees_with_langdetect(lang):
    text = PROSE[lang]
    # close languages (es/pt/gl) may leave the margin unclear: then the vote abstains
    assert stopword_vote(text) in ((lang, None) if lang == "es" else (lang,))
    assert langdetect(text) == lang
    assert detect(text) == lang


def test_unclear_text_falls_back_to_langdetect():
    # no stopwords to vote with (Japanese has no stoplist, a list of names has no function words)
    for text in (
        "東京都は月曜日、古い橋を来週から全面通行止めにすると発表した。",
        "Apple Samsung Nokia Huawei Sony",
    ):
        assert stopword_vote(text) is None
        assert detect(text) == langdetect(text)


def test_mixed_text_is_not_decided_by_the_vote():
    mixed = PROSE["en"][:120] + " " + PROSE["de"][:120]
    assert stopword_vote(mixed) is None


def test_text_without_letters_is_undetermined():
    assert detect("12 345 — 678 !!!") == UNDETERMINED
    assert detect("") == UNDETERMINED


def test_seeds_agree_with_langdetect_on_the_whole_text(seeds_dir):
    texts = [p.read_text("utf-8") for p in sorted(seeds_dir.rglob("*.txt"))]
    assert texts
    for text in texts:
        assert detect(text) == langdetect(text)


def test_language_filter_rejects_with_reason():
    doc = language(Document(source="a.txt", text=PROSE["de"]), ("en",))
    assert doc.lang == "de"
    assert doc.rejected == "language de not in --lang en"
    assert json.dumps(doc.rejected)


SAMPLES = json.loads((Path(__file__).parent / "data" / "language" / "news_samples.json").read_text("utf-8"))


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_news_in_25_languages_agrees_with_langdetect(code):
    """Close languages (es/pt/gl/ca, cs/sk, da/no/sv, hr/sl, ru/uk/bg/mk) agree whichever path answers;
    the vote answers most of them."""
    for text in (SAMPLES[code], SAMPLES[code] + " " + SAMPLES[code]):
        assert detect(text) == langdetect(text)


def test_the_vote_answers_most_of_the_samples():
    answered = [code for code, text in SAMPLES.items() if stopword_vote(text) is not None]
    assert len(answered) >= 20 and {"pt", "ru", "uk", "bg"} <= set(answered)


def test_letters_a_language_does_not_write_rule_it_out():
    from cleaner.language import MIN_FOREIGN_LETTERS, _letters, _ruled_out

    writes, has = _letters()
    assert "ы" in writes["ru"] and "ы" not in has["bg"] and "ы" not in has["uk"]
    assert "і" in writes["uk"] and "і" not in has["ru"]
    assert _ruled_out(["bg", "uk"], "ru", SAMPLES["ru"])
    assert _ruled_out(["ru"], "uk", SAMPLES["uk"])
    # Bulgarian writes no letter Russian lacks ("ъ", "щ" are Russian too): Russian stays in
    assert not _ruled_out(["ru"], "bg", SAMPLES["bg"])
    # a short Russian quote in a Bulgarian text: fewer foreign letters than the rule needs
    quote = " «Мы были там», каза той."
    assert quote.count("ы") < MIN_FOREIGN_LETTERS
    assert not _ruled_out(["bg"], "ru", SAMPLES["bg"] + quote)
    # a language without a langdetect profile (Serbian has none) is never ruled out
    assert not _ruled_out(["sr"], "mk", SAMPLES["mk"])
