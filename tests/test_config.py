"""The TOML configuration: defaults, overrides and clear errors."""

from __future__ import annotations

import pytest

from focusshift.config import load_config
from focusshift.errors import ConfigError


def test_defaults():
    c = load_config()
    assert (c.segment_by, c.shift_window, c.context_window, c.shift_turn_weight) == ("turns:20", 3, 3, 0.5)
    assert c.weight("therapist_emotion", "crying") == 1.0


def test_user_file_overrides_only_what_it_names(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('[shift]\nwindow = 5\n[weights.client_caretaking]\napology = 0.4\n[roles]\n"Dr. Lee" = "therapist"\n')
    c = load_config(f)
    assert c.shift_window == 5 and c.recovery_min_words == 6
    assert c.weight("client_caretaking", "apology") == 0.4
    assert c.weight("client_caretaking", "check_in") == 0.8
    assert c.roles == {"Dr. Lee": "therapist"}


@pytest.mark.parametrize(
    "body,message",
    [
        ("[nope]\nx = 1\n", "unknown section [nope]"),
        ("[shift]\nwindw = 2\n", "unknown key shift.windw"),
        ("[shift]\nwindow = -1\n", "must not be negative"),
        ("[weights.therapist_emotion]\ncrying = 3\n", "must be a number in [0, 1]"),
        ("[roles]\nBob = 'boss'\n", "must be \"therapist\" or \"client\""),
        ("[shift\n", "not valid TOML"),
    ],
)
def test_errors(tmp_path, body, message):
    f = tmp_path / "c.toml"
    f.write_text(body)
    with pytest.raises(ConfigError) as exc:
        load_config(f)
    assert message in str(exc.value) and str(f) in str(exc.value)


def test_roles_from_config_apply(tmp_path):
    from focusshift.api import Analyzer, analyze_text

    f = tmp_path / "c.toml"
    f.write_text('[roles]\nMaya = "therapist"\nJo = "client"\n')
    a = analyze_text("Maya: [crying] sorry.\nJo: Are you okay?\n", analyzer=Analyzer(config=load_config(f)))
    assert [t.role for t in a.transcript.turns] == ["therapist", "client"]
    assert {e.category for e in a.events} == {"therapist_emotion", "client_caretaking"}
