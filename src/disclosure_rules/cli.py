"""Command line (DESIGN §9): a thin click layer over the library.

Exit codes, in one place: 0 done; 1 done but the score is below ``--fail-under``;
2 bad usage, rulebook or input (a one-paragraph message, no traceback unless
``--debug``). Heavy modules (pandas) are imported inside the commands so that
``--help`` and ``validate`` start fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from . import __version__
from .resources import DEFAULT_RULEBOOK

EXIT_OK, EXIT_BELOW, EXIT_BAD = 0, 1, 2

RULES_HELP = "考核方案：YAML 文件路径或 builtin:<编号>（默认：内置的2021年方案） / Rulebook: a YAML path or builtin:<id>."
LANG_HELP = "语言 Language: zh（默认）或 en；未给出时按环境变量 LANG，否则中文。"

#: the language of the terminal's messages: --lang, else the environment's locale, else zh
_LANG = {"value": None}


def env_lang() -> str:
    """zh or en from the environment (LC_ALL, LC_MESSAGES, LANG); zh unless it says English."""
    import os

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def ui_lang() -> str:
    """The language of the message being written (--lang, else the environment, else zh)."""
    return _LANG["value"] or env_lang()


def say(zh: str, en: str) -> str:
    """One message in the terminal's language."""
    return zh if ui_lang() == "zh" else en


def _lang_option(function):
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help=LANG_HELP,
                        callback=lambda ctx, param, value: _set_lang(value))(function)


def _set_lang(value):
    if value:
        _LANG["value"] = value
    return value or ui_lang()


