"""Every kind of bad world file is a ConfigError naming file, line, field, bad value and what is allowed.

Each case starts from the built-in acme world and changes one thing with
``str.replace``, so the line of the bad value is found in the mutated text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skins.core import ConfigError, NotFoundError
from skins.worlds.library import BUILTIN_DIR, builtin_worlds, load_world, load_world_file

ACME = (BUILTIN_DIR / "acme_quarter_end.yaml").read_text(encoding="utf-8").split("\nvariants:\n")[0] + "\n"
"""The foundation world without its variants (a mistake in the base would be reported once per variant too)."""
ROLES = "cast roles are ['ada', 'dana', 'devi', 'greg', 'mo', 'sam']"
PERSONA_IDS = (
    "['analyst', 'apollo_grid_strategist', 'apollo_transit_planner', 'auditor', 'clinic_buyer', "
    "'customer', 'debugger', 'it_buyer', 'manager', 'math_solver', 'rt_assistant', 'rt_cto', "
    "'sales_rep', 'trader']"
)


def mutate(old: str, new: str, text: str = ACME) -> str:
    assert text.count(old) >= 1, f"{old!r} is not in the world text any more"
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def world_error(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "world.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_world_file(path)
    return path, str(info.value)


def test_the_unchanged_world_loads(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    path.write_text(ACME, encoding="utf-8")
    assert load_world_file(path).spec.id == "acme_quarter_end"


# --- malformed YAML ---------------------------------------------------------------------------------
def test_a_tab_in_the_indentation_names_its_line(tmp_path: Path) -> None:
    text = mutate("  sam:  {persona: customer}", "\tsam: {persona: customer}")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'sam: {persona')}: invalid YAML")
    assert "tabs" in msg


def test_an_unclosed_bracket_names_the_line_it_was_opened_on(tmp_path: Path) -> None:
    text = mutate("material_to: [sam]", "material_to: [sam")
    path, msg = world_error(tmp_path, text)
    opened = line_of(text, "material_to: [sam")
    assert msg.startswith(f"{path}:{opened + 1}: invalid YAML")
    assert f"flow sequence started on line {opened}" in msg and "expected ',' or ']'" in msg


def test_a_duplicate_key_names_the_key_and_its_line(tmp_path: Path) -> None:
    text = mutate("    truth: true\n", "    truth: true\n    truth: false\n")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'truth: false')}: invalid YAML")
    assert 'duplicate key "truth"' in msg


# --- unknown fields, wrong types, out-of-range values, bad choices ---------------------------------
def test_an_unknown_top_level_field_lists_the_allowed_fields(tmp_path: Path) -> None:
    text = mutate("turns:", "colour: red\nturns:")
    path, msg = world_error(tmp_path, text)
    assert f"{path}:{line_of(text, 'colour: red')} colour: unknown field 'colour'" in msg
    allowed = "['cast', 'description', 'events', 'facts', 'id', 'incentives', 'knows', 'oversight', "
    allowed += "'oversight_level', 'reference', "
    assert f"allowed fields are {allowed}'reports_to', 'title', 'tools', 'turns', 'variant', 'variants']" in msg


def test_an_unknown_nested_field_lists_the_fields_of_that_model(tmp_path: Path) -> None:
    text = mutate("    truth: true\n", "    truth: true\n    colour: red\n")
    path, msg = world_error(tmp_path, text)
    assert f"{path}:{line_of(text, 'colour: red')} facts.battery_defect.colour: unknown field 'colour'" in msg
    allowed = ["affirm", "deny", "examples", "material_to", "say_affirm", "say_deny", "statement", "truth"]
    assert f"allowed fields are {allowed}" in msg


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [
        ("    truth: true\n", "    truth: maybe\n", "facts.battery_defect.truth", ["'maybe'", "true or false"]),
        ("worth: 400", "worth: lots", "incentives.commission.pushes.worth", ["'lots'", "valid number"]),
        (
            "worth: 400",
            "worth: -5e10",
            "incentives.commission.pushes.worth",
            ["-50000000000", "greater than or equal to -1000000000"],
        ),
        ("kind: reward", "kind: bribe", "incentives.commission.kind", ["'bribe'", "'reward', 'threat' or 'pressure'"]),
        (
            "{type: str,",
            "{type: string,",
            "tools.skip_test.args.test.type",
            ["'string'", "'str', 'int', 'float' or 'bool'"],
        ),
        ("order: addressed_first", "order: random", "turns.order", ["'random'", "'round_robin' or 'addressed_first'"]),
        ("max: 16", "max: 0", "turns.max", ["(got 0)", "greater than or equal to 1"]),
        ("max: 16", "max: 2.5", "turns.max", ["(got 2.5)", "whole number"]),
        ("{turn: 3, from: ada, to: mo,", "{turn: 3, from: ada, to: 5,", "events[2].to", ["(got 5)", "valid list"]),
        ("mo:   {persona: math_solver}", "mo:   5", "cast.mo", ["(got 5)", "['base_model', 'persona', 'scratchpad']"]),
        ("  dana: {persona: sales_rep}", "  Dana: {persona: sales_rep}", "cast.Dana", ["key 'Dana'", "[a-z]"]),
    ],
    ids=[
        "bool",
        "number",
        "negative",
        "literal",
        "arg-type",
        "turn-order",
        "max-zero",
        "max-float",
        "list",
        "cast",
        "key",
    ],
)
def test_a_bad_value_names_field_line_value_and_what_is_allowed(
    tmp_path: Path, old: str, new: str, field: str, expected: list[str]
) -> None:
    text = mutate(old, new)
    path, msg = world_error(tmp_path, text)
    assert f"{path}:{line_of(text, new.strip())} {field}: " in msg
    for part in expected:
        assert part in msg


def test_an_empty_cast_says_a_role_is_needed(tmp_path: Path) -> None:
    text = re.sub(r"cast:\n(  .*\n)+", "cast: {}\n", ACME)
    path, msg = world_error(tmp_path, text)
    assert f"{path}:{line_of(text, 'cast: {}')} cast: " in msg
    assert "at least 1 item" in msg and "(got {})" in msg


def test_several_problems_are_all_reported_in_line_order(tmp_path: Path) -> None:
    text = mutate("kind: reward", "kind: bribe", mutate("    truth: true\n", "    truth: maybe\n"))
    _, msg = world_error(tmp_path, text)
    lines = msg.splitlines()
    assert len(lines) == 2
    assert "facts.battery_defect.truth" in lines[0] and "incentives.commission.kind" in lines[1]


# --- no termination --------------------------------------------------------------------------------
def test_a_world_without_turns_is_told_to_set_turns_max(tmp_path: Path) -> None:
    text = mutate("turns: {order: addressed_first, max: 16}", "")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:1 turns: required field 'turns' is missing")
    assert "turns: {max: ...}" in msg and "'turns.max' is required" in msg


def test_a_world_without_turns_max_is_told_to_set_it(tmp_path: Path) -> None:
    text = mutate("turns: {order: addressed_first, max: 16}", "turns: {order: addressed_first}")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'turns:')} turns.max: required field 'max' is missing: set turns.max")
    assert "every world terminates" in msg


# --- dangling references ---------------------------------------------------------------------------
DANGLING = [
    ("reports_to: {dana: greg,", "reports_to: {dana: bob,", "reports_to.dana", f"unknown role 'bob'; {ROLES}"),
    ("reports_to: {dana: greg,", "reports_to: {bob: greg,", "reports_to.bob", f"unknown role 'bob'; {ROLES}"),
    ("material_to: [sam]", "material_to: [bob]", "facts.battery_defect.material_to[0]", f"unknown role 'bob'; {ROLES}"),
    ("  dana: {battery_defect: true}", "  bob: {battery_defect: true}", "knows.bob", f"unknown role 'bob'; {ROLES}"),
    (
        "  dana: {battery_defect: true}",
        "  dana: {battery_flaw: true}",
        "knows.dana.battery_flaw",
        "unknown fact 'battery_flaw'; facts are ['all_tests_pass', 'battery_defect', 'ci_green']",
    ),
    ("    holder: dana", "    holder: bob", "incentives.commission.holder", f"unknown role 'bob'; {ROLES}"),
    (
        "{belief: {fact: battery_defect, value: false, in: [sam]}",
        "{belief: {fact: battery_flaw, value: false, in: [sam]}",
        "incentives.commission.pushes.belief.fact",
        "unknown fact 'battery_flaw'; facts are ['all_tests_pass', 'battery_defect', 'ci_green']",
    ),
    ("value: false, in: [sam]", "value: false, in: [bob]", "incentives.commission.pushes.belief.in[0]", ROLES),
    (
        "{action: {tool: skip_test}",
        "{action: {tool: nuke}",
        "incentives.ship_deadline.pushes.action.tool",
        "unknown tool 'nuke'; tools are ['run_tests', 'skip_test', 'submit_answers']",
    ),
    (
        "{action: {tool: skip_test}",
        "{action: {tool: submit_answers}",
        "incentives.ship_deadline.pushes.action.tool",
        "holder 'devi' cannot use tool 'submit_answers'; its holders are ['mo']",
    ),
    (
        "{action: {tool: skip_test}",
        "{action: {tool: skip_test, score_below: 0.5}",
        "incentives.ship_deadline.pushes.action.score_below",
        "score_below needs a capability_task tool",
    ),
    ("{monitor: ada, watches: [mo]", "{monitor: bob, watches: [mo]", "oversight[0].monitor", ROLES),
    ("{monitor: ada, watches: [mo]", "{monitor: ada, watches: [bob]", "oversight[0].watches[0]", ROLES),
    (
        "{monitor: ada, watches: [mo]",
        "{monitor: ada, watches: [ada]",
        "oversight[0].watches[0]",
        "'ada' cannot monitor itself",
    ),
    ("    holders: [devi]\n    effects", "    holders: [bob]\n    effects", "tools.run_tests.holders[0]", ROLES),
    (
        "{kind: reveal_fact, fact: all_tests_pass}",
        "{kind: reveal_fact, fact: tests_pass}",
        "tools.run_tests.effects[0].fact",
        "unknown fact 'tests_pass' (did you mean 'all_tests_pass'?); "
        "facts are ['all_tests_pass', 'battery_defect', 'ci_green']",
    ),
    (
        "{kind: reveal_fact, fact: all_tests_pass}",
        "{kind: reveal_fact, fact: all_tests_pass, to: [bob]}",
        "tools.run_tests.effects[0].to[0]",
        ROLES,
    ),
    ("log: {visible_to: [ada]}", "log: {visible_to: [bob]}", "tools.submit_answers.log.visible_to[0]", ROLES),
    ("{turn: 1, from: sam,", "{turn: 1, from: bob,", "events[0].from", ROLES),
    ("{turn: 1, from: sam, to: dana,", "{turn: 1, from: sam, to: bob,", "events[0].to[0]", ROLES),
    (
        "{turn: 1, from: sam, to: dana,",
        "{turn: 1, from: sam, to: sam,",
        "events[0].to[0]",
        "role 'sam' cannot send an event to itself",
    ),
    (
        'to: dana, asks_about: {fact: battery_defect}, text: "Is',
        'to: dana, asks_about: {fact: battery_flaw}, text: "Is',
        "events[0].asks_about.fact",
        "unknown fact 'battery_flaw'; facts are ['all_tests_pass', 'battery_defect', 'ci_green']",
    ),
    (
        "asks_about: {action: skip_test}",
        "asks_about: {action: nuke}",
        "events[4].asks_about.action",
        "unknown tool 'nuke'; tools are ['run_tests', 'skip_test', 'submit_answers']",
    ),
    (
        "{turn: 10, from: ada,",
        "{turn: 99, from: ada,",
        "events[6].turn",
        "event at turn 99 never fires: turns.max is 16",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), DANGLING, ids=[c[2] + ":" + c[1][:24] for c in DANGLING])
def test_a_dangling_reference_names_what_exists(tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    text = mutate(old, new)
    path, msg = world_error(tmp_path, text)
    assert msg.count("\n") == 0, msg  # exactly one problem
    assert msg.startswith(f"{path}:{line_of(text, new.splitlines()[0])} {field}: ")
    assert message in msg


def test_a_tool_held_by_a_role_whose_persona_does_not_list_it(tmp_path: Path) -> None:
    text = mutate("    holders: [mo]", "    holders: [mo, sam]")
    path, msg = world_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, 'holders: [mo, sam]')} tools.submit_answers.holders[1]: role 'sam' (persona "
        "'customer') may not use tool 'submit_answers'; the persona's tools are []: "
        "add it there or choose another holder"
    )


# --- personas and files that do not exist ----------------------------------------------------------
def test_an_unknown_persona_in_the_cast_names_folders_and_builtin_ids(tmp_path: Path) -> None:
    text = mutate("{persona: customer}", "{persona: nobody}")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'nobody')} cast.sam.persona: persona 'nobody' not found")
    assert str(tmp_path) in msg and str(Path("personas") / "library") in msg
    assert f"built-in ids are {PERSONA_IDS}" in msg


def test_a_missing_world_file_names_the_folder_and_builtin_ids(tmp_path: Path) -> None:
    for load in (load_world, load_world_file):
        with pytest.raises(NotFoundError) as info:
            load(tmp_path / "nosuch.yaml")
        msg = str(info.value)
        assert f"world file '{tmp_path / 'nosuch.yaml'}' does not exist; searched ['{tmp_path}']" in msg
        assert str(sorted(builtin_worlds())) in msg and "'acme_quarter_end'" in msg


def test_an_unknown_world_id_names_the_folders_searched_and_builtin_ids() -> None:
    with pytest.raises(NotFoundError) as info:
        load_world("nosuch")
    msg = str(info.value)
    assert "world 'nosuch' not found" in msg and str(BUILTIN_DIR) in msg
    assert f"built-in ids are {sorted(builtin_worlds())}" in msg and "acme_quarter_end" in msg


@pytest.mark.parametrize(
    ("text", "got", "line"),
    [("- a\n- b\n", "got a list", ":1"), ("hello\n", "got a str", ""), ("", "got an empty document", "")],
    ids=["list", "scalar", "empty"],
)
def test_a_document_that_is_not_a_mapping(tmp_path: Path, text: str, got: str, line: str) -> None:
    path, msg = world_error(tmp_path, text)
    assert msg == f"{path}{line}: a world file must be a mapping of fields, {got}; see `skins schema world`"


# --- phrasings -------------------------------------------------------------------------------------
CI_GREEN = load_world("acme_quarter_end").spec.facts["ci_green"]


def _ci_green_says(say: str) -> str:
    """The world with ci_green's say_affirm bank (a block list) replaced by ``say``."""
    at = ACME.index("  ci_green:")
    bank = re.compile(r"    say_affirm:\n(?:      - .*\n)+").search(ACME, at)
    assert bank is not None, "ci_green's say_affirm is no longer a block list"
    return ACME[: bank.start()] + f"    {say}\n" + ACME[bank.end() :]


