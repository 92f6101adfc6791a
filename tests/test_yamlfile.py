"""policykit.yamlfile: every YAML file of the project read with the same errors."""

import pytest

from policykit.errors import InputError
from policykit.yamlfile import read_yaml


def test_reads_and_reports_file_line_and_fix(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("a: [1, 2]\n", encoding="utf-8")
    assert read_yaml(ok, what="rules file", restore="restore it") == {"a": [1, 2]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [2\nc: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML") as e:
        read_yaml(bad, what="rules file", restore="restore it")
    assert e.value.path == str(bad) and e.value.line is not None and "fix the syntax" in str(e.value)
    with pytest.raises(InputError, match=r"rules file not found\s+fix: restore it"):
        read_yaml(tmp_path / "missing.yaml", what="rules file", restore="restore it")
    with pytest.raises(InputError, match="is a folder"):
        read_yaml(tmp_path, what="rules file", restore="restore it")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_yaml(latin, what="rules file", restore="restore it")
