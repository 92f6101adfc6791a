"""--min-score: labels below the score leave the lists and the evidence; role and scores stay."""

import pandas as pd
import pytest

from policykit.engine.filters import apply_min_score


def test_min_score_drops_low_labels():
    wide = pd.DataFrame([{
        "sent_id": "a.p000.s00", "doc_id": "a", "role": "proposal", "role_score": 0.3,
        "risk_domains": ["privacy_security", "misinformation"], "risk_subdomains": ["2.1"],
        "instruments": ["evaluation_audit"], "addressees": ["states", "industry"],
        "scores": {"risk_domain": {"privacy_security": 0.9, "misinformation": 0.55}, "risk_subdomain": {"2.1": 0.7},
                   "instrument": {"evaluation_audit": 0.2}, "addressee": {"states": 0.8, "industry": 0.6}},
        "evidence": {"risk_domain": {"privacy_security": [1], "misinformation": [2]},
                     "instrument": {"evaluation_audit": [3]}, "addressee": {"states": [4], "industry": [5]}},
    }])
    out = apply_min_score(wide, 0.6)
    r = out.iloc[0]
    assert r["role"] == "proposal"  # the role is kept even below the score
    assert r["risk_domains"] == ["privacy_security"] and r["risk_subdomains"] == ["2.1"]
    assert r["instruments"] == [] and r["addressees"] == ["states", "industry"]
    assert r["evidence"]["risk_domain"] == {"privacy_security": [1]} and r["evidence"]["instrument"] == {}
    assert r["scores"] == wide.iloc[0]["scores"]
    assert wide.iloc[0]["instruments"] == ["evaluation_audit"]  # input untouched
    assert apply_min_score(wide, 0.0).iloc[0]["instruments"] == ["evaluation_audit"]
    with pytest.raises(ValueError):
        apply_min_score(wide, 1.5)