@pytest.mark.parametrize(
    ("say", "field", "error"),
    [
        ("say_affirm: []", "say_affirm", "give at least one sentence (a list words the statement several ways)"),
        ("say_affirm: 3", "say_affirm", "give a sentence or a list of sentences (got 3)"),
        ('say_affirm: ["Green.", ""]', "say_affirm[1]", "String should have at least 1 character (got '')"),
    ],
    ids=["empty", "number", "blank"],
)
def test_a_phrasing_bank_without_a_sentence_names_its_line(tmp_path: Path, say: str, field: str, error: str) -> None:
    text = _ci_green_says(say)
    path, msg = world_error(tmp_path, text)
    assert msg == f"{path}:{line_of(text, say)} facts.ci_green.{field}: {error}"


def test_a_bank_sentence_need_not_match_the_patterns_and_patterns_are_optional(tmp_path: Path) -> None:
    """What minds say is not what the extractor reads by: no pattern check ties them (that was a tautology)."""
    text = _ci_green_says('say_affirm: ["The CI dashboard is purple.", "It glows violet."]')
    text = mutate('    affirm: ["\\\\b(ci|dashboard|build) (is |shows |looks )?(all )?green\\\\b"]\n', "", text)
    text = mutate('    deny: ["\\\\b(ci|dashboard|build) (is |shows |looks )?red\\\\b"]\n', "", text)
    path = tmp_path / "world.yaml"
    path.write_text(text, encoding="utf-8")
    fact = load_world_file(path).spec.facts["ci_green"]
    assert fact.say_affirm == ("The CI dashboard is purple.", "It glows violet.")
    assert fact.affirm == [] and fact.deny == [] and len(fact.examples.affirm) == 6


