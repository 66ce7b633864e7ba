"""The command line (DESIGN §9, §11) end to end, through ``main(argv) -> exit code``.

Exit codes: 0 done, 1 below ``--fail-under``, 2 bad usage, rulebook or input (one
paragraph naming the file or rule, no traceback unless ``--debug``). The example
ledgers are copied to a temporary folder first, so that the tests can prove they are
left byte-identical without racing anybody who regenerates examples/.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from disclosure_rules.cli import main
from disclosure_rules.rulebook import load_rulebook

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
BUILTIN = "builtin:shanxi-commerce-2021"
BUILTIN_YAML = REPO / "rules" / "shanxi-commerce-2021.yaml"
LEDGERS = {"documents": "documents.csv", "requests": "requests.csv", "messages": "messages.xlsx",
           "opinions": "opinions.xlsx", "meetings": "meetings.xlsx", "reviews": "reviews.csv"}
BOOK = load_rulebook(BUILTIN)


#: tests that read the terminal's default (Chinese) words; the others read the English messages
CHINESE_DEFAULT = ("chinese", "demo_writes", "fail_under")


@pytest.fixture(autouse=True)
def english_terminal(request, monkeypatch):
    """Most tests here read the English messages: their terminal's locale says English (the
    Chinese default of every message is tested in test_cli_chinese.py)."""
    if not any(part in request.node.name for part in CHINESE_DEFAULT):
        monkeypatch.setenv("LC_ALL", "en_US.UTF-8")


def invoke(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_paragraph(err: str, *names: str) -> None:
    """A user-facing error: starts with 'Error:', no traceback, no blank line, names what is wrong."""
    text = err.strip()
    assert text.startswith("Error") or text.startswith("Usage") or "Error:" in text, err
    assert "Traceback" not in err
    assert "\n\n" not in text, err
    for name in names:
        assert name in err, f"{name!r} not in {err!r}"


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    """A private copy of the example ledgers and waivers."""
    folder = tmp_path_factory.mktemp("examples")
    for name in list(LEDGERS.values()) + ["waivers.yaml"]:
        shutil.copy2(EXAMPLES / name, folder / name)
    return folder


def data_args(folder: Path, names=LEDGERS) -> list[str]:
    args = []
    for dataset in names:
        args += ["--data", f"{dataset}={folder / LEDGERS[dataset]}"]
    return args


@pytest.fixture(scope="module")
def full_audit(examples, tmp_path_factory):
    """One audit of all the examples with every output; shared by the tests that read it."""
    out = tmp_path_factory.mktemp("audit")
    before = {p.name: digest(p) for p in examples.iterdir()}
    code, stdout, stderr = invoke(["audit", *data_args(examples), "--as-of", "2021-12-31",
                                   "--waivers", examples / "waivers.yaml", "--json", out / "result.json",
                                   "--html", out / "report.html", "--findings", out / "findings.xlsx",
                                   "--lang", "en"])
    after = {p.name: digest(p) for p in examples.iterdir()}
    return {"code": code, "out": stdout, "err": stderr, "dir": out, "before": before, "after": after,
            "json": json.loads((out / "result.json").read_text(encoding="utf-8"))}


# --------------------------------------------------------------------------- audit

def test_audit_on_the_examples_writes_every_output(full_audit):
    """audit exits 0 and writes the JSON, the HTML report and the findings workbook."""
    assert full_audit["code"] == 0, full_audit["err"]
    folder = full_audit["dir"]
    for name in ("result.json", "report.html", "findings.xlsx"):
        assert (folder / name).stat().st_size > 0
    assert (folder / "report.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert (folder / "findings.xlsx").read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in folder.iterdir()) == ["findings.xlsx", "report.html", "result.json"]


def test_audit_prints_score_grade_coverage_and_failing_rules(full_audit):
    """The summary shows the score, grade and coverage of the JSON, and every failing rule."""
    data = full_audit["json"]
    out = full_audit["out"]
    assert f"Score: {data['score']['percent']:.1f} / 100" in out
    assert f"Grade: {data['score']['grade']}" in out
    assert f"Coverage: {100 * data['score']['coverage']:.0f}%" in out
    assert "Failing rules:" in out
    for rule in data["rules"]:
        if rule["status"] == "fail":
            assert rule["id"] in out


def test_audit_summary_is_chinese_by_default(examples, tmp_path):
    """Without --lang the terminal summary is in Chinese, with the rules' Chinese messages."""
    code, out, err = invoke(["audit", *data_args(examples), "--as-of", "2021-12-31",
                             "--html", tmp_path / "r.html"])
    assert code == 0, err
    assert "得分:" in out and "等次:" in out and "未达标规则:" in out
    assert "条中" in out and "fail the check" not in out


