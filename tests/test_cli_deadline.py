"""`brevgen deadline`: output, JSON, and errors that name the value and what is allowed."""

import json


def test_json_output(run_cli):
    result = run_cli("deadline", "--dated", "2026-05-11", "--channel", "post", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["received"] == "2026-05-20"
    assert data["deadline"] == "2026-06-17"
    assert data["channel"] == "post"
    assert data["rule"] == "jm-vejledning-9533-2018"
    assert "9533" in data["source"]


def test_text_output_says_rule_and_move(run_cli):
    result = run_cli("deadline", "--dated", "2026-12-03", "--channel", "digital")
    assert result.exit_code == 0
    assert "2027-01-04" in result.stdout
    assert "Nytårsaftensdag" in result.stdout
    assert "jm-vejledning-9533-2018" in result.stdout


def test_date_that_does_not_exist(run_cli):
    result = run_cli("deadline", "--dated", "2026-02-30", "--channel", "digital")
    assert result.exit_code == 2
    assert "'2026-02-30'" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_unknown_channel(run_cli):
    result = run_cli("deadline", "--dated", "2026-05-11", "--channel", "fax")
    assert result.exit_code == 2
    assert "'fax'" in result.stderr and "digital, post, quickpost" in result.stderr


def all_command_paths(command, prefix=()):
    """Every command path in the click tree, groups included."""
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from all_command_paths(sub, (*prefix, name))


def test_every_subcommand_has_help(run_cli):
    from generator.cli import app

    paths = list(all_command_paths(app))
    assert ("deadline",) in paths and ("guidance",) in paths and ("check",) in paths
    for path in paths:
        result = run_cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.stdout