class _Progress:
    """One self-overwriting status line on a terminal; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.width = 0

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        text = f"  {message}"[:78]
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def done(self) -> None:
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


class _Command(click.Command):
    """A command whose --help option says what it does in both languages (click's own is English)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_HELP
        return option


class _Group(click.Group):
    command_class = _Command

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_HELP
        return option


HELP_HELP = "显示本帮助并退出 / Show this message and exit."


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disclosure-rules", help="显示版本并退出 / Show the version and exit.")
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈 / Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """政务公开台账自查：按考核方案（YAML）核查公文台账、依申请公开登记台账等，生成报告和整改清单。

    Audit a department's government-information-disclosure ledgers against its yearly plan,
    encoded as a YAML rulebook."""
    ctx.obj = {"debug": debug}
    # each invocation starts from the language main() read off its own arguments (none when the
    # group is invoked directly, as by a test runner), never from an earlier invocation's --lang
    _LANG["value"] = _LANG.pop("argv", None)


def _parse_data(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, path = value.replace("＝", "=", 1).partition("=")  # a full-width ＝ typed with a Chinese IME
        if not sep or not name.strip() or not path.strip():
            raise click.UsageError(say(f"--data 的写法是 台账=文件（如 documents=docs.csv 或 公文台账=公文台账.xlsx），而不是 {value!r}",
                                       f"--data takes NAME=PATH (e.g. documents=docs.csv), got {value!r}"))
        if name.strip() in out:
            # silently keeping only the last file would drop a ledger from the audit
            raise click.UsageError(say(f"--data {name.strip()} 给了两次（{out[name.strip()]} 和 {path.strip()}）；"
                                       "每份台账只给一个文件（请先合并）",
                                       f"--data {name.strip()} is given twice ({out[name.strip()]} and {path.strip()}); "
                                       "give one file per dataset (combine the ledgers first)"))
        out[name.strip()] = path.strip()
    return out


def _check_files(datasets: dict[str, str]) -> None:
    """A ledger file that does not exist: say so, with the file of that folder it most likely is
    (公文台帐.xlsx for 公文台账.xlsx, a different case or width)."""
    from .rulebook import closest

    for name, label in datasets.items():
        path = Path(label.split("#", 1)[0]) if "#" in label and not Path(label).exists() else Path(label)
        if path.exists():
            continue
        folder = path.parent if str(path.parent) else Path(".")
        try:
            siblings = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
        except OSError:
            siblings = []
        hit = closest(path.name, siblings)
        hint = str(folder / hit) if hit else None
        from .errors import DatasetError

        raise DatasetError(f"{label}: file not found." + (f" Did you mean {hint}?" if hint else ""), file=label,
                           zh=f"找不到 --data {name} 的文件 {label}" + (f"，是否应为 {hint}？" if hint else ""))


def _json_findings(value: str) -> int | None:
    if value.strip().lower() == "all":
        return None
    try:
        number = int(value)
    except ValueError:
        raise click.UsageError(say(f"--json-findings 须为数字或 all，而不是 {value!r}",
                                   f"--json-findings takes a number or 'all', got {value!r}")) from None
    if number < 0:
        raise click.UsageError(say("--json-findings 不能为负数", "--json-findings cannot be negative"))
    return number


@cli.command()
@click.option("--data", "data", multiple=True, metavar="NAME=PATH", required=True,
              help="台账文件：台账名或标题=文件，如 documents=docs.csv、公文台账=公文台账.xlsx、requests=reqs.xlsx#Sheet1；可重复。 "
                   "A ledger for a dataset of the rulebook. Repeatable.")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="统计截止日，也可写 2021/12/31、2021年12月31日（默认：今天与考核期末中较早者）。 Judge open items as of this date.")
@click.option("--html", "html", type=click.Path(dir_okay=False), default="audit-report.html", show_default=True, help="HTML 报告写到这里 / Write the HTML report here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="结果 JSON 写到这里 / Write the result JSON here.")
@click.option("--findings", type=click.Path(dir_okay=False), help="整改清单写到这里（.xlsx 或 .csv） / Write the rectification list here.")
@click.option("--waivers", type=click.Path(dir_okay=False), help="豁免清单：顶层为 waivers: 的 YAML 文件 / A YAML file with a top-level 'waivers:' list.")
@_lang_option
@click.option("--fail-under", type=click.FloatRange(0, 100), help="评定所依据的得分低于此值时退出码为 1 / Exit with 1 when the score the grade comes from is below this.")
@click.option("--json-findings", default="1000", show_default=True, metavar="N|all", help="JSON 中每条规则最多列出的问题数 / Findings per rule in the JSON.")
@click.option("--previous", type=click.Path(dir_okay=False), help="上期结果 JSON（--json 写出的），供趋势规则比较 / An earlier result JSON, for trend rules.")
@click.option("--unit", "unit", metavar="NAME", help="被考核单位（如 晋中市商务局），显示在报告、清单、摘要和 JSON 上 / The audited unit, shown on every output.")
@click.option("--self-assessment", "self_assessment", type=click.Path(dir_okay=False), help="自评表写到这里（.xlsx） / Write the assessors' self-assessment form here: .xlsx.")
@click.option("--engine", type=click.Choice(["auto", "pandas", "duckdb", "spark"]), default="auto", show_default=True,
              help="计算引擎：pandas（内存）、duckdb（嵌入式 DuckDB，多核）、spark（本地 Spark，需 pyspark 与 Java）；auto 自动选择，结果相同。 "
                   "What evaluates the rules; the results are identical.")
@click.option("--memory-limit", "memory_limit", metavar="SIZE",
              help="duckdb 引擎的内存上限，如 4GB；超出部分写入临时目录（给出即用 duckdb）。 "
                   "DuckDB's memory limit (it spills to disk past it), e.g. 4GB.")
@click.option("--temp-dir", "temp_dir", type=click.Path(file_okay=False),
              help="duckdb 引擎超出内存上限时写入的临时目录（默认：系统临时目录）。 Where DuckDB spills past its memory limit.")
@click.option("--threads", type=click.IntRange(1), help="duckdb 引擎使用的线程数（默认：全部核）。 DuckDB's threads (default: every core).")
@click.pass_context
def audit(ctx, data, rules, as_of, html, json_path, findings, waivers, lang, fail_under, json_findings, previous,
          unit, self_assessment, engine, memory_limit, temp_dir, threads):
    """按考核方案核查台账，写出报告（及 JSON、整改清单）。 Audit ledgers against a rulebook and write the report."""
    from . import early

    datasets = _parse_data(data)
    try:
        early.start(datasets.values())  # read while pandas and the rulebook load (the other core is idle)
        _audit(ctx, datasets, rules, as_of, html, json_path, findings, waivers, lang, fail_under, json_findings,
               previous, unit, self_assessment, engine, memory_limit, temp_dir, threads)
    finally:
        early.clear()


def _audit(ctx, datasets, rules, as_of, html, json_path, findings, waivers, lang, fail_under, json_findings, previous,
           unit, self_assessment, engine, memory_limit, temp_dir, threads):
    from .engine import audit as run_audit
    from .rulebook import load_rulebook

    _check_files(datasets)
    templates = None
    if html:  # the report's templates compiled while the ledgers are read (the GIL mostly free then)
        import threading

        from .report import compile_templates

        templates = threading.Thread(target=compile_templates, daemon=True, name="disclosure-rules-templates")
        templates.start()
    limit = _json_findings(json_findings)
    if findings and Path(findings).suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(say("--findings 须以 .csv 或 .xlsx 结尾", "--findings must end in .csv or .xlsx"))
    if self_assessment and Path(self_assessment).suffix.lower() != ".xlsx":
        raise click.UsageError(say("--self-assessment 须以 .xlsx 结尾", "--self-assessment must end in .xlsx"))
    progress = _Progress(sys.stderr.isatty())
    try:
        progress("loading the rulebook")
        book = load_rulebook(rules)
        result = run_audit(book, datasets, as_of=as_of, waivers=waivers, progress=progress, previous=previous,
                           unit=unit, engine=engine,
                           engine_options={"memory_limit": memory_limit, "temp_directory": temp_dir, "threads": threads})
        progress("writing outputs")
        for output in (json_path, html, findings):  # as --json always did: a new folder is created
            if output:
                Path(output).parent.mkdir(parents=True, exist_ok=True)
        if json_path:
            result.write_json(json_path, json_findings=limit)
        if html:
            templates.join()
            result.write_html(html, lang=lang)
        if findings:
            result.write_findings(findings, lang=lang)
        if self_assessment:
            from .selfassess import write_self_assessment

            write_self_assessment(result, self_assessment, lang=lang, findings=findings)
    finally:
        progress.done()
    _print_summary(result, html=html, json_path=json_path, findings=findings, lang=lang)
    if self_assessment:
        from .words import word

        click.echo(f"{word('cli_wrote', lang)}: {self_assessment}")
    if fail_under is not None and (result.grading_percent is None or result.grading_percent < fail_under):
        click.echo(say(f"得分低于 --fail-under {fail_under:g}。", f"Score below --fail-under {fail_under:g}."), err=True)
        ctx.exit(EXIT_BELOW)


def _print_summary(result, *, html=None, json_path=None, findings=None, lang: str = "en") -> None:
    from .messages import score_notes
    from .words import Status, date_text, percent_text, score_text, status_word, vocabulary

    ui = vocabulary(lang)
    info = result.book.rulebook
    percent, strict = score_text(result.percent), score_text(result.strict_percent)
    if result.unit is not None:
        click.echo(f"{ui['unit']}: {result.unit['name']}")
    click.echo(f"{info.title} ({info.id}), {ui['as_of']} {date_text(result.as_of)}")
    # the figure the grade comes from is the one shown first (DESIGN §7)
    if result.graded_on == "strict_percent":
        score = ui["cli_graded_strict"].format(strict=strict, percent=percent,
                                               min_coverage=percent_text(result.min_coverage))
    elif result.coverage < 1:
        score = ui["cli_strict"].format(strict=strict, percent=percent)
    else:
        score = f"{percent} / 100"
    click.echo(f"{ui['score']}: {score}   {ui['grade']}: {result.grade or ui['not_available']}   "
               f"{ui['coverage']}: {percent_text(result.coverage)}")
    for line in score_notes(result, lang):
        click.echo(line)
    read = [(result.book.datasets[name].title or name if lang == "zh" else name, ds.reading)
            for name, ds in result.data.items() if ds.reading]
    if read:
        from .messages import reading_line

        click.echo(ui["cli_reading"])
        for title, reading in read:
            click.echo("  " + reading_line(title, reading, lang))
    counts = result.counts
    click.echo(f"{ui['cli_rules']}: " + ", ".join(f"{counts[s]} {status_word(s, lang)}" for s in Status
                                              if counts.get(s)))
    click.echo(ui["cli_findings"].format(**result.finding_counts()))
    failing = [r for r in result.rules if r.status in (Status.FAIL, Status.ERROR)]
    if failing:
        click.echo(ui["cli_failing"])
        for r in failing:
            message = (r.message_zh or r.message) if lang == "zh" else r.message
            click.echo(f"  {r.id:<16} {r.title}: {message}")
    issues = len(result.data_issues)
    if issues:
        click.echo(ui["cli_issues"].format(n=issues))
    # the coverage guard's lines are always shown whole (they say why the grade is what it
    # is), then at most five others
    guard = result.coverage_warnings(lang)
    others = result.warnings_in(lang)[len(guard):]
    for warning in guard + others[:5]:
        click.echo(f"{ui['cli_warning']}: {warning}")
    written = [p for p in (html, json_path, findings) if p]
    if written:
        click.echo(f"{ui['cli_wrote']}: " + ", ".join(str(p) for p in written))


@cli.command()
@click.argument("rulebook", default=DEFAULT_RULEBOOK)
@_lang_option
def validate(rulebook, lang):
    """检查考核方案（路径或 builtin:<编号>），有误时退出码为 2。 Check a rulebook; exit 2 if it is invalid."""
    from .rulebook import load_rulebook
    from .words import number_text

    book = load_rulebook(rulebook)
    points = sum(r.points for r in book.rules if r.enabled)
    click.echo(say(f"{rulebook}：有效：{len(book.rules)} 条规则，{len(book.datasets)} 份台账，"
                   f"{len(book.sections)} 个章节，{number_text(points)} 分",
                   f"{rulebook}: valid: {len(book.rules)} rules, {len(book.datasets)} datasets, "
                   f"{len(book.sections)} sections, {number_text(points)} points"))


@cli.command()
@click.argument("rule_id")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@_lang_option
def explain(rule_id, rules, lang):
    """说明一条规则：依据、检查内容和计分方式。 Explain a rule: its basis, what it checks and how it scores."""
    from .rulebook import load_rulebook

    book = load_rulebook(rules)
    ids = [r.id for r in book.rules]
    if rule_id not in ids:
        import difflib

        close = difflib.get_close_matches(rule_id.upper(), ids, n=3)
        hint = say(f"是否应为 {'、'.join(close)}？" if close else f"规则有：{'、'.join(ids)}。",
                   f" Did you mean {', '.join(close)}?" if close else f" Rules: {', '.join(ids)}.")
        raise click.UsageError(say(f"{book.rulebook.id} 中没有规则 {rule_id!r}。{hint}",
                                   f"No rule {rule_id!r} in {book.rulebook.id}.{hint}"))
    click.echo(_explain_text(book.rule(rule_id), book, lang))


def _explain_text(rule, book, lang: str) -> str:
    from .explain import describe_rule, scoring_text
    from .words import vocabulary

    ui = vocabulary(lang)
    lines = [f"{rule.id}  {rule.title}", ""]
    section = book.section(rule.section)
    if section is not None:
        lines.append(f"{ui['explain_section']}: {section.id} {section.title}")
    if rule.basis is not None:
        lines.append(f"{ui['basis']}: {rule.basis.clause} “{rule.basis.text}”")
        if rule.basis.source:
            lines.append(f"{ui['explain_source']}: {rule.basis.source}")
    lines += ["", f"{ui['explain_checks']}: " + describe_rule(rule, book, lang=lang),
              f"{ui['explain_scoring']}: " + scoring_text(rule, lang=lang)]
    lines += [ui[key] for key, on in (("explain_veto", rule.veto), ("explain_bonus", rule.bonus)) if on]
    if rule.description:
        lines += ["", rule.description.strip()]
    if not rule.enabled:
        lines += ["", ui["explain_disabled"]]
    return "\n".join(lines)


@cli.command()
def schema():
    """输出考核方案格式的 JSON Schema（供编辑器校验）。 Print the JSON Schema of the rulebook format (for editors)."""
    import json

    from .book import rulebook_json_schema

    click.echo(json.dumps(rulebook_json_schema(), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("dataset")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="写入的空白台账 ledger.xlsx 或 ledger.csv")
@_lang_option
def template(dataset, rules, output, lang):
    """按考核方案写出空白台账（DATASET：台账名或标题，如 documents 或 公文台账）。 Write an empty ledger for DATASET."""
    from .ledger_template import write_template
    from .rulebook import dataset_suggestion, load_rulebook, resolve_dataset
    from .words import word

    book = load_rulebook(rules)
    name = resolve_dataset(book, dataset)
    if name is None:
        hint = dataset_suggestion(book, dataset)
        listed = "、".join(f"{n}（{s.title}）" if s.title else n for n, s in book.datasets.items())
        raise click.UsageError(say(f"{book.rulebook.id} 中没有台账 {dataset!r}" + (f"，是否应为 {hint}？" if hint else "")
                                   + f" 可用：{listed}",
                                   f"No dataset {dataset!r} in {book.rulebook.id}" + (f" (did you mean {hint}?)" if hint else "")
                                   + f"; datasets: {', '.join(book.datasets)}"))
    if Path(output).suffix.lower() not in (".xlsx", ".csv"):
        raise click.UsageError(say("-o 须以 .xlsx 或 .csv 结尾", "-o must end in .xlsx or .csv"))
    write_template(book, name, output)
    click.echo(f"{word('cli_wrote', lang)}: {output}")


@cli.command()
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="报告、JSON 和整改清单的输出文件夹 / Folder for the report, JSON and findings.")
@_lang_option
def demo(output, lang):
    """用内置的2021年方案核查自带的示例台账（完整演示）。 Audit the bundled example ledgers end to end."""
    from .demo import run_demo

    progress = _Progress(sys.stderr.isatty())
    try:
        result, paths = run_demo(Path(output), lang=lang, progress=progress)
    finally:
        progress.done()
    _print_summary(result, html=paths["html"], json_path=paths["json"], findings=paths["findings"], lang=lang)


@cli.command("annual-report")
@click.option("--data", "data", multiple=True, metavar="NAME=PATH",
              help="台账文件：requests=…（生成表格必需）、documents=…、reviews=…；可重复。 "
                   "A ledger: requests=... (needed to build the tables), documents=..., reviews=... Repeatable.")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--year", type=click.IntRange(1900, 2999), help="报告年度（默认：考核方案的考核期间）。 The report's year (default: the rulebook's period).")
@click.option("--figures", type=click.Path(dir_okay=False), help="台账给不出的数字（行政许可等决定数、收费；无复议诉讼台账时的表四），YAML 文件。 A YAML file with the cells no ledger gives (decisions, fees; table 四 without a review ledger).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="表格写到这里：.xlsx（国家格式，默认 年度报告表格.xlsx）、.html 或 .json；与 --check 同用时为核对结果 .json。 "
                   "Write the tables here: .xlsx (the national layout, default 年度报告表格.xlsx), .html or .json. With --check: the check's .json.")
@click.option("--check", "filled", type=click.Path(dir_okay=False, exists=True),
              help="核对已填好的表格（国家格式的 XLSX，或已发布年报的 HTML 页面）；有不符时退出码为 1。 "
                   "A filled-in table (XLSX in the national layout, or the HTML page of a published report) to check; exit 1 if anything fails.")
@_lang_option
@click.pass_context
def annual_report_command(ctx, data, rules, year, figures, output, filled, lang):
    """按台账生成年度报告表格二、三、四（国办公开办函〔2021〕30号），或核对已填好的表格。

    Build the annual report's tables 二, 三 and 四 from the ledgers (国办公开办函〔2021〕30号), or check a filled one."""
    from .annual import annual_report
    from .rulebook import load_rulebook
    from .words import vocabulary

    ui = vocabulary(lang)
    datasets = _parse_data(data)
    if not filled and not datasets:
        raise click.UsageError("annual-report needs --data requests=FILE (or --check FILLED to check a published table)")
    if output and Path(output).suffix.lower() not in ((".json",) if filled else (".xlsx", ".html", ".htm", ".json")):
        raise click.UsageError("-o must end in .json with --check" if filled else "-o must end in .xlsx, .html or .json")
    book = load_rulebook(rules)
    report = annual_report(book, datasets, year, figures=figures) if datasets else None
    if filled:
        from .annual_check import check_filled

        result = check_filled(filled, report, lang)
        t3, t4 = result.filled.table3, result.filled.table4
        click.echo(ui["annual_check_read"].format(path=filled, cells3=int(t3.notna().sum().sum()),
                                                  cells4=0 if t4 is None else int(t4.notna().sum().sum())))
        lines = result.lines(lang)
        for line in lines:
            click.echo(f"  {line}")
        if output:
            import json

            from .atomic import write_atomic

            write_atomic(output, (json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        if result.ok:
            click.echo(ui["annual_check_passed"].format(ledger=ui["annual_check_passed_ledger"] if report is not None else ""))
        else:
            click.echo(ui["annual_check_failed"].format(n=len(lines)))
            ctx.exit(EXIT_BELOW)
        return
    output = output or "年度报告表格.xlsx"
    report.write(output, lang)
    _print_annual(report, ui, lang)
    click.echo(f"{ui['annual_wrote']}: {output}")


def _print_annual(report, ui, lang: str) -> None:
    from .annual_format import ROW_LABELS
    from .words import number_text

    t3 = report.table3
    click.echo(f"{report.book.rulebook.issuer or report.book.rulebook.id} · {ui['annual_title']} · {report.year}")
    for rid in ("一", "二", "三(七)", "四"):
        click.echo(f"  {rid} {ROW_LABELS[rid]}: {number_text(t3.at[rid, '总计'])}")
    failing, problems = report.failing, report.problems_in(lang)
    if report.ok:
        click.echo(ui["annual_ok"])
    else:
        click.echo(ui["annual_not_ok"].format(identities=len(failing), problems=len(problems)))
    for p in problems[:20]:
        click.echo(f"  {ui['row']} {p['row']} {p['key'] or ''}: {p['reason']}")
    if len(problems) > 20:
        click.echo("  " + ui["annual_more_problems"].format(n=len(problems) - 20))
    for warning in report.warnings_in(lang):
        click.echo(f"{ui['cli_warning']}: {warning}")


@cli.command()
@click.option("--data", "data", multiple=True, metavar="NAME=PATH", required=True,
              help="台账 A ledger, e.g. requests=reqs.xlsx. Repeatable.")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="统计截止日 Count working days left from this date (default: the earlier of today and the plan's period end).")
@click.option("--within", type=click.IntRange(0, None), metavar="N",
              help="只列剩余N个工作日以内的事项 Only items with at most N working days left (overdue ones included).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入 Write the list here too (.xlsx).")
@_lang_option
def due(data, rules, as_of, within, output, lang):
    """未办结事项按剩余工作日排序（即将到期预警） Open items of the deadline rules, fewest working days left first."""
    from .due import due_lines, write_due
    from .engine import audit as run_audit
    from .rulebook import load_rulebook

    datasets = _parse_data(data)
    _check_files(datasets)
    if output and Path(output).suffix.lower() != ".xlsx":
        raise click.UsageError(say("-o 须以 .xlsx 结尾", "-o must end in .xlsx"))
    progress = _Progress(sys.stderr.isatty())
    try:
        book = load_rulebook(rules)
        result = run_audit(book, datasets, as_of=as_of, progress=progress)
        if output:
            write_due(result, output, within=within, lang=lang)
    finally:
        progress.done()
    from .words import date_text, vocabulary

    ui = vocabulary(lang)
    click.echo(f"{book.rulebook.title} ({book.rulebook.id}), {ui['as_of']} {date_text(result.as_of)}")
    for line in due_lines(result, within=within, lang=lang):
        click.echo(line)
    if output:
        click.echo(f"{ui['cli_wrote']}: {output}")


@cli.command()
@click.argument("units_dir", type=click.Path(file_okay=False))
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--previous", type=click.Path(dir_okay=False), help="上次考核的 assessment.json，用于比较各单位的变化。 An earlier assessment.json, for the change of each unit.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="输出文件夹：index.html、ranking.xlsx、assessment.json 和各单位的结果。 Folder for index.html, ranking.xlsx, assessment.json and each unit's outputs.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="统计截止日，也可写 2021/12/31、2021年12月31日（默认：今天与考核期末中较早者）。 Judge open items as of this date.")
@click.option("--waivers", type=click.Path(dir_okay=False), help="豁免清单（顶层为 waivers: 的 YAML 文件，适用于每个单位）。 A YAML file with a top-level 'waivers:' list (for every unit).")
@_lang_option
def assess(units_dir, rules, previous, output, as_of, waivers, lang):
    """按同一考核方案考核 UNITS_DIR 中的每个单位（每个单位一个文件夹）并排名。

    Audit every unit of UNITS_DIR (one folder per unit) against one plan and rank them."""
    from .assessment import assess as run_assess
    from .rulebook import load_rulebook
    from .words import score_text, vocabulary

    ui = vocabulary(lang)
    book = load_rulebook(rules)
    on_terminal = sys.stdout.isatty()
    bars: dict[str, Any] = {}

    def progress_of(label: str):
        def progress(done: int, total: int, name: str) -> None:
            if not on_terminal:
                return
            if label not in bars:
                bars[label] = click.progressbar(length=total, label=label, show_pos=True)
                bars[label].__enter__()
            bars[label].update(done - bars[label].pos)
        return progress

    try:
        assessment = run_assess(book, units_dir, as_of=as_of, waivers=waivers, previous=previous,
                                progress=progress_of(ui["assess_auditing"]))
        paths = assessment.write(output, lang=lang, progress=progress_of(ui["assess_writing"]))
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
    click.echo(f"{book.rulebook.title} ({book.rulebook.id}), {ui['as_of']} {assessment.as_of.isoformat()}, "
               + ui["assess_units"].format(n=len(assessment.units)))
    for row in assessment.ranking.to_dict("records"):
        click.echo(f"  {row['rank']:>3}  {row['unit']}  {row['grade'] or ''}  {score_text(row['total'])}"
                   + (f"  ({ui['vetoed_by']}: {row['vetoed_by']})" if row["vetoed_by"] else ""))
    for warning in assessment.warnings_in(lang)[:10]:
        click.echo(f"{ui['cli_warning']}: {warning}")
    click.echo(f"{ui['cli_wrote']}: " + ", ".join(str(p) for p in paths.values()))


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False, exists=True))
@click.argument("new", type=click.Path(dir_okay=False, exists=True))
@click.option("--html", "html", type=click.Path(dir_okay=False), help="对比结果写成 HTML 页面 / Write the comparison as a self-contained HTML page here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="对比结果写成 JSON / Write the comparison as JSON here.")
@_lang_option
def compare(old, new, html, json_path, lang):
    """对比两次考核结果（两个 result.json 或两个 assessment.json）：各单位、规则、章节和处室的状态、达标率、得分和问题数。

    Compare two result.json or two assessment.json: status, rate, points and violations per unit,
    rule, section and division."""
    from .comparison import compare as run_compare
    from .words import vocabulary

    comparison = run_compare(old, new)
    for line in comparison.lines(lang):
        click.echo(line)
    if html:
        comparison.write_html(html, lang=lang)
    if json_path:
        comparison.write_json(json_path)
    written = [p for p in (html, json_path) if p]
    if written:
        click.echo(f"{vocabulary(lang)['cli_wrote']}: " + ", ".join(written))


@cli.command()
@click.argument("old_book")
@click.argument("new_book")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="变化写成 JSON / Write the changes as JSON here.")
@_lang_option
def diff(old_book, new_book, json_path, lang):
    """两个考核方案的差别（路径或 builtin:<编号>，extends 已展开）：新增、删除和修改的规则，章节、台账和字段。

    What a plan changed (OLD_BOOK, NEW_BOOK: paths or builtin:<id>, extends resolved): rules
    added, removed and changed by key, sections, datasets and fields."""
    from .plandiff import diff as run_diff
    from .words import vocabulary

    changes = run_diff(old_book, new_book)
    for line in changes.lines(lang):
        click.echo(line)
    if json_path:
        changes.write_json(json_path)
        click.echo(f"{vocabulary(lang)['cli_wrote']}: {json_path}")


