"""Command line (DESIGN §9): a thin click layer over the library.

Exit codes, in one place: 0 done; 1 done but the score is below ``--fail-under``;
2 bad usage, rulebook or input (a one-paragraph message, no traceback unless
``--debug``). Heavy modules (pandas) are imported inside the commands so that
``--help`` and ``validate`` start fast.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import click

from . import __version__
from .resources import DEFAULT_RULEBOOK

EXIT_OK, EXIT_BELOW, EXIT_BAD = 0, 1, 2

RULES_HELP = "Rulebook: a YAML path or builtin:<id> (default: the bundled 2021 plan)."


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disclosure-rules")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Audit a department's government-information-disclosure ledgers (政务公开 / 政府信息公开)
    against its yearly plan, encoded as a YAML rulebook."""
    ctx.obj = {"debug": debug}


def _parse_data(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise click.UsageError(f"--data takes NAME=PATH (e.g. documents=docs.csv), got {value!r}")
        if name.strip() in out:
            # silently keeping only the last file would drop a ledger from the audit
            raise click.UsageError(f"--data {name.strip()} is given twice ({out[name.strip()]} and {path.strip()}); "
                                   "give one file per dataset (combine the ledgers first)")
        out[name.strip()] = path.strip()
    return out


def _json_findings(value: str) -> int | None:
    if value.strip().lower() == "all":
        return None
    try:
        number = int(value)
    except ValueError:
        raise click.UsageError(f"--json-findings takes a number or 'all', got {value!r}") from None
    if number < 0:
        raise click.UsageError("--json-findings cannot be negative")
    return number


@cli.command()
@click.option("--data", "data", multiple=True, metavar="NAME=PATH", required=True,
              help="A ledger for a dataset of the rulebook, e.g. documents=docs.csv or requests=reqs.xlsx#Sheet1. Repeatable.")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge open items as of this date (default: the earlier of today and the plan's period end).")
@click.option("--html", "html", type=click.Path(dir_okay=False), default="audit-report.html", show_default=True, help="Write the HTML report here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the result JSON here.")
@click.option("--findings", type=click.Path(dir_okay=False), help="Write the rectification list (整改清单) here: .xlsx or .csv.")
@click.option("--waivers", type=click.Path(dir_okay=False), help="A YAML file with a top-level 'waivers:' list.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the report, the rectification list and this summary (the JSON is always the same).")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="Exit with 1 when the score the grade comes from (the strict percent below the rulebook's min_coverage) is below this.")
@click.option("--json-findings", default="1000", show_default=True, metavar="N|all", help="Findings per rule in the JSON.")
@click.option("--previous", type=click.Path(dir_okay=False), help="An earlier result JSON (from --json), for the rules that compare with it (kind trend).")
@click.option("--unit", "unit", metavar="NAME", help="The audited unit (e.g. 晋中市商务局), shown on the report, the list, this summary and the JSON.")
@click.option("--self-assessment", "self_assessment", type=click.Path(dir_okay=False), help="Write the assessors' self-assessment form (自评表) here: .xlsx.")
@click.pass_context
def audit(ctx, data, rules, as_of, html, json_path, findings, waivers, lang, fail_under, json_findings, previous,
          unit, self_assessment):
    """Audit ledgers against a rulebook and write the report."""
    from .engine import audit as run_audit
    from .rulebook import load_rulebook

    datasets = _parse_data(data)
    limit = _json_findings(json_findings)
    if findings and Path(findings).suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError("--findings must end in .csv or .xlsx")
    if self_assessment and Path(self_assessment).suffix.lower() != ".xlsx":
        raise click.UsageError("--self-assessment must end in .xlsx")
    progress = _Progress(sys.stderr.isatty())
    try:
        progress("loading the rulebook")
        book = load_rulebook(rules)
        result = run_audit(book, datasets, as_of=as_of, waivers=waivers, progress=progress, previous=previous,
                           unit=unit)
        progress("writing outputs")
        for output in (json_path, html, findings):  # as --json always did: a new folder is created
            if output:
                Path(output).parent.mkdir(parents=True, exist_ok=True)
        if json_path:
            result.write_json(json_path, json_findings=limit)
        if html:
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
        click.echo(f"Score below --fail-under {fail_under:g}.", err=True)
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
    others = [w for w in result.warnings if w not in set(result.coverage_warnings("en"))]
    for warning in guard + others[:5]:
        click.echo(f"{ui['cli_warning']}: {warning}")
    written = [p for p in (html, json_path, findings) if p]
    if written:
        click.echo(f"{ui['cli_wrote']}: " + ", ".join(str(p) for p in written))


@cli.command()
@click.argument("rulebook", default=DEFAULT_RULEBOOK)
def validate(rulebook):
    """Check a rulebook (RULEBOOK: a path or builtin:<id>); exit 2 if it is invalid."""
    from .rulebook import load_rulebook
    from .words import number_text

    book = load_rulebook(rulebook)
    points = sum(r.points for r in book.rules if r.enabled)
    click.echo(f"{rulebook}: valid: {len(book.rules)} rules, {len(book.datasets)} datasets, "
               f"{len(book.sections)} sections, {number_text(points)} points")


@cli.command()
@click.argument("rule_id")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def explain(rule_id, rules, lang):
    """Explain a rule: its basis, what it checks and how it scores."""
    from .rulebook import load_rulebook

    book = load_rulebook(rules)
    ids = [r.id for r in book.rules]
    if rule_id not in ids:
        import difflib

        close = difflib.get_close_matches(rule_id.upper(), ids, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else f" Rules: {', '.join(ids)}."
        raise click.UsageError(f"No rule {rule_id!r} in {book.rulebook.id}.{hint}")
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
    """Print the JSON Schema of the rulebook format (for editors)."""
    import json

    from .book import rulebook_json_schema

    click.echo(json.dumps(rulebook_json_schema(), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("dataset")
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="ledger.xlsx or ledger.csv")
def template(dataset, rules, output):
    """Write an empty ledger for DATASET with the preferred Chinese headers."""
    from .ledger_template import write_template
    from .rulebook import load_rulebook

    book = load_rulebook(rules)
    if dataset not in book.datasets:
        raise click.UsageError(f"No dataset {dataset!r} in {book.rulebook.id}; datasets: {', '.join(book.datasets)}")
    if Path(output).suffix.lower() not in (".xlsx", ".csv"):
        raise click.UsageError("-o must end in .xlsx or .csv")
    write_template(book, dataset, output)
    click.echo(f"Wrote {output}")


@cli.command()
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the report, JSON and findings.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def demo(output, lang):
    """Audit the bundled example ledgers with the built-in 2021 rulebook, end to end."""
    from .demo import run_demo

    progress = _Progress(sys.stderr.isatty())
    try:
        result, paths = run_demo(Path(output), lang=lang, progress=progress)
    finally:
        progress.done()
    _print_summary(result, html=paths["html"], json_path=paths["json"], findings=paths["findings"], lang=lang)


@cli.command()
@click.argument("units_dir", type=click.Path(file_okay=False))
@click.option("--rules", default=DEFAULT_RULEBOOK, show_default=True, help=RULES_HELP)
@click.option("--previous", type=click.Path(dir_okay=False), help="An earlier assessment.json, for the change of each unit.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder for index.html, ranking.xlsx, assessment.json and each unit's outputs.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge open items as of this date (default: the earlier of today and the plan's period end).")
@click.option("--waivers", type=click.Path(dir_okay=False), help="A YAML file with a top-level 'waivers:' list (for every unit).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def assess(units_dir, rules, previous, output, as_of, waivers, lang):
    """Audit every unit of UNITS_DIR (one folder per unit) against one plan and rank them."""
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
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Write the comparison as a self-contained HTML page here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the comparison as JSON here.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def compare(old, new, html, json_path, lang):
    """Compare two result.json or two assessment.json: status, rate, points and violations per unit,
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
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the changes as JSON here.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def diff(old_book, new_book, json_path, lang):
    """What a plan changed (OLD_BOOK, NEW_BOOK: paths or builtin:<id>, extends resolved): rules
    added, removed and changed by key, sections, datasets and fields."""
    from .plandiff import diff as run_diff
    from .words import vocabulary

    changes = run_diff(old_book, new_book)
    for line in changes.lines(lang):
        click.echo(line)
    if json_path:
        changes.write_json(json_path)
        click.echo(f"{vocabulary(lang)['cli_wrote']}: {json_path}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; turns every expected error into exit code 2 and one paragraph."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="disclosure-rules", standalone_mode=False)
        return code if isinstance(code, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_BAD
    except click.ClickException as exc:
        exc.show()
        return EXIT_BAD
    except Exception as exc:  # noqa: BLE001 - the one place errors become exit codes
        if debug:
            traceback.print_exc()
        click.echo(_describe(exc), err=True)
        return EXIT_BAD


def _describe(exc: Exception) -> str:
    from .errors import DisclosureRulesError

    if isinstance(exc, DisclosureRulesError):
        return f"Error: {exc}"
    if isinstance(exc, (OSError,)):
        return f"Error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return (f"Error: {type(exc).__name__}: {exc}. This looks like a bug in disclosure-rules; "
            "run again with --debug and report the traceback.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
