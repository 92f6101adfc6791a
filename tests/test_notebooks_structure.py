"""Every analysis notebook follows the house rules (nbval checks their outputs separately)."""

import json
from pathlib import Path

import pytest

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
EXPECTED = ["0.01", "1.01", "2.01", "2.02", "2.03", "2.04", "2.05", "3.01", "4.01"]


def _cells(nb_path):
    return json.loads(nb_path.read_text(encoding="utf-8"))["cells"]


def test_all_phases_present():
    prefixes = {p.name.split("-")[0] for p in NOTEBOOKS}
    missing = [e for e in EXPECTED if e not in prefixes]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_with_percent_script(nb):
    py = nb.with_suffix(".py")
    assert py.exists(), f"{nb.name} has no paired py:percent script"
    assert "format_name: percent" in py.read_text(encoding="utf-8")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_opens_with_question_and_has_parameters(nb):
    cells = _cells(nb)
    assert cells[0]["cell_type"] == "markdown"
    assert "question" in "".join(cells[0]["source"]).lower()
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_ends_with_findings_checked_by_asserts(nb):
    cells = _cells(nb)
    md = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
          and "findings" in "".join(c["source"]).lower()]
    assert md, "no findings section"
    after = cells[md[-1] + 1:]
    assert any(c["cell_type"] == "code" and "assert" in "".join(c["source"]) for c in after)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_committed_and_no_errors(nb):
    cells = [c for c in _cells(nb) if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in cells), "notebook not executed"
    for c in cells:
        for out in c.get("outputs", []):
            assert out.get("output_type") != "error"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_only_orchestrate(nb):
    """No long function definitions in notebooks: logic belongs in the library."""
    for c in _cells(nb):
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"]).splitlines()
        for i, line in enumerate(src):
            if line.startswith("def ") or line.startswith("class "):
                body = [l for l in src[i + 1:] if l.startswith((" ", "\t"))]
                assert len(body) <= 5, f"function in notebook longer than a few lines: {line}"
