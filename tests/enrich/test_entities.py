"""Entities: what counts as a name and how names merge (see enrich/entities.py)."""

import pytest

from unspin.enrich import enrich
from unspin.enrich.entities import canonical_name, merge_names


def entity_names(text):
    return {e.name: e.kind for e in enrich(text).entities}


def test_names_merge_within_an_article():
    text = ("President Donald J. Trump spoke. Donald Trump left. Mr. Trump came back, and "
            "Trump smiled. Donald Trump Jr. waved.")
    ents = enrich(text).entities
    trump = next(e for e in ents if e.name == "Donald Trump")
    assert len(trump.mentions) == 4
    assert any(e.name == "Donald Trump Jr." for e in ents)


def test_canonical_name_and_merge_names():
    assert canonical_name("Mr. Donald J. Trump") == "Donald Trump"
    assert canonical_name("Donald Trump Jr") == "Donald Trump Jr."
    merged = merge_names(["Trump", "Donald J. Trump", "Donald Trump", "Hillary", "Hillary Clinton",
                          "Sessions"])
    assert merged == {"Trump": "Donald Trump", "Donald J. Trump": "Donald Trump",
                      "Donald Trump": "Donald Trump", "Hillary": "Hillary Clinton",
                      "Hillary Clinton": "Hillary Clinton", "Sessions": "Sessions"}


@pytest.mark.parametrize("text, absent", [
    ("The quote comes from an article called “Hating Hillary”, written by Gates.",
     "Hating Hillary"),
    ("Read the Terms of Use and Grants of Executive Clemency here.", "Terms of Use"),
    ("Their crackpots and the regime agree.", "crackpots"),
])
def test_not_names(text, absent):
    assert absent not in entity_names(text) or entity_names(text)[absent] == "other"


def test_names_do_not_run_over_a_line_break():
    names = entity_names("The piece was written by our own Tyler Durden, Zero Hedge\n"
                         "Being late is fine, said the editor.")
    assert "Zero Hedge" in names and not any("\n" in n for n in names)


def test_a_sentence_crowded_with_names_is_not_a_headline():
    text = ("Today, President Donald J. Trump signed Executive Grants of Clemency for Dwight "
            "Lincoln Hammond, Jr., and his son, Steven Hammond.")
    assert "Donald Trump" in entity_names(text)


def test_headline_keeps_names_the_body_uses():
    text = ("Candidate Ilhan Omar Defends Tweet On “Evil Doings Of Israel”\n\n"
            "Ilhan Omar spoke in Minneapolis. Critics of Israel replied.")
    names = entity_names(text)
    assert "Ilhan Omar" in names and names.get("Israel") == "country"


def test_sentence_initial_surname_and_family_plural():
    text = ("Officials named Victor Hale on Monday. Hale denied it. The Hales say they are "
            "innocent.")
    names = entity_names(text)
    assert names.get("Victor Hale") == "person" and names.get("Hales") == "group"
    assert "Hale" not in names  # merged into Victor Hale


def test_groups_are_named_in_the_plural():
    assert entity_names("He attacked that Satanic Jew again.").get("Jews") == "group"


def test_us_alone_is_the_country_and_states_are_places():
    names = entity_names("The money went to the U.S. government. Trump Oregon ranchers cheered.")
    assert names.get("United States") == "country"
    assert names.get("Trump Oregon", "other") == "other"