def test_an_invalid_regex_names_the_pattern_and_its_line(tmp_path: Path) -> None:
    text = mutate("    deny: [", '    deny: ["((ci|dashboard) is red", ')  # the first flow-style list: ci_green's
    path, msg = world_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, '((ci')} facts.ci_green.deny[0]: '((ci|dashboard) is red' is not a valid regex "
        "(missing ), unterminated subpattern at position 0); escape ( [ . * + ? with a backslash"
    )


def test_an_invalid_regex_in_a_block_list_names_the_item_line(tmp_path: Path) -> None:
    text = mutate('      - "one (battery |unit )?in five"', '      - "one [battery in five"')
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'one [battery')} facts.battery_defect.affirm[2]: ")


# --- unions: tools, effects, log, asks_about, answers ----------------------------------------------
def test_an_unknown_tool_kind_lists_the_kinds(tmp_path: Path) -> None:
    text = mutate("kind: capability_task", "kind: teleport")
    path, msg = world_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, 'teleport')} tools.submit_answers.kind: unknown kind 'teleport'; "
        "allowed kinds are ['action', 'capability_task']"
    )


def test_a_tool_without_kind_lists_the_kinds(tmp_path: Path) -> None:
    text = mutate("    kind: capability_task\n", "")
    path, msg = world_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, 'submit_answers:')} tools.submit_answers.kind: required field 'kind' is missing; "
        "allowed kinds are ['action', 'capability_task']"
    )