def test_audit_json_follows_the_contract(full_audit):
    """The result JSON has the keys of DESIGN §8, one entry per rule, and consistent counts."""
    data = full_audit["json"]
    assert set(data) >= {"tool", "rulebook", "as_of", "datasets", "score", "sections", "rules",
                         "departments", "findings", "findings_truncated", "data_issues", "warnings"}
    assert data["tool"]["name"] == "disclosure-rules"
    assert data["as_of"] == "2021-12-31"
    assert set(data["datasets"]) == set(LEDGERS)
    assert [r["id"] for r in data["rules"]] == [r.id for r in BOOK.rules if r.enabled]
    for rule in data["rules"]:
        assert rule["status"] in ("pass", "fail", "not_applicable", "not_assessed", "error")
        assert rule["passed"] + rule["violations"] + rule["pending"] == rule["population"]
        assert rule["rate"] is None or 0 <= rule["rate"] <= 1
    assert data["findings_truncated"] is False
    assert 0 <= data["score"]["percent"] <= 100


def test_audit_leaves_the_inputs_byte_identical(full_audit):
    """Reading the ledgers and waivers never modifies them."""
    assert full_audit["after"] == full_audit["before"]


def test_json_findings_truncates_but_keeps_rule_counts(full_audit, examples, tmp_path):
    """--json-findings 2 keeps at most 2 findings per rule and says so; rule counts stay complete."""
    code, _, err = invoke(["audit", *data_args(examples), "--as-of", "2021-12-31",
                           "--waivers", examples / "waivers.yaml", "--json", tmp_path / "r.json",
                           "--html", tmp_path / "r.html", "--json-findings", "2"])
    assert code == 0, err
    short = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    full = full_audit["json"]
    assert short["findings_truncated"] is True
    per_rule: dict[str, int] = {}
    for finding in short["findings"]:
        per_rule[finding["rule"]] = per_rule.get(finding["rule"], 0) + 1
    assert max(per_rule.values()) <= 2
    full_per_rule: dict[str, int] = {}
    for finding in full["findings"]:
        full_per_rule[finding["rule"]] = full_per_rule.get(finding["rule"], 0) + 1
    assert per_rule == {rule: min(2, n) for rule, n in full_per_rule.items()}
    assert short["rules"] == full["rules"]
    assert short["score"] == full["score"]


def test_json_findings_all_and_bad_values(examples, tmp_path):
    """--json-findings all keeps every finding; a word or a negative number is a usage error."""
    code, _, err = invoke(["audit", *data_args(examples, ["requests"]), "--as-of", "2021-12-31",
                           "--json", tmp_path / "r.json", "--html", tmp_path / "r.html", "--json-findings", "all"])
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings_truncated"] is False
    for bad in ("many", "-1"):
        code, _, err = invoke(["audit", *data_args(examples, ["requests"]), "--html", tmp_path / "x.html",
                               "--json-findings", bad])
        assert code == 2
        assert "--json-findings" in err and "Traceback" not in err


def test_fail_under_exits_1_after_writing_the_outputs(examples, tmp_path):
    """A score below --fail-under 99 exits 1, still writing the report and printing the summary."""
    code, out, err = invoke(["audit", *data_args(examples), "--as-of", "2021-12-31",
                             "--html", tmp_path / "r.html", "--json", tmp_path / "r.json", "--fail-under", "99"])
    assert code == 1
    assert "fail-under" in err
    assert "得分:" in out  # the summary follows --lang, Chinese by default
    assert (tmp_path / "r.html").is_file() and (tmp_path / "r.json").is_file()


