from __future__ import annotations

import pytest

from grader.catalog import Catalog, load_meta
from grader.errors import CatalogError, SelectionError

TOML = "exercises/9.1-fixture-topic/9.1.1-adder/exercise.toml"


def test_fixture_catalog_loads(catalog):
    [exercise] = catalog.exercises
    assert exercise.id == "9.1.1"
    assert exercise.meta.files == ["calc.py"]
    assert [w.stem for w in exercise.wrong_patches] == ["off-by-one"]


def test_unknown_key_is_rejected_with_its_name(copy_catalog):
    path = copy_catalog / TOML
    path.write_text(path.read_text().replace('kind = "code"', 'kind = "code"\ncolour = "red"'))
    with pytest.raises(CatalogError) as err:
        load_meta(path)
    assert "colour: unknown key" in err.value.message
    assert "exercises/README.md" in err.value.next_step


def test_unsupported_schema_version_is_rejected(copy_catalog):
    path = copy_catalog / TOML
    path.write_text(path.read_text().replace("schema_version = 1", "schema_version = 2"))
    with pytest.raises(CatalogError, match="schema_version"):
        load_meta(path)


def test_tasks_must_be_numbered_in_order(copy_catalog):
    path = copy_catalog / TOML
    path.write_text(path.read_text().replace("id = 2\n", "id = 3\n"))
    with pytest.raises(CatalogError, match="numbered 1..2"):
        load_meta(path)


def test_bad_toml_names_the_file(copy_catalog):
    path = copy_catalog / TOML
    path.write_text("schema_version = = 1")
    with pytest.raises(CatalogError, match="exercise.toml"):
        load_meta(path)


def test_folder_must_match_id_and_slug(copy_catalog):
    folder = copy_catalog / "exercises/9.1-fixture-topic/9.1.1-adder"
    folder.rename(folder.with_name("9.1.1-summer"))
    with pytest.raises(CatalogError, match="9.1.1-adder"):
        _ = Catalog(copy_catalog).exercises


@pytest.mark.parametrize("selector", ["all", "9", "9.1", "9.1.1", "adder", "9.1.1-adder"])
def test_selectors_resolve(catalog, selector):
    assert [e.id for e in catalog.select([selector])] == ["9.1.1"]


def test_a_selection_reads_only_its_own_metadata(copy_catalog):
    """`grade 9.1` reads the topic's exercise.toml files, not the whole course's: another
    exercise's broken file stops neither a student nor a teacher grading this one, while the
    whole catalog (`all`, `grade lint`) still reports it."""
    broken = copy_catalog / "exercises/9.2-other-topic/9.2.1-broken"
    broken.mkdir(parents=True)
    (broken / "exercise.toml").write_text("schema_version = = 1")
    catalog = Catalog(copy_catalog)
    assert [e.id for e in catalog.select(["9.1"])] == ["9.1.1"]
    assert [e.id for e in catalog.select(["adder", "9.1.1"])] == ["9.1.1"]
    for whole in (["all"], ["9.2"]):
        with pytest.raises(CatalogError, match="9.2.1-broken"):
            Catalog(copy_catalog).select(whole)


def test_a_folder_named_against_its_metadata_is_refused_when_selected(copy_catalog):
    toml = copy_catalog / TOML
    toml.write_text(toml.read_text().replace('slug = "adder"', 'slug = "summer"'))
    with pytest.raises(CatalogError, match="9.1.1-summer"):
        Catalog(copy_catalog).select(["9.1.1"])


@pytest.mark.parametrize("selector", ["8", "9.2", "9.1.2", "nope", "9.11"])
def test_unknown_selector_is_a_clear_error(catalog, selector):
    with pytest.raises(SelectionError) as err:
        catalog.select([selector])
    assert selector in err.value.message
    assert "grade list" in err.value.next_step


def test_real_catalog_is_valid():
    from grader.catalog import load_catalog

    exercises = load_catalog().exercises
    assert exercises, "the project ships exercises"
    assert len({e.id for e in exercises}) == len(exercises)


def test_topics_are_titled_as_the_curriculum_names_them(adder):
    from grader.catalog import load_catalog, topic_title, topic_titles

    catalog = load_catalog()
    titles = topic_titles(catalog.root)
    assert titles["1.1"] == "What is an API?"
    assert {e.meta.topic for e in catalog.exercises} <= set(titles)
    assert topic_title(adder, {}) == "Fixture topic"  # no table: from the folder name