def _tune_memory() -> None:
    """The allocators, set for a command run (a library caller's process is left as it is).
    Measured at 1M + 1M rows (benchmarks/README.md): with mimalloc, Arrow's default pool, the
    kernel spent 7-9 s handing out and taking back pages (jemalloc: 3 s) and the peak RSS was
    2.1 GiB (1.7); glibc's one heap per reading thread kept 0.2 GiB more of freed memory than
    one heap does, at no cost in time; huge pages for numpy's arrays cost kernel time; and
    DuckDB's allocator kept what its queries freed (stop 25)."""
    if sys.platform != "linux":  # Linux wheels of pyarrow hold jemalloc; elsewhere the defaults stay
        return
    # before pyarrow and numpy are imported; a choice the user made is kept
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    # numpy asks for transparent huge pages for its large arrays; where the kernel then
    # compacts memory on a page fault ("madvise" defrag), that cost 1.3 s of kernel time at
    # 1M + 1M rows and more than the audit's own work at 5M
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    # DuckDB's own jemalloc keeps the pages a query freed for seconds before handing them back:
    # longer than an audit takes, so each deadline rule's query (0.5 GB at 1M rows) added to
    # the peak of --engine duckdb (2.3 GB; handed back at once, 2.1 GB, in the same time)
    os.environ.setdefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:0")
    if "MALLOC_ARENA_MAX" not in os.environ:
        import ctypes

        try:
            ctypes.CDLL(None).mallopt(-8, 1)  # M_ARENA_MAX = 1 (glibc; musl has no mallopt)
        except (AttributeError, OSError):
            pass


