"""Chinese first: the terminal, errors, warnings and did-you-mean speak Chinese unless asked not to.

The language follows --lang, else the environment's locale (LC_ALL, LC_MESSAGES, LANG),
else Chinese.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from disclosure_rules import audit, load_rulebook
from disclosure_rules.cli import main
from disclosure_rules.errors import DatasetError
from disclosure_rules.rulebook import closest, rulebook_from_dict

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def chinese_terminal(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def run(args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def ledgers(tmp_path):
    for name in ("documents.csv", "requests.csv"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("args, needle", [
    (["audit"], "缺少选项"),
    (["audit", "--dta", "x"], "是否应为 --data"),
    (["audit", "--data", "documents"], "--data 的写法是"),
    (["audit", "--data", "docs={docs}"], "是否应为 documents（公文台账）"),
    (["audit", "--data", "documents={folder}/document.csv"], "是否应为"),
    (["audit", "--data", "documents={docs}", "--as-of", "2021-13-01"], "不是日期"),
    (["explain", "REQ-DEADLIN-01"], "是否应为 REQ-DEADLINE-01"),
    (["template", "公文台", "-o", "{folder}/t.xlsx"], "是否应为 documents"),
])
def test_errors_are_chinese_by_default(ledgers, args, needle):
    """Usage mistakes and bad input end with exit 2 and one Chinese paragraph (错误：…), with the
    likely intended option, dataset, file or rule; no traceback."""
    args = [a.format(docs=ledgers / "documents.csv", folder=ledgers) for a in args]
    code, out, err = run(args)
    assert code == 2
    assert err.startswith("错误：") and needle in err, err
    assert "Traceback" not in err and "Error:" not in err


def test_the_same_errors_in_english_with_the_locale(ledgers, monkeypatch):
    """With an English locale (or --lang en) the messages are English."""
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    code, _, err = run(["audit", "--data", f"docs={ledgers / 'documents.csv'}"])
    assert code == 2 and "did you mean 'documents'" in err and not CJK.search(err.replace("公文台账", ""))
    monkeypatch.delenv("LC_ALL")
    code, _, err = run(["audit", "--lang", "en", "--data", f"docs={ledgers / 'documents.csv'}"])
    assert code == 2 and err.startswith("Error:")


def test_dataset_titles_variants_and_full_width_equals_are_accepted(ledgers):
    """--data 公文台账=… (the dataset's title), 公文台帐 (a variant character) and a full-width ＝
    all name the documents ledger; the summary is Chinese and the report is written."""
    docs = ledgers / "documents.csv"
    for spec in (f"公文台账={docs}", f"公文台帐={docs}", f"documents＝{docs}"):
        code, out, err = run(["audit", "--data", spec, "--html", ledgers / "r.html"])
        assert code == 0, err
        assert "得分" in out and "已写入" in out
    code, out, _ = run(["template", "公文台帐", "-o", ledgers / "t.xlsx"])
    assert code == 0 and out.startswith("已写入")


def test_library_accepts_titles_and_suggests_names():
    """audit() takes a dataset's title as its name; an unknown name is a DatasetError that
    suggests the closest dataset, in English (str) and in Chinese (.zh)."""
    book = load_rulebook()
    result = audit(book, {"公文台账": EXAMPLES / "documents.csv"}, as_of="2021-12-31")
    assert "documents" in result.data and len(result.data["documents"].frame) > 0
    with pytest.raises(DatasetError) as info:
        audit(book, {"doc": EXAMPLES / "documents.csv"}, as_of="2021-12-31")
    assert "did you mean 'documents'" in str(info.value) and "是否应为 documents" in info.value.zh
    with pytest.raises(DatasetError) as info:
        audit(book, {"依申请公开台帐表": EXAMPLES / "requests.csv"}, as_of="2021-12-31")
    assert "did you mean 'requests'" in str(info.value)


@pytest.mark.parametrize("typed, candidates, expected", [
    ("公文台帐", ["公文台账", "依申请公开登记台账"], "公文台账"),
    ("部份公开", ["予以公开", "部分公开", "不予公开"], "部分公开"),
    ("ＲＥＱ－ＤＥＡＤＬＩＮＥ－０１", ["REQ-DEADLINE-01", "REQ-CORR-01"], "REQ-DEADLINE-01"),
    ("公文台账.xslx", ["公文台账.xlsx", "requests.csv"], "公文台账.xlsx"),
    ("完全无关", ["公文台账"], None),
])
def test_did_you_mean_folds_variants_and_widths(typed, candidates, expected):
    """台帐/台账, 部份/部分 and full-width letters are the same name to a did-you-mean."""
    assert closest(typed, candidates) == expected


def test_unknown_label_suggests_the_label_meant(tmp_path):
    """An unknown category label that is a variant of a label (部份公开) says which it likely is."""
    book = load_rulebook()
    requests = pd.read_csv(EXAMPLES / "requests.csv", dtype=str, header=2, keep_default_na=False,
                           encoding="utf-8-sig")
    requests.loc[requests.index[0], "办理结果"] = "部份公开"
    result = audit(book, {"requests": requests}, as_of="2021-12-31")
    issue = next(i for i in result.data_issues if i["value"] == "部份公开")
    assert "did you mean 部分公开" in issue["problem"]
    path = tmp_path / "r.html"
    result.write_html(path)
    assert "是否应为“部分公开”" in path.read_text(encoding="utf-8")


def test_severity_words_are_accepted_in_yaml():
    """severity: 严重 / 较重 / 一般 (as the report shows them) mean critical / major / minor."""
    fields = {"a": {"type": "string"}}
    rules = [{"id": f"R{i}", "title": "t", "dataset": "d", "kind": "required", "fields": ["a"], "severity": word}
             for i, word in enumerate(["严重", "较重", "一般", "minor"])]
    book = rulebook_from_dict({"rulebook": {"id": "x", "title": "t"}, "datasets": {"d": {"fields": fields}},
                               "rules": rules})
    assert [r.severity for r in book.rules] == ["critical", "major", "minor", "minor"]


@pytest.mark.parametrize("typed", ["2021/12/31", "2021.12.31", "2021年12月31日", "２０２１－１２－３１",
                                   "二〇二一年十二月三十一日", "2021年12月31日 星期五", "2021-12-31(周五)", "'2021-12-31",
                                   "2021/12/31 00:00:00", "44561"])
def test_as_of_in_every_form_a_ledger_accepts(ledgers, typed):
    """--as-of takes the date forms a ledger cell may hold (DESIGN §11): slashes, dots, 年月日,
    full-width digits, Chinese numerals, a weekday, a leading apostrophe, a time, an Excel serial."""
    code, out, err = run(["audit", "--data", f"documents={ledgers / 'documents.csv'}", "--as-of", typed,
                          "--html", ledgers / "r.html"])
    assert code == 0, err
    assert "2021-12-31" in out


def test_as_of_far_from_the_period_and_a_book_of_another_year_warn(ledgers):
    """An as-of far after the plan period, before it, or after today warns (in Chinese in the
    terminal, in English in the JSON); so does a 2022 book run on 2021 ledgers."""
    docs = ledgers / "documents.csv"
    code, out, _ = run(["audit", "--data", f"documents={docs}", "--as-of", "2030-01-01", "--html", ledgers / "r.html"])
    assert code == 0 and "晚于考核期间" in out and "晚于今天" in out
    code, out, _ = run(["audit", "--data", f"documents={docs}", "--as-of", "2020-06-30", "--html", ledgers / "r.html"])
    assert code == 0 and "早于考核期间" in out
    code, out, _ = run(["audit", "--data", f"documents={docs}", "--as-of", "2021-12-31", "--html", ledgers / "r.html"])
    assert "考核期间" not in out
    child = ledgers / "2022.yaml"
    child.write_text("extends: builtin:shanxi-commerce-2021\nrulebook:\n  id: shanxi-commerce-2022\n  year: 2022\n"
                     "  period: {start: 2022-01-01, end: 2022-12-31}\n", encoding="utf-8")
    result = audit(load_rulebook(child), {"documents": docs}, as_of="2022-12-31")
    assert any("fall outside the plan period" in w for w in result.warnings)
    assert any("年度是否一致" in w for w in result.warnings_in("zh"))


def test_waiver_notices_are_chinese_in_the_report(tmp_path):
    """An expired waiver and one for an unknown rule are noted in Chinese in the zh report."""
    book = load_rulebook()
    waivers = [{"rule": "DOC-ATTR-01", "key": "X-1", "reason": "测试", "expires": "2021-06-30"},
               {"rule": "NO-SUCH-RULE", "key": "X-2", "reason": "测试"}]
    result = audit(book, {"documents": EXAMPLES / "documents.csv"}, as_of="2021-12-31", waivers=waivers)
    zh = result.warnings_in("zh")
    assert any("豁免已于 2021-06-30 到期" in w for w in zh)
    assert any("考核方案中没有这条规则" in w for w in zh)
    path = tmp_path / "r.html"
    result.write_html(path)
    page = path.read_text(encoding="utf-8")
    assert "expired on" not in page and "豁免已于 2021-06-30 到期" in page


#: phrases of the tool's own English that must not reach a Chinese output
ENGLISH_OF_THE_TOOL = ["not a date", "unknown label", "expired on", "waiver for rule", "Wrote", "Error",
                       "Warning", "is missing", "should be", "does not hold", "working days", "deadline",
                       "fall outside the plan period", "did you mean", "as_of"]


@pytest.fixture(scope="module")
def chinese_demo(tmp_path_factory):
    """The demo run once in Chinese (the locale says nothing): its terminal (stdout, stderr),
    the report's text and every cell of the rectification list."""
    import html as htmllib

    from openpyxl import load_workbook

    folder = tmp_path_factory.mktemp("zh-demo") / "demo"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("LC_ALL", "LC_MESSAGES"):
            patch.delenv(name, raising=False)
        patch.setenv("LANG", "C.UTF-8")
        code, out, err = run(["demo", "-o", folder])
    assert code == 0, err
    page = (folder / "audit-report.html").read_text(encoding="utf-8")
    body = page[page.index("<body"):page.index("<script>")]
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", body))
    book = load_workbook(folder / "findings.xlsx")
    cells = " | ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                       for v in row if v is not None)
    return {"out": out, "err": err, "html": text, "xlsx": cells}


def test_the_chinese_demo_has_no_english_of_the_tool(chinese_demo):
    """The demo in Chinese: terminal, report (text), rectification list: none of the tool's
    English phrases (the JSON stays English by design)."""
    for name, output in (("terminal", chinese_demo["out"]), ("html", chinese_demo["html"]),
                         ("xlsx", chinese_demo["xlsx"])):
        leaked = [p for p in ENGLISH_OF_THE_TOOL if p in output]
        assert leaked == [], (name, leaked)


COMMANDS = ["audit", "validate", "explain", "schema", "template", "demo", "due", "annual-report", "assess",
            "compare", "diff"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_text_is_bilingual(command):
    """--help of the tool and of every command: the description and every option (--help and
    --version included) say what they do in Chinese too."""
    code, out, _ = run([command, "--help"] if command else ["--help"])
    assert code == 0
    head, _, options = out.partition("Options:")
    assert CJK.search(head), out
    blocks = re.split(r"\n(?=\s{2}-)", options)
    lacking = [b.strip().splitlines()[0] for b in blocks[1:] if not CJK.search(b)]
    assert lacking == [], lacking


#: three English words in a row: a sentence of the tool left in English
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]+(?:[ ,;:()]+[A-Za-z][A-Za-z'’-]+){2,}")


def test_the_chinese_demo_has_no_english_sentence_anywhere(chinese_demo):
    """Not only the phrases listed above: no run of three English words at all in the Chinese
    demo's terminal, report text and rectification list (ledger values, file names and rule
    titles of the demo are Chinese, so anything English would be the tool's)."""
    terminal = chinese_demo["out"] + chinese_demo["err"]
    for name, output in (("terminal", terminal), ("html", chinese_demo["html"]), ("xlsx", chinese_demo["xlsx"])):
        assert ENGLISH_RUN.findall(output) == [], name


def test_a_ledger_file_typed_with_a_variant_character_is_suggested(tmp_path):
    """--data documents=公文台帐.csv when the folder holds 公文台账.csv: the error names the file
    meant (台帐/台账 are one word to a did-you-mean), in Chinese and in English."""
    shutil.copy(EXAMPLES / "documents.csv", tmp_path / "公文台账.csv")
    for lang, needle in (("zh", "是否应为"), ("en", "Did you mean")):
        code, _, err = run(["audit", "--data", f"documents={tmp_path / '公文台帐.csv'}", "--html", tmp_path / "r.html",
                            "--lang", lang])
        assert code == 2
        assert needle in err and str(tmp_path / "公文台账.csv") in err, err
