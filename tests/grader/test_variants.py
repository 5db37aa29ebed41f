"""Wrong variants as patches: written, read, applied strictly, and checked against the prompt."""

from __future__ import annotations

import pytest

from grader import variants
from grader.catalog import Catalog


def test_the_fixture_variant_rebuilds_the_mistake(adder, tmp_path):
    variant = variants.load(adder.wrong_patches[0])
    assert variant.name == "off-by-one"
    assert variant.breaks == "`add(a, b)` returns `a + b`."
    assert variant.mistake == "adds one too many."
    variants.materialise(variant, adder.solution_root, tmp_path)
    assert "return a + b + 1" in (tmp_path / "calc.py").read_text()
    assert not (tmp_path / "wrong").exists() and not (tmp_path / "alternatives").exists()


def test_make_patch_round_trips_edits_and_new_files(adder, tmp_path):
    edited = tmp_path / "edited"
    edited.mkdir()
    source = (adder.solution_root / "calc.py").read_text()
    (edited / "calc.py").write_text(source.replace("return -x", "return x") + "\n# end")
    (edited / "extra.py").write_text("X = 1\n")
    text = variants.make_patch(
        adder.solution_root, edited, ["calc.py", "extra.py"], "`neg(x)`  returns\n `-x`.", "sign"
    )
    assert text.startswith('Breaks: "`neg(x)` returns `-x`."\nMistake: sign\n')
    patch = tmp_path / "wrong" / "sign.patch"
    patch.parent.mkdir()
    patch.write_text(text)
    out = tmp_path / "out"
    variants.materialise(variants.load(patch), adder.solution_root, out)
    assert (out / "calc.py").read_text() == (edited / "calc.py").read_text()
    assert (out / "extra.py").read_text() == "X = 1\n"


def test_identical_files_make_no_patch(adder):
    with pytest.raises(variants.VariantError, match="identical"):
        variants.make_patch(adder.solution_root, adder.solution_root, ["calc.py"], "x", "")


def test_a_patch_that_no_longer_applies_names_its_hunk(copy_catalog, tmp_path):
    exercise = Catalog(copy_catalog).get("9.1.1")
    reference = exercise.solution_root / "calc.py"
    reference.write_text(reference.read_text().replace("return a + b", "return b + a"))
    with pytest.raises(variants.VariantError, match="hunk 1 of calc.py no longer applies"):
        variants.materialise(
            variants.load(exercise.wrong_patches[0]), exercise.solution_root, tmp_path
        )


@pytest.mark.parametrize(
    "header, problem",
    [
        ('Breaks: "`add(a, b)` returns `a + b + 2`."\n', "not in the prompt"),
        ("Mistake: no quote\n", 'needs Breaks: "'),
    ],
)
def test_lint_reports_a_breaks_sentence_missing_from_the_prompt(copy_catalog, header, problem):
    exercise = Catalog(copy_catalog).get("9.1.1")
    patch = exercise.wrong_patches[0]
    patch.write_text(header + "\n--- " + patch.read_text().split("\n--- ", 1)[1])
    found = variants.problems(exercise.solution_root, exercise.prompt_path.read_text())
    assert len(found) == 1 and problem in found[0] and "off-by-one.patch" in found[0]


@pytest.mark.parametrize("target", ["../evil.py", "/etc/passwd"])
def test_paths_outside_the_solution_are_refused(tmp_path, target):
    patch = tmp_path / "bad.patch"
    patch.write_text(f'Breaks: "x"\n\n--- a/{target}\n+++ b/{target}\n@@ -1 +1 @@\n-a\n+b\n')
    with pytest.raises(variants.VariantError):
        variants.load(patch)


def test_a_patch_outside_the_learner_files_is_reported(copy_catalog):
    exercise = Catalog(copy_catalog).get("9.1.1")
    (exercise.solution_root / "wrong" / "extra.patch").write_text(
        'Breaks: "`neg(x)` returns `-x`."\n\n--- /dev/null\n+++ b/extra.py\n@@ -0,0 +1 @@\n+X = 1\n'
    )
    found = variants.problems(
        exercise.solution_root, exercise.prompt_path.read_text(), list(exercise.meta.files)
    )
    assert found == ["wrong/extra.patch changes files not in exercise.toml: ['extra.py']"]