def main(argv: list[str] | None = None) -> int:
    """Entry point; turns every expected error into exit code 2 and one paragraph."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _tune_memory()
    _LANG["value"] = _LANG["argv"] = next((b for a, b in zip(args, args[1:]) if a == "--lang" and b in ("zh", "en")),
                                          next((a.split("=", 1)[1] for a in args if a in ("--lang=zh", "--lang=en")), None))
    try:
        code = cli.main(args=args, prog_name="disclosure-rules", standalone_mode=False)
        return code if isinstance(code, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo(say("已中止。", "Aborted."), err=True)
        return EXIT_BAD
    except click.UsageError as exc:
        if ui_lang() == "zh":
            # click's own words are English: the message in Chinese where it is ours, then how to get help
            command = exc.ctx.command_path if exc.ctx is not None else "disclosure-rules"
            click.echo(f"错误：{_click_zh(exc.format_message())}\n（用法见 {command} --help）", err=True)
        else:
            exc.show()
        return EXIT_BAD
    except click.ClickException as exc:
        if ui_lang() == "zh":
            click.echo(f"错误：{exc.format_message()}", err=True)
        else:
            exc.show()
        return EXIT_BAD
    except Exception as exc:  # noqa: BLE001 - the one place errors become exit codes
        if debug:
            traceback.print_exc()
        click.echo(_describe(exc), err=True)
        return EXIT_BAD


#: click's own usage messages (English in click) as a Chinese user reads them
_CLICK_ZH = [
    (r"Missing option '(.*?)'\.", r"缺少选项 \1。"),
    (r"Missing argument '(.*?)'\.", r"缺少参数 \1。"),
    (r"No such option:? '?([^\s'.]+)'?\.?(?: Did you mean '?([^\s'?]+)'?\?)?", r"没有选项 \1。"),
    (r"No such command '(.*?)'\.", r"没有命令 \1。"),
    (r"Invalid value for '(.*?)': (.*)", r"选项 \1 的值无效：\2"),
    (r"Option '(.*?)' requires an argument\.", r"选项 \1 需要一个值。"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
]


def _click_zh(message: str) -> str:
    import re

    for pattern, zh in _CLICK_ZH:
        found = re.fullmatch(pattern, message.strip(), re.S)
        if found:
            text = found.expand(zh)
            if pattern.startswith("No such option") and found.group(2):
                text += f"是否应为 {found.group(2)}？"
            return text
    return message


def _describe(exc: Exception) -> str:
    from .errors import DisclosureRulesError
    from .words import error_text

    error = say("错误：", "Error: ")
    if isinstance(exc, DisclosureRulesError):
        if ui_lang() == "zh" and exc.zh:
            return f"{error}{exc.zh}"
        return f"{error}{error_text(exc, ui_lang())}"  # a RulebookError's .zh reads each problem in Chinese
    if isinstance(exc, (OSError,)):
        return f"{error}{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return error + say(f"{type(exc).__name__}: {exc}。这可能是 disclosure-rules 的缺陷；请加 --debug 重新运行并反馈调用栈。",
                       f"{type(exc).__name__}: {exc}. This looks like a bug in disclosure-rules; "
                       "run again with --debug and report the traceback.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