def test_fail_under_met_exits_0(examples, tmp_path):
    """A score at or above --fail-under exits 0."""
    code, _, err = invoke(["audit", *data_args(examples, ["requests"]), "--as-of", "2021-12-31",
                           "--html", tmp_path / "r.html", "--fail-under", "0"])
    assert code == 0, err


def test_default_html_goes_to_the_working_folder(examples, tmp_path, monkeypatch):
    """Without --html the report is audit-report.html in the working folder."""
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(["audit", *data_args(examples, ["meetings"]), "--as-of", "2021-12-31"])
    assert code == 0, err
    assert (tmp_path / "audit-report.html").is_file()


def test_findings_csv_export(examples, tmp_path):
    """--findings x.csv writes a UTF-8 BOM CSV rectification list."""
    code, _, err = invoke(["audit", *data_args(examples, ["requests"]), "--as-of", "2021-12-31",
                           "--html", tmp_path / "r.html", "--findings", tmp_path / "f.csv"])
    assert code == 0, err
    assert (tmp_path / "f.csv").read_bytes().startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------- bad input: exit 2

def garbage_gbk(path: Path) -> Path:
    """Bytes that are neither UTF-8 nor GB18030 text (invalid lead/trail byte pairs)."""
    path.write_bytes(bytes([0x81, 0x20, 0xFF, 0xFE, 0x80, 0x0A]) * 200)
    return path


def binary_file(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 20)
    return path


def missing_column(path: Path) -> Path:
    path.write_text("文号,文件标题\n晋商办发〔2021〕1号,关于……的通知\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make, names", [
    (lambda d: d / "absent.csv", ["absent.csv"]),
    (lambda d: garbage_gbk(d / "garbage.csv"), ["garbage.csv"]),
    (lambda d: binary_file(d / "binary.csv"), ["binary.csv"]),
    (lambda d: binary_file(d / "binary.xlsx"), ["binary.xlsx"]),
    (lambda d: missing_column(d / "nocolumn.csv"), ["nocolumn.csv", "disclosure", "公开属性"]),
], ids=["missing-file", "gbk-garbage", "binary-csv", "binary-xlsx", "missing-required-column"])
def test_bad_ledger_exits_2_with_one_paragraph(tmp_path, make, names):
    """An unreadable or incomplete ledger: exit 2, one paragraph naming the file, no traceback."""
    path = make(tmp_path)
    code, out, err = invoke(["audit", "--data", f"documents={path}", "--html", tmp_path / "r.html"])
    assert code == 2
    assert_one_paragraph(err, *names)
    assert not (tmp_path / "r.html").exists()


def test_unknown_dataset_exits_2(examples, tmp_path):
    """A dataset name the rulebook does not define: exit 2 naming it and listing the datasets."""
    code, _, err = invoke(["audit", "--data", f"documnets={examples / 'documents.csv'}", "--html", tmp_path / "r.html"])
    assert code == 2
    assert_one_paragraph(err, "documnets", "documents")


def test_malformed_data_option_exits_2(tmp_path):
    """--data without NAME= is a usage error."""
    code, _, err = invoke(["audit", "--data", "docs.csv", "--html", tmp_path / "r.html"])
    assert code == 2
    assert "NAME=PATH" in err and "Traceback" not in err


def test_same_dataset_twice_exits_2(examples, tmp_path):
    """Two files for one dataset is a usage error, not a silent drop of the first ledger."""
    code, _, err = invoke(["audit", "--data", f"requests={examples / 'requests.csv'}",
                           "--data", f"requests={examples / 'documents.csv'}", "--html", tmp_path / "r.html"])
    assert code == 2
    assert "twice" in err and "requests.csv" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_outputs_into_a_new_folder(examples, tmp_path):
    """--html, --json and --findings into a folder that does not exist yet all create it."""
    new = tmp_path / "new" / "folder"
    code, _, err = invoke(["audit", *data_args(examples, ["meetings"]), "--as-of", "2021-12-31",
                           "--html", new / "r.html", "--json", new / "j" / "r.json", "--findings", new / "f" / "f.csv"])
    assert code == 0, err
    assert (new / "r.html").is_file() and (new / "j" / "r.json").is_file() and (new / "f" / "f.csv").is_file()

