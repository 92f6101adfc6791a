"""Tiers are model directories; auto picks by corpus size; the model version keys results."""

import pytest

from policykit.engine.tiers import AUTO_ACCURATE_MAX_WORDS, choose_tier, get_tier, model_version
from policykit.errors import InputError


def test_auto_chooses_by_words():
    small, why = choose_tier("auto", AUTO_ACCURATE_MAX_WORDS - 1)
    big, why_big = choose_tier("auto", AUTO_ACCURATE_MAX_WORDS)
    assert small.name == "accurate" and big.name == "fast"
    assert "auto" in why and f"{AUTO_ACCURATE_MAX_WORDS:,}" in why_big


def test_named_tiers_are_model_directories():
    fast, acc = get_tier("fast"), get_tier("accurate")
    assert fast.model_dir.name == "extract-static" and fast.embedding == "static"
    assert acc.model_dir.name == "extract-minilm" and acc.embedding == "minilm" and acc.encoder == "onnx"
    assert get_tier("accurate", encoder="torch").encoder == "torch"
    with pytest.raises(InputError):
        get_tier("huge")


def test_model_version_changes_with_thresholds_and_tier():
    fast = get_tier("fast")
    v = model_version(fast)
    assert v.startswith("fast-") and v == model_version(fast)
    assert model_version(fast, {"risk_domain": 0.6}) != v
    assert model_version(get_tier("accurate")) != model_version(get_tier("accurate", encoder="torch"))


def test_custom_model_dir(tmp_path):
    tier, why = choose_tier("auto", 10, model_dir=get_tier("fast").model_dir)
    assert tier.name == "custom" and tier.embedding == "static"
    with pytest.raises(InputError):
        get_tier("custom", model_dir=tmp_path)
