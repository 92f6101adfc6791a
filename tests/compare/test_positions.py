"""Position profiles, similarity and the deterministic map."""

import numpy as np
import pandas as pd
import pytest

from policykit.compare import (
    document_profiles, documents_frame, group_profiles, position_map, positions, similarity,
)
from tests.fixtures.tiny import tiny_wide


def test_profiles_are_sentence_shares():
    prof = document_profiles(tiny_wide(), labels={"risk_domain": ["privacy_security",
                                                                  "misinformation"],
                                                  "instrument": ["evaluation_audit"]})
    assert prof.loc["a1", "risk_domain:privacy_security"] == pytest.approx(2 / 3)
    assert prof.loc["a1", "instrument:evaluation_audit"] == pytest.approx(1.0)
    assert prof.loc["a3"].sum() == 0


def test_group_profiles_average_documents():
    w = tiny_wide()
    prof = document_profiles(w, weight="binary")
    g = group_profiles(prof, documents_frame(w), by="region")
    assert g.loc["A", "n_docs"] == 3
    assert g.loc["A", "risk_domain:privacy_security"] == pytest.approx(2 / 3)


def test_similarity_and_map_are_deterministic():
    w = tiny_wide()
    prof = document_profiles(w)
    s = similarity(prof)
    assert np.allclose(np.diag(s), 1.0) and np.allclose(s, s.T)
    c1, l1 = position_map(prof)
    c2, l2 = position_map(prof.copy())
    pd.testing.assert_frame_equal(c1, c2)
    # sign convention: each component's largest absolute loading is positive
    for pc in ("pc1", "pc2"):
        assert l1.loc[l1[pc].abs().idxmax(), pc] > 0


def test_identical_profiles_share_a_position():
    prof = pd.DataFrame([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]], index=["d1", "d2", "d3"],
                        columns=["f:a", "f:b"])
    c, _ = position_map(prof)
    c = c.set_index("doc_id")
    assert c.loc["d1", "x"] == pytest.approx(c.loc["d2", "x"])
    assert c.loc["d1", "x"] != pytest.approx(c.loc["d3", "x"])


def test_positions_carry_metadata_and_axis_titles():
    pos, load = positions(tiny_wide(), by="region")
    assert {"doc_id", "x", "y", "group", "top_labels"} <= set(pos.columns)
    assert "x_title" in pos.attrs and len(pos) == 4
