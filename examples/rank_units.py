"""Audit several units against the same rulebook and rank them (the assessor's job).

The library is used directly, with DataFrames: the bundled example ledgers are read with
pandas and three "units" are derived from them, so the script runs anywhere:

- 省商务厅本级: the examples as they are;
- 晋中市商务局: the same ledgers after a clean-up (attributes filled in, replies in writing,
  interpretations on two channels);
- 吕梁市商务局: ten requests never answered, and no opinion or meeting ledger handed in
  (those rules are not_assessed, so its coverage falls).

The ranking is the library's own (``disclosure_rules.assess``, the same as ``disclosure-rules
assess``): by the figure each grade comes from (the strict percent when a unit's coverage
is below the plan's minimum), so a unit cannot climb by leaving a ledger out; ties are
broken as ``index.html`` states. With ``-o DIR`` the assessment's outputs are written too.

    python examples/rank_units.py [--as-of 2021-12-31] [-o 考核结果]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from disclosure_rules import assess, load_rulebook

HERE = Path(__file__).resolve().parent


def read_examples() -> dict[str, pd.DataFrame]:
    """The example ledgers as DataFrames of text (title rows skipped, headers as typed)."""
    return {
        "documents": pd.read_csv(HERE / "documents.csv", encoding="gb18030", skiprows=1, dtype=str),
        "requests": pd.read_csv(HERE / "requests.csv", encoding="utf-8-sig", skiprows=2, dtype=str),
        "messages": pd.read_excel(HERE / "messages.xlsx", header=1, engine="openpyxl"),
        "opinions": pd.read_excel(HERE / "opinions.xlsx", header=1, engine="openpyxl"),
        "meetings": pd.read_excel(HERE / "meetings.xlsx", header=1, engine="openpyxl"),
    }


def cleaned_up(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    docs, reqs = data["documents"].copy(), data["requests"].copy()
    docs["公开属性"] = docs["公开属性"].where(docs["公开属性"].isin(["主动公开", "主动", "公开", "依申请公开", "依申请", "不予公开", "不公开"]), "主动公开")
    docs["解读渠道"] = docs["解读渠道"].where(docs["解读渠道"].isna(), "厅网站、微信公众号")
    reqs["答复形式"] = reqs["答复形式"].where(reqs["答复形式"].isna(), "书面")
    return {**data, "documents": docs, "requests": reqs}


def worse(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    reqs = data["requests"].copy()
    answered = reqs.index[reqs["答复日期"].notna()]
    unanswered = answered[:: max(1, len(answered) // 10)][:10]
    reqs.loc[unanswered, ["提出办理意见日期", "作出决定日期", "报批日期", "答复日期", "答复形式", "办理结果"]] = None
    return {name: frame for name, frame in {**data, "requests": reqs}.items() if name not in ("opinions", "meetings")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2021-12-31")
    parser.add_argument("-o", "--output", help="write index.html, ranking.xlsx, assessment.json and each unit's outputs here")
    args = parser.parse_args()

    book = load_rulebook("builtin:shanxi-commerce-2021")
    base = read_examples()
    units = {"省商务厅本级": base, "晋中市商务局": cleaned_up(base), "吕梁市商务局": worse(base)}
    assessment = assess(book, units, as_of=args.as_of)

    ranking = assessment.ranking[["rank", "unit", "grade", "total", "graded_on", "strict_percent", "coverage",
                                  "violations"]].set_index("rank")
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 120):
        print(f"{book.rulebook.title}\n评估基准日 {args.as_of}\n")
        print(ranking.round({"total": 1, "strict_percent": 1, "coverage": 2}).to_string())
    if args.output:
        paths = assessment.write(Path(args.output))
        print(f"\n已写入: {paths['index']}")


if __name__ == "__main__":
    main()
