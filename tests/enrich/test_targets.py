"""Targets: one small text per rule (see the docstring of enrich/targets.py)."""

from dataclasses import dataclass

from unspin.enrich import enrich

NC, LL, DOUBT, FEAR, FLAG = ("Name_Calling,Labeling", "Loaded_Language", "Doubt",
                             "Appeal_to_fear-prejudice", "Flag-Waving")


@dataclass(frozen=True)
class S:
    start: int
    end: int
    technique: str


def target(text, part, technique=LL):
    i = text.index(part)
    found = enrich(text, [S(i, i + len(part), technique)]).targets
    assert all(text[t.start:t.end] == t.text for t in found)
    return found[0].entity if found else None


def test_copula_subject_beats_a_group_noun_inside():
    text = ("Critics were unimpressed by Paul Okafor. Okafor is a fearmonger who wants a "
            "police state, they said.")
    assert target(text, "a fearmonger who wants a police state", NC) == "Paul Okafor"


def test_copula_subject_after_an_adverb_and_a_family_name():
    text = ("Dwight Hammond and Steven Hammond were pardoned. The Hammonds are devoted family "
            "men. Tom Reed long has been one of Hammond's loudest critics.")
    assert target(text, "devoted family men", NC) == "Hammonds"
    # the possessor inside the span is not its target; the subject before "has been" is
    assert target(text, "one of Hammond's loudest critics", NC) == "Tom Reed"


def test_noun_inside_a_prepositional_phrase_is_not_the_subject():
    text = "The risk of the virus spreading within Congo is very high, officials warned."
    assert target(text, "very high", FEAR) is None


def test_the_head_the_span_modifies():
    text = "Ana Ruiz spoke at length about just how evil and awful conservative opponents are."
    assert target(text, "just how evil and awful") == "opponents"


def test_a_name_after_a_determiner_and_the_span():
    text = ("Louis Farrakhan spoke. Mark Dunn met the press. Then came the openly racist "
            "Farrakhan with his aides.")
    assert target(text, "openly racist", NC) == "Louis Farrakhan"


def test_regime_stands_for_its_country_or_for_no_one():
    assert target("Damascus fell quiet. The Syrian regime is brutal and corrupt.",
                  "brutal and corrupt") == "Syria"
    text = ("Officials in Madagascar counted the dead. Ana Rabe believes the country's "
            "cash-strapped government is exaggerating.")
    assert target(text, "cash-strapped") == "Madagascar"
    assert target("We all know the regime is lying to us again.", "lying to us", DOUBT) is None


def test_insults_are_not_groups():
    text = "Ben Cole and his crackpots marched again."
    t = enrich(text, [S(text.index("crackpots"), text.index("crackpots") + 9, NC)]).targets[0]
    assert (t.entity, t.how) == ("Ben Cole", "possessive")
    text = "Those lunatics will ruin everything."
    assert target(text, "lunatics", NC) is None


def test_speaker_of_the_quote_is_not_its_target():
    text = '"This country is being ripped apart by cowards," Jeff Flake said on Friday.'
    assert target(text, "cowards", NC) is None


def test_a_pronoun_inside_the_span_resolves():
    text = "Don Lemon spoke on CNN. How can he contradict himself like that?"
    assert target(text, "How can he contradict himself like that", DOUBT) == "Don Lemon"


def test_pronouns_follow_gender():
    text = ("Mayor Libby Schaaf tweeted a warning. Thomas Homan called it reckless. She "
            "betrayed the city.")
    assert target(text, "betrayed") == "Libby Schaaf"
    assert target(text.replace("She", "He"), "betrayed") == "Thomas Homan"


def test_relative_clause_after_a_role_noun():
    text = ("Libby Schaaf, the Democratic mayor of Oakland, spoke. Many were tipped off by a "
            "Democrat mayor who betrayed the citizens.")
    assert target(text, "who betrayed") == "Libby Schaaf"


def test_flag_waving_names_the_country_first():
    text = "No nation has a more dedicated group of investigators than the United States."
    assert target(text, text[:-1], FLAG) == "United States"


def test_a_country_as_a_place_is_not_an_actor():
    text = "The fears that the black death would spread from Madagascar have taken hold."
    assert target(text, "black death", NC) is None


def test_appeal_to_fear_does_not_blame_who_warns():
    text = "The disease could move into nine countries, the World Health Organization warned."
    assert target(text, "The disease could move into nine countries", FEAR) is None


def test_possessive_needs_lower_case_words_between():
    text = "As The American Mirror's Kyle Olsen concludes so eloquently, the plan failed."
    assert target(text, "concludes so eloquently") == "Kyle Olsen"


def test_a_country_in_a_title_case_headline_quote():
    text = ("Candidate Ilhan Omar Defends Tweet On “Evil Doings Of Israel”\n\n"
            "Ilhan Omar spoke in Minneapolis. Critics of Israel replied.")
    assert target(text, "Evil Doings Of Israel") == "Israel"
