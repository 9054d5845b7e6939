"""`brevgen check` on the bundled data, and on rule data a municipality got wrong."""

import datetime as dt

from generator import loading
from generator.models import DeadlineRules
from generator.selfcheck import _rule_set_gaps, run_checks


# The bundled example quality standards expire (as real ones do); pin the date so this test
# checks the data's consistency, not the calendar. `brevgen check` itself uses today.
CHECK_DATE = "2026-11-23"


def test_bundled_data_passes(run_cli):
    problems, summary = run_checks(dt.date.fromisoformat(CHECK_DATE))
    assert problems == []
    result = run_cli("check", "--as-of", CHECK_DATE)
    assert result.exit_code == 0 and "ok" in result.stdout


def rules_with(**changes) -> DeadlineRules:
    rules = loading.deadline_rules()
    first, second = rules.rule_sets
    return DeadlineRules(rule_sets=(first.model_copy(update=changes), second))


def test_overlapping_rule_sets_are_reported():
    problems = _rule_set_gaps(rules_with(valid_to=dt.date(2018, 7, 1)))
    assert problems == ["deadline rule sets post-weekday-table-2016 and jm-vejledning-9533-2018 overlap"]


def test_a_gap_between_rule_sets_is_reported():
    problems = _rule_set_gaps(rules_with(valid_to=dt.date(2018, 6, 1)))
    assert problems == ["deadline rule sets leave a gap between post-weekday-table-2016 and jm-vejledning-9533-2018"]


def test_a_rule_set_missing_a_channel_is_reported():
    first = loading.deadline_rules().rule_sets[0]
    channels = {k: v for k, v in first.channels.items() if k.value != "quickpost"}
    problems = _rule_set_gaps(rules_with(channels=channels))
    assert problems == ["deadline rule set post-weekday-table-2016 has no rule for quickpost"]