def test_debug_shows_the_traceback(tmp_path):
    """--debug adds the traceback to the message."""
    code, _, err = invoke(["--debug", "audit", "--data", f"documents={tmp_path / 'absent.csv'}",
                           "--html", tmp_path / "r.html"])
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert "absent.csv" in err


# --------------------------------------------------------------------------- broken rulebooks

def child_book(folder: Path, body: str, name: str = "broken.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


BROKEN_BOOKS = {
    "syntax-error": ("rulebook: {id: x, title: [unclosed\n", ["broken.yaml", "syntax"]),
    "unknown-key": ("extends: builtin:shanxi-commerce-2021\nrules:\n  - id: DOC-ATTR-01\n    pionts: 3\n",
                    ["broken.yaml", "pionts", "points"]),
    "python-tag-on-collection": ("rulebook: !!python/object/apply:os.system ['touch {pwned}']\ndatasets: {}\n",
                                 ["broken.yaml"]),
    "python-tag-on-scalar": ("extends: builtin:shanxi-commerce-2021\nrulebook:\n  title: !!python/name:os.system\n",
                             ["broken.yaml", "tag"]),
    "malicious-expression": ("extends: builtin:shanxi-commerce-2021\nrules:\n  - id: DOC-ATTR-01\n"
                             "    expect: \"__import__('os').system('touch {pwned}')\"\n",
                             ["broken.yaml", "DOC-ATTR-01"]),
    "dunder-name": ("extends: builtin:shanxi-commerce-2021\nrules:\n  - id: DOC-ATTR-01\n"
                    "    expect: \"disclosure.__class__ == 1\"\n", ["broken.yaml", "DOC-ATTR-01"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_BOOKS))
@pytest.mark.parametrize("command", ["audit", "validate"])
def test_broken_rulebook_exits_2_with_location(tmp_path, examples, case, command):
    """A broken rulebook: exit 2, one paragraph with file:line:column, nothing executed, nothing written."""
    pwned = tmp_path / "pwned"
    body, names = BROKEN_BOOKS[case]
    book = child_book(tmp_path, body.replace("{pwned}", str(pwned)))
    if command == "audit":
        args = ["audit", "--rules", book, *data_args(examples, ["documents"]), "--html", tmp_path / "r.html",
                "--json", tmp_path / "r.json"]
    else:
        args = ["validate", book]
    code, _, err = invoke(args)
    assert code == 2
    assert_one_paragraph(err, *names)
    assert re.search(r"broken\.yaml:\d+:\d+", err), err
    assert not pwned.exists()
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.json").exists()


def test_broken_rulebook_with_debug_shows_the_traceback(tmp_path):
    """--debug shows where a rulebook error was raised."""
    book = child_book(tmp_path, BROKEN_BOOKS["unknown-key"][0])
    code, _, err = invoke(["--debug", "validate", book])
    assert code == 2
    assert "Traceback (most recent call last)" in err and "RulebookError" in err


def test_missing_rulebook_exits_2(tmp_path):
    """A rulebook path that does not exist, or an unknown builtin: exit 2 naming it."""
    code, _, err = invoke(["validate", tmp_path / "nope.yaml"])
    assert code == 2
    assert_one_paragraph(err, "nope.yaml")
    code, _, err = invoke(["validate", "builtin:no-such-book"])
    assert code == 2
    assert_one_paragraph(err, "no-such-book")


# --------------------------------------------------------------------------- atomic outputs

def test_failed_audit_leaves_existing_outputs_untouched(tmp_path):
    """Bad input: pre-existing outputs keep their bytes, and no temporary file is left behind."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("r.json", "r.html", "f.xlsx"):
        (out / name).write_text("previous run", encoding="utf-8")
    code, _, _ = invoke(["audit", "--data", f"documents={garbage_gbk(tmp_path / 'bad.csv')}",
                         "--json", out / "r.json", "--html", out / "r.html", "--findings", out / "f.xlsx"])
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == ["f.xlsx", "r.html", "r.json"]
    for name in ("r.json", "r.html", "f.xlsx"):
        assert (out / name).read_text(encoding="utf-8") == "previous run"


def test_failure_while_writing_leaves_no_partial_file(examples, tmp_path, monkeypatch):
    """The rename of a finished temporary file fails: the old file stays, the temporary one is removed."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.json").write_text("previous run", encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    code, _, err = invoke(["audit", *data_args(examples, ["requests"]), "--as-of", "2021-12-31",
                           "--json", out / "r.json", "--html", out / "r.html"])
    monkeypatch.undo()
    assert code == 2
    assert_one_paragraph(err, "r.json")
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]
    assert (out / "r.json").read_text(encoding="utf-8") == "previous run"


def test_failure_while_rendering_the_report_leaves_no_partial_file(examples, tmp_path, monkeypatch):
    """An error in the middle of writing the report: the old report stays, no temporary file remains."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.html").write_text("previous run", encoding="utf-8")
    import disclosure_rules.report as report

    def explode(result, lang="zh"):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(report, "render_html", explode)
    code, _, err = invoke(["audit", *data_args(examples, ["requests"]), "--as-of", "2021-12-31",
                           "--html", out / "r.html"])
    assert code == 2
    assert "Traceback" not in err and "--debug" in err
    assert sorted(p.name for p in out.iterdir()) == ["r.html"]
    assert (out / "r.html").read_text(encoding="utf-8") == "previous run"


# --------------------------------------------------------------------------- validate

@pytest.mark.parametrize("book", [BUILTIN, str(BUILTIN_YAML), str(EXAMPLES / "next-year.yaml")],
                         ids=["builtin", "yaml-path", "next-year"])
def test_validate_good_books_exits_0(book):
    """validate accepts the built-in book (by id and by path) and the example child book."""
    if not Path(book).exists() and not book.startswith("builtin:"):
        pytest.skip(f"{book} is not in this checkout")
    code, out, err = invoke(["validate", book])
    assert code == 0, err
    assert "valid" in out


def test_validate_reports_line_and_column(tmp_path):
    """validate points at the offending line and column of a broken book."""
    book = child_book(tmp_path, "extends: builtin:shanxi-commerce-2021\nrules:\n  - id: DOC-ATTR-01\n    pionts: 3\n")
    code, _, err = invoke(["validate", book])
    assert code == 2
    assert f"{book}:4:5" in err


# --------------------------------------------------------------------------- schema

def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
        schema = {**{k: v for k, v in schema.items() if k != "$ref"}, **node}
    return schema


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def schema_errors(value, schema: dict, root: dict, path: str = "$") -> list[str]:
    """A small JSON Schema checker for the keywords pydantic emits (jsonschema is not a dependency)."""
    schema = _resolve(schema, root)
    errors: list[str] = []
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf")
        matches = [o for o in options if not schema_errors(value, o, root, path)]
        if "oneOf" in schema and "discriminator" in schema and isinstance(value, dict):
            target = schema["discriminator"]["mapping"].get(value.get(schema["discriminator"]["propertyName"]))
            if target is None:
                return [f"{path}: unknown discriminator value"]
            return schema_errors(value, {"$ref": target}, root, path)
        if not matches:
            return [f"{path}: matches none of {len(options)} options"]
        if "oneOf" in schema and len(matches) > 1:
            return [f"{path}: matches {len(matches)} oneOf options"]
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        ok = False
        for k in kinds:
            if k == "integer":
                ok |= isinstance(value, int) and not isinstance(value, bool)
            elif k == "number":
                ok |= isinstance(value, (int, float)) and not isinstance(value, bool)
            else:
                ok |= isinstance(value, TYPES[k])
        if not ok:
            return [f"{path}: {value!r} is not {kind}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: above maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{path}: not above exclusiveMinimum")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key}")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], root, f"{path}.{key}")
            elif extra is False:
                errors.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, root, f"{path}.{key}")
        if len(value) < schema.get("minProperties", 0):
            errors.append(f"{path}: too few properties")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: too few items")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    return errors


@pytest.fixture(scope="module")
def printed_schema() -> dict:
    code, out, err = invoke(["schema"])
    assert code == 0, err
    return json.loads(out)


def test_schema_is_a_json_schema_of_the_format(printed_schema):
    """schema prints JSON Schema (2020-12) with the top-level keys of a rulebook, closed to typos."""
    schema = printed_schema
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    assert {"rulebook", "datasets", "rules", "sections", "calendar", "extends", "remove_rules"} <= set(schema["properties"])
    assert schema.get("additionalProperties") is False
    # a book without extends is validated whole (the "else" branch); a child one gives only what changes
    assert schema["if"] == {"required": ["extends"]}
    rule_items = schema["else"]["properties"]["rules"]["items"]
    from disclosure_rules.kinds import REGISTRY

    assert set(rule_items["discriminator"]["mapping"]) == set(REGISTRY)  # every kind, from the one list
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object" and "properties" in definition:
            assert definition.get("additionalProperties") is False, name


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, as an editor reads the file: a bare ``on:`` is a string key."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


def _yaml_as_json(path: Path):
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader
    return json.loads(json.dumps(data, default=str))


def test_schema_validates_the_builtin_book(printed_schema):
    """The built-in rulebook's YAML satisfies the printed schema."""
    document = _yaml_as_json(BUILTIN_YAML)
    try:
        import jsonschema  # noqa: F401 - used only when the environment happens to have it
    except ImportError:
        assert schema_errors(document, printed_schema, printed_schema) == []
    else:  # pragma: no cover - not a dependency
        jsonschema.validate(document, printed_schema)


def test_schema_rejects_typos_and_unknown_kinds(printed_schema):
    """The schema catches what the loader catches: an unknown key and an unknown rule kind."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(printed_schema)
    document = _yaml_as_json(BUILTIN_YAML)
    document["rules"][0]["pionts"] = 3
    assert any("pionts" in str(e) for e in validator.iter_errors(document))
    document = _yaml_as_json(BUILTIN_YAML)
    document["rules"][0]["kind"] = "regex"
    assert list(validator.iter_errors(document))


# --------------------------------------------------------------------------- explain

@pytest.mark.parametrize("rule_id", [r.id for r in BOOK.rules])
def test_explain_every_builtin_rule(rule_id):
    """explain prints the rule's title and the basis clause with its quoted text."""
    rule = BOOK.rule(rule_id)
    code, out, err = invoke(["explain", rule_id])
    assert code == 0, err
    assert rule.title in out
    assert rule.basis is not None, f"{rule_id} has no basis"
    assert rule.basis.clause in out
    assert rule.basis.text.strip()[:20] in out


def test_explain_in_english_and_unknown_rule():
    """--lang en labels the basis in English; an unknown id exits 2 with a suggestion."""
    code, out, _ = invoke(["explain", "REQ-DEADLINE-01", "--lang", "en"])
    assert code == 0 and "Basis:" in out
    code, _, err = invoke(["explain", "REQ-DEADLINE-1"])
    assert code == 2
    assert "REQ-DEADLINE-01" in err and "Traceback" not in err


# --------------------------------------------------------------------------- template

def run_template(dataset: str, path: Path) -> None:
    code, out, err = invoke(["template", dataset, "-o", path])
    assert code == 0, err
    assert path.is_file()


@pytest.mark.parametrize("dataset", list(BOOK.datasets))
def test_xlsx_template_headers_lists_and_date_formats(tmp_path, dataset):
    """The XLSX template: preferred Chinese headers, drop-down lists on categories, date formats on dates."""
    from openpyxl import load_workbook

    path = tmp_path / f"{dataset}.xlsx"
    run_template(dataset, path)
    spec = BOOK.datasets[dataset]
    sheet = load_workbook(path).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == [f.aliases[0] if f.aliases else name for name, f in spec.fields.items()]
    validated = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            validated[cell_range.min_col] = validation
    for column, (name, field) in enumerate(spec.fields.items(), 1):
        if field.type == "category":
            assert column in validated, f"{name} has no drop-down list"
            assert validated[column].type == "list"
        if field.type == "date":
            assert "yy" in sheet.cell(row=2, column=column).number_format.lower(), name


def test_xlsx_template_lists_hold_the_labels(tmp_path):
    """The drop-down of 公开属性 offers the first label of each code."""
    from openpyxl import load_workbook

    path = tmp_path / "documents.xlsx"
    run_template("documents", path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    column = [c.value for c in sheet[1]].index("公开属性") + 1
    validation = next(v for v in sheet.data_validations.dataValidation
                      if any(r.min_col == column for r in v.sqref.ranges))
    sheet_name, _, cells = validation.formula1.lstrip("=").partition("!")
    lists = workbook[sheet_name]
    values = [c.value for row in lists[cells.replace("$", "")] for c in row]
    expected = [labels[0] for labels in BOOK.datasets["documents"].fields["disclosure"].values.values()]
    assert values == expected


@pytest.mark.parametrize("dataset", list(BOOK.datasets))
def test_csv_template_has_a_bom_header_row(tmp_path, dataset):
    """The CSV template is one UTF-8 BOM header row of the preferred headers."""
    path = tmp_path / f"{dataset}.csv"
    run_template(dataset, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    spec = BOOK.datasets[dataset]
    assert lines == [",".join(f.aliases[0] if f.aliases else n for n, f in spec.fields.items())]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("dataset", list(BOOK.datasets))
def test_template_reads_back_without_missing_columns(tmp_path, dataset, suffix):
    """An empty template audits cleanly: no missing-column error, nothing assessed wrongly."""
    path = tmp_path / f"{dataset}{suffix}"
    run_template(dataset, path)
    code, _, err = invoke(["audit", "--data", f"{dataset}={path}", "--json", tmp_path / "r.json",
                           "--html", tmp_path / "r.html", "--as-of", "2021-12-31"])
    assert code == 0, err
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["datasets"][dataset]["rows"] == 0
    for rule in data["rules"]:
        if rule["dataset"] == dataset and rule["status"] == "not_assessed":
            assert "no column" not in rule["message"], rule


def test_filled_in_template_is_audited(tmp_path):
    """One record typed into the XLSX template is read with its date and category."""
    from openpyxl import load_workbook

    path = tmp_path / "documents.xlsx"
    run_template("documents", path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("发文字号") + 1 if "发文字号" in headers else headers.index("文号") + 1,
               value="晋商办发〔2021〕9号")
    sheet.cell(row=2, column=headers.index("公开属性") + 1, value="主动公开")
    workbook.save(path)
    code, _, err = invoke(["audit", "--data", f"documents={path}", "--json", tmp_path / "r.json",
                           "--html", tmp_path / "r.html", "--as-of", "2021-12-31"])
    assert code == 0, err
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["datasets"]["documents"]["rows"] == 1
    assert data["rules"][0]["id"] == "DOC-ATTR-01" and data["rules"][0]["status"] == "pass"


def test_template_rejects_unknown_dataset_and_suffix(tmp_path):
    """An unknown dataset or an output that is neither .xlsx nor .csv is a usage error."""
    code, _, err = invoke(["template", "documnets", "-o", tmp_path / "x.xlsx"])
    assert code == 2 and "documents" in err
    code, _, err = invoke(["template", "documents", "-o", tmp_path / "x.txt"])
    assert code == 2 and ".xlsx" in err
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- demo

def test_demo_writes_the_three_outputs(tmp_path):
    """demo -o DIR audits the bundled examples and writes report, JSON and findings there."""
    code, out, err = invoke(["demo", "-o", tmp_path / "demo"])
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert names == ["audit-report.html", "findings.xlsx", "result.json"]
    data = json.loads((tmp_path / "demo" / "result.json").read_text(encoding="utf-8"))
    assert data["as_of"] == "2021-12-31" and set(data["datasets"]) == set(LEDGERS)
    assert "得分:" in out and "等次:" in out


def test_version_and_help():
    """--version and --help exit 0."""
    code, out, _ = invoke(["--version"])
    assert code == 0 and "disclosure-rules" in out
    code, out, _ = invoke(["audit", "--help"])
    assert code == 0 and "--fail-under" in out


def test_previous_result_is_read_or_refused_in_one_sentence(tmp_path):
    """--previous takes the JSON an earlier run wrote; a file that is not one is refused with
    exit 2 and a sentence naming it, never a traceback."""
    first = tmp_path / "2020.json"
    code, _, err = invoke(["audit", *data_args(EXAMPLES), "--as-of", "2021-12-31", "--json", first,
                           "--html", tmp_path / "a.html"])
    assert code == 0, err
    code, _, err = invoke(["audit", *data_args(EXAMPLES), "--as-of", "2021-12-31", "--previous", first,
                           "--html", tmp_path / "b.html"])
    assert code == 0, err
    broken = tmp_path / "broken.json"
    broken.write_text('{"score": 1}', encoding="utf-8")
    for bad in (broken, tmp_path / "missing.json"):
        code, _, err = invoke(["audit", *data_args(EXAMPLES), "--as-of", "2021-12-31", "--previous", bad,
                               "--html", tmp_path / "c.html"])
        assert code == 2 and "Traceback" not in err and "previous result" in err, err


def test_duckdb_settings_on_the_command_line(tmp_path):
    """--memory-limit/--temp-dir/--threads run the audit on DuckDB with the same result as
    pandas; a size DuckDB cannot read, or the settings with --engine pandas, are one-paragraph
    errors naming the setting, and nothing is written."""
    docs = EXAMPLES / "documents.csv"
    base = ["audit", "--data", f"documents={docs}", "--as-of", "2021-12-31"]
    code, _, err = invoke(base + ["--engine", "pandas", "--json", tmp_path / "pandas.json", "--html", ""])
    assert code in (0, 1), err
    code, _, err = invoke(base + ["--memory-limit", "300MB", "--temp-dir", tmp_path / "spill", "--threads", "1",
                                  "--json", tmp_path / "duck.json", "--html", ""])
    assert code in (0, 1), err
    pandas_result = json.loads((tmp_path / "pandas.json").read_text(encoding="utf-8"))
    duck_result = json.loads((tmp_path / "duck.json").read_text(encoding="utf-8"))
    assert pandas_result["rules"] == duck_result["rules"] and pandas_result["score"] == duck_result["score"]
    code, _, err = invoke(base + ["--memory-limit", "12XB", "--json", tmp_path / "bad.json", "--html", ""])
    assert code == 2
    assert_one_paragraph(err, "12XB")
    code, _, err = invoke(base + ["--engine", "pandas", "--threads", "2", "--json", tmp_path / "bad.json"])
    assert code == 2
    assert_one_paragraph(err, "--threads")
    assert not (tmp_path / "bad.json").exists()


def test_validate_and_help_do_not_load_the_audit_engine():
    """`validate` and `--help` start fast: checking a rulebook (its kinds, expressions and RE2
    patterns) imports neither pandas nor SQLGlot, which only an audit needs."""
    import subprocess
    import sys

    probe = ("import sys\nfrom disclosure_rules.cli import main\n"
             "for argv in (['validate', 'builtin:shanxi-commerce-2021'], ['--help']):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
             "print(sorted(m for m in ('pandas', 'sqlglot', 'duckdb', 'openpyxl') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.skipif(sys.platform != "linux", reason="the allocators are chosen on Linux only")
@pytest.mark.parametrize("chosen", [None, "system"])
def test_the_command_takes_arrows_jemalloc_pool_unless_the_user_chose_one(chosen):
    """A command run uses Arrow's jemalloc pool, numpy without transparent huge pages
    (mimalloc and huge pages cost seconds of kernel time at a million rows) and DuckDB's
    allocator handing freed pages back at once; what the user set in
    ARROW_DEFAULT_MEMORY_POOL, NUMPY_MADVISE_HUGEPAGE or DUCKDB_JE_MALLOC_CONF is kept, and
    DuckDB runs under either."""
    import os
    import subprocess

    names = ("ARROW_DEFAULT_MEMORY_POOL", "NUMPY_MADVISE_HUGEPAGE", "DUCKDB_JE_MALLOC_CONF")
    env = {k: v for k, v in os.environ.items() if k not in names}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
        env["NUMPY_MADVISE_HUGEPAGE"] = "1"
        env["DUCKDB_JE_MALLOC_CONF"] = "dirty_decay_ms:5000"
    code = ("import contextlib, io, os\nfrom disclosure_rules.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])\n"
            "import duckdb, numpy as np, pyarrow as pa\n"
            "assert duckdb.sql('select sum(i) from range(1000000) t(i)').fetchall() == [(499999500000,)]\n"
            "print(pa.default_memory_pool().backend_name, np._core.multiarray._get_madvise_hugepage(),"
            " os.environ['DUCKDB_JE_MALLOC_CONF'])")
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ([chosen, "True", "dirty_decay_ms:5000"] if chosen
                                    else ["jemalloc", "False", "dirty_decay_ms:0"])
