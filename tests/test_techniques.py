"""The taxonomies: the 2020 fourteen unchanged, the 2023 twenty-three complete and consistent,
the 23->14 mapping total, every name round-trips, the colours stay apart in a legend."""

import math

import pytest

from unspin import techniques as tx
from unspin.errors import ConfigError
from unspin.techniques import TAXONOMY_2020, TAXONOMY_2023, taxonomy

GROUPS_2023 = ("Attack on Reputation", "Justification", "Distraction", "Simplification", "Call",
               "Manipulative Wording")


def test_default_is_2020_and_the_module_api_is_its():
    assert taxonomy() is TAXONOMY_2020 and tx.DEFAULT_TAXONOMY == "2020"
    assert TAXONOMY_2020.ids == tx.TECHNIQUE_IDS and len(tx.TECHNIQUE_IDS) == 14
    for name in ("Straw_Men", "name calling, labeling", "FEA", "Bandwagon"):
        assert TAXONOMY_2020.normalize(name) == tx.normalize(name) is not None


def test_2023_has_23_techniques_in_six_groups():
    t = taxonomy("2023")
    assert len(t.ids) == len(set(t.ids)) == 23
    assert tuple(g for g, _ids in t.groups) == GROUPS_2023
    grouped = [i for _g, ids in t.groups for i in ids]
    assert sorted(grouped) == sorted(t.ids)
    assert len({x.code for x in t.techniques}) == 23
    assert len({x.name for x in t.techniques}) == 23
    for x in t.techniques:
        assert x.definition.endswith(".") and x.example and x.name


def test_the_19_labelled_techniques_are_the_data_s(semeval23_dir):
    names = (semeval23_dir / "techniques23.txt").read_text().split()
    t = taxonomy("2023")
    assert set(names) <= set(t.ids)
    assert set(t.ids) - set(names) == set(t.unlabelled)
    assert len(t.unlabelled) == 4


def test_mapping_to_2020_is_total_and_lands_on_2020_ids():
    t = taxonomy("2023")
    assert set(t.mapping_2020) == set(t.ids)
    for tid in t.ids:
        target = t.to_2020(tid)
        assert target is None or target in tx.TECHNIQUE_IDS
    assert {t.to_2020(i) for i in t.ids} - {None} == set(tx.TECHNIQUE_IDS)
    for new in t.unlabelled + ("Obfuscation-Vagueness-Confusion",):
        assert t.to_2020(new) is None
    for split in ("Straw_Man", "Red_Herring", "Whataboutism", "Appeal_to_Hypocrisy"):
        assert t.to_2020(split) == "Whataboutism,Straw_Men,Red_Herring"
    assert all(TAXONOMY_2020.to_2020(i) == i for i in TAXONOMY_2020.ids)


@pytest.mark.parametrize("name", ["2020", "2023"])
def test_names_round_trip(name):
    t = taxonomy(name)
    for x in t.techniques:
        for spelling in (x.id, x.name, x.code, x.id.lower().replace("_", " ")):
            assert t.normalize(spelling) == x.id, spelling
        assert t.get(x.name) is x


def test_2023_reads_2020_spellings_that_name_one_technique():
    t = taxonomy("2023")
    assert t.normalize("Name_Calling,Labeling") == "Name_Calling-Labeling"
    assert t.normalize("Black-and-White_Fallacy") == "False_Dilemma-No_Choice"
    assert t.normalize("Thought-terminating_Cliches") == "Conversation_Killer"
    assert t.normalize("Whataboutism,Straw_Men,Red_Herring") is None  # several here
    with pytest.raises(ConfigError, match="--taxonomy 2023"):
        t.get("Bandwagon,Reductio_ad_hitlerum")


def test_unknown_taxonomy_is_a_config_error():
    with pytest.raises(ConfigError, match="known: 2020, 2023"):
        taxonomy("2019")


def _lab(colour: str) -> tuple[float, float, float]:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    m = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
    xyz = [sum(a * b for a, b in zip(row, lin)) / w
           for row, w in zip(m, (0.95047, 1.0, 1.08883))]
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _closest(colours) -> float:
    labs = [_lab(c) for c in colours]
    return min(math.dist(a, b) for i, a in enumerate(labs) for b in labs[i + 1:])


def test_2023_colours_stay_apart_and_light():
    colours = [x.colour for x in TAXONOMY_2023.techniques]
    assert len(set(colours)) == 23
    # no pair closer than the closest pair of the 2020 legend, every one light under dark text
    assert _closest(colours) >= _closest([x.colour for x in tx.TECHNIQUES]) - 1e-9
    assert min(_lab(c)[0] for c in colours) >= 65


def test_shared_ids_keep_their_2020_technique():
    for tid in set(TAXONOMY_2023.ids) & set(tx.TECHNIQUE_IDS):
        assert TAXONOMY_2023.by_id[tid] is tx.BY_ID[tid]
    assert tx.ALL_IDS == set(TAXONOMY_2023.ids) | set(tx.TECHNIQUE_IDS)


def test_table_groups_and_marks_undetected():
    spoken = set(TAXONOMY_2023.ids) - {"Appeal_to_Time"}
    out = TAXONOMY_2023.table(100, spoken)
    for g in GROUPS_2023:
        assert f"== {g} ==" in out
    assert out.count(tx.NOT_DETECTED) == 1
    block = out[out.index("Appeal_to_Time"):]
    assert block.index(tx.NOT_DETECTED) < block.index("\n\n")
    # without a model, the four no labelled article carries are said to have no data
    assert TAXONOMY_2023.table(100).count(tx.NO_DATA) == 4
    assert tx.NO_DATA not in TAXONOMY_2020.table(100)


def test_listing_rows():
    rows = tx.listing(TAXONOMY_2023)
    assert [r["id"] for r in rows] == list(TAXONOMY_2023.ids)
    assert {r["group"] for r in rows} == set(GROUPS_2023)
    assert all("detected" not in r for r in rows)
    assert tx.listing(TAXONOMY_2020) == [
        {"id": t.id, "name": t.name, "code": t.code, "definition": t.definition,
         "example": t.example, "colour": t.colour} for t in tx.TECHNIQUES]