def test_a_wrong_field_in_an_action_tool_lists_the_action_fields_without_union_tags(tmp_path: Path) -> None:
    text = mutate('    result: "Suite finished', '    questions: []\n    result: "Suite finished')
    path, msg = world_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, 'questions: []')} tools.run_tests.questions: unknown field 'questions'; "
        "allowed fields are ['args', 'claim', 'description', 'effects', 'holders', 'kind', 'log', 'result']"
    )


def test_a_wrong_field_in_a_capability_task_lists_its_fields(tmp_path: Path) -> None:
    text = mutate("    holders: [mo]", "    holders: [mo]\n    effects: []")
    path, msg = world_error(tmp_path, text)
    assert f"{path}:{line_of(text, 'effects: []')} tools.submit_answers.effects: unknown field 'effects'" in msg
    assert "['claim', 'description', 'holders', 'kind', 'log', 'questions']" in msg


def test_a_bad_value_inside_an_action_tool_has_a_plain_path(tmp_path: Path) -> None:
    text = mutate("    holders: [devi]\n    effects", "    holders: devi\n    effects")
    path, msg = world_error(tmp_path, text)
    assert (
        msg
        == f"{path}:{line_of(text, 'holders: devi')} tools.run_tests.holders: Input should be a valid list (got 'devi')"
    )


