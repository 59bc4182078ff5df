"""Metadata helpers: dates, names, tags and the language guess never invent a value."""

import pytest

from unspin.ingest._meta import find_date, guess_language, looks_like_name, split_names, split_tags


@pytest.mark.parametrize("text, iso", [
    ("Global Research, December 19, 2015", "2015-12-19"),
    ("[CounterPunch](#) 18 December 2015", "2015-12-18"),
    ("Saturday, Dec. 19th, 2015", "2015-12-19"),
    ("19th of December, 2015", "2015-12-19"),
    ("2015-12-19T08:00:00+01:00", "2015-12-19"),
    ("Sept 3 2019", "2019-09-03"),
    ("posted 19/12/2015", "2015-12-19"),
    ("posted 12/19/2015", "2015-12-19"),
    ("posted 03/04/2015", None),  # day and month cannot be told apart
    ("February 30, 2015", None),
    ("no date here", None),
    ("in 2015 the war", None),
])
def test_find_date(text, iso):
    found = find_date(text)
    assert (found.iso if found else None) == iso


def test_find_date_reports_where():
    found = find_date("Global Research, December 19, 2015")
    assert "Global Research, December 19, 2015"[found.start:found.end] == "December 19, 2015"


@pytest.mark.parametrize("text, names", [
    ("Mike Whitney", ["Mike Whitney"]),
    ("Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Ann Poe, Bo Li & Cy Ng", ["Ann Poe", "Bo Li", "Cy Ng"]),
    ("Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("Reuters", ["Reuters"]),
    ("the editors", []),
    ("our staff, 3 hours ago", []),
])
def test_split_names(text, names):
    assert split_names(text) == names


def test_looks_like_name_rejects_sentences():
    assert not looks_like_name("the way, he said")
    assert not looks_like_name("Washington wants something")  # 'wants' is not capitalised


def test_split_tags():
    assert split_tags(["Middle East & North Africa, Russia and FSU, USA", "usa", "SYRIA"]) == [
        "Middle East & North Africa", "Russia and FSU", "USA", "SYRIA"]
    assert split_tags(["Housing; City Hall | Budget"]) == ["Housing", "City Hall", "Budget"]


def test_guess_language():
    english = "The council said that it was going to repair the bridge before the winter. " * 5
    french = "Le conseil a dit que la ville va réparer le pont avant l'hiver et pour les gens. " * 5
    assert guess_language(english) == "en"
    assert guess_language(french) == "fr"
    assert guess_language("Too short to tell.") is None
    assert guess_language("Lorem ipsum dolor sit amet consectetur adipiscing elit " * 10) is None