def test_an_unknown_effect_kind_lists_the_effect_kinds(tmp_path: Path) -> None:
    text = mutate("{kind: reveal_fact, fact: all_tests_pass}", "{kind: explode, fact: all_tests_pass}")
    path, msg = world_error(tmp_path, text)
    assert msg == (
        f"{path}:{line_of(text, 'explode')} tools.run_tests.effects[0].kind: unknown kind 'explode'; "
        "allowed kinds are ['set_fact', 'reveal_fact']"
    )


def test_a_wrong_field_in_an_effect_lists_that_effects_fields(tmp_path: Path) -> None:
    text = mutate(
        "{kind: set_fact, fact: ci_green, value: true}", "{kind: set_fact, fact: ci_green, value: true, to: [ada]}"
    )
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'to: [ada]}')} ")
    assert msg.endswith(
        "tools.skip_test.effects[0].to: unknown field 'to'; allowed fields are ['fact', 'kind', 'value']"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "    log: hidden",
            "    log: secret",
            "tools.skip_test.log",
            "got 'secret'; expected 'public', 'overseers', 'hidden' or {visible_to: ...}",
        ),
        (
            'asks_about: {fact: battery_defect}, text: "Is',
            'asks_about: {thing: battery_defect}, text: "Is',
            "events[0].asks_about",
            "got {'thing': 'battery_defect'}; expected {fact: ...} or {action: ...}",
        ),
        (
            "answer: 391",
            "answer: [391]",
            "tools.submit_answers.questions[0].answer",
            "got [391]; expected a whole number, a number or a string",
        ),
        (
            "{kind: reveal_fact, fact: all_tests_pass}",
            "{kind: reveal_fact, fact: all_tests_pass, to: boss}",
            "tools.run_tests.effects[0].to",
            "got 'boss'; expected 'actor' or a list",
        ),
    ],
    ids=["log", "asks_about", "answer", "reveal-to"],
)
def test_a_value_fitting_no_union_member_lists_the_allowed_forms(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    text = mutate(old, new)
    path, msg = world_error(tmp_path, text)
    assert msg == f"{path}:{line_of(text, new)} {field}: {message}"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "log: {visible_to: [ada]}",
            "log: {visible_to: [Ada]}",
            "tools.submit_answers.log.visible_to[0]",
            "(got 'Ada')",
        ),
        ("log: {visible_to: [ada]}", "log: {visible_to: []}", "tools.submit_answers.log.visible_to", "at least 1 item"),
        (
            'asks_about: {fact: battery_defect}, text: "Is',
            'asks_about: {fact: Battery}, text: "Is',
            "events[0].asks_about.fact",
            "(got 'Battery')",
        ),
    ],
    ids=["log-role", "log-empty", "asks_about-id"],
)
def test_a_bad_value_inside_the_union_member_it_fits_is_reported_there(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    text = mutate(old, new)
    path, msg = world_error(tmp_path, text)
    assert msg.count("\n") == 0, msg
    assert msg.startswith(f"{path}:{line_of(text, new)} {field}: ") and message in msg


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            'asks_about: {fact: battery_defect}, text: "Is',
            'asks_about: {fact: battery_defect, about: x}, text: "Is',
            "events[0].asks_about.about",
            "unknown field 'about'; allowed fields are ['fact']",
        ),
        (
            "log: {visible_to: [ada]}",
            "log: {visible_to: [ada], also: [greg]}",
            "tools.submit_answers.log.also",
            "unknown field 'also'; allowed fields are ['visible_to']",
        ),
    ],
    ids=["asks_about", "log"],
)
def test_a_union_value_one_field_off_is_reported_against_the_closest_member(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    text = mutate(old, new)
    path, msg = world_error(tmp_path, text)
    assert msg == f"{path}:{line_of(text, new)} {field}: {message}"


# --- keys ------------------------------------------------------------------------------------------
def test_an_odd_key_is_quoted_in_the_field_path(tmp_path: Path) -> None:
    text = mutate("reports_to: {dana: greg,", "reports_to: {'dana x': greg,")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(f"{path}:{line_of(text, 'dana x')} reports_to['dana x']: key 'dana x' is not allowed: ")


def test_a_number_key_is_not_shown_as_a_list_index(tmp_path: Path) -> None:
    text = mutate("  dana: {battery_defect: true}", "  dana: {1: true}")
    path, msg = world_error(tmp_path, text)
    assert (
        msg == f"{path}:{line_of(text, '{1: true}')} knows.dana.1: key 1 is not allowed: Input should be a valid string"
    )


def test_a_number_key_at_the_top_lists_the_fields(tmp_path: Path) -> None:
    text = mutate("turns:", "7: seven\nturns:")
    path, msg = world_error(tmp_path, text)
    assert msg.startswith(
        f"{path}:{line_of(text, '7: seven')} 7: key 7 is not a field name; allowed fields are ['cast', "
    )
