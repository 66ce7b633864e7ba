"""The second example rulebook, examples/licheng-2020.yaml (鲤城 2020, YAML only): per-case
deductions with caps, a veto and a capped bonus, scored as the table says."""

from __future__ import annotations

import pandas as pd
import pytest

from disclosure_rules import assess, load_rulebook
from disclosure_rules.resources import examples_dir

BOOK = load_rulebook(examples_dir() / "licheng-2020.yaml")
AS_OF = "2020-12-31"


def _publications(unit: str, late: int, early: int, bad_elements: int, leaked: bool = False) -> pd.DataFrame:
    n = 10
    formed = pd.Timestamp("2020-03-02")
    published = [formed + pd.Timedelta(days=60) if i < late else formed + pd.Timedelta(days=3) for i in range(n)]
    scheduled = [p + pd.Timedelta(days=2) if late <= i < late + early else p for i, p in enumerate(published)]
    return pd.DataFrame({"信息编号": [f"{unit}-{i}" for i in range(n)], "单位": unit, "科室": "办公室",
                         "形成日期": formed.date().isoformat(), "计划公开日期": [d.date().isoformat() for d in scheduled],
                         "公开日期": [d.date().isoformat() for d in published],
                         "要素齐全": ["否" if i < bad_elements else "是" for i in range(n)],
                         "转发非主动公开文件": "否", "泄密": ["是" if leaked and i == 0 else "否" for i in range(n)]})


def _complete(unit: str) -> dict[str, pd.DataFrame]:
    """Every ledger but publications, all in order (a unit that gives everything)."""
    return {
        "reports": pd.DataFrame({"年度": [2020], "单位": unit, "备案日期": "2021-01-20", "公开日期": "2021-01-25",
                                 "按要素撰写": "是", "雷同": "否", "被退回": "否", "修改日期": ""}),
        "requests": pd.DataFrame({"申请编号": ["Y1"], "单位": unit, "承办科室": "办公室", "收到申请日期": "2020-05-06",
                                  "延期": "否", "答复日期": "2020-05-20"}),
        "disputes": pd.DataFrame({"案号": ["F1"], "单位": unit, "结果": ["维持"]}),
        "tasks": pd.DataFrame({"事项编号": ["T1"], "单位": unit, "交办日期": "2020-06-01", "反馈期限": "2020-06-10",
                               "反馈日期": "2020-06-09", "拒不配合": "否"}),
    }


def test_deductions_caps_veto_and_bonus(tmp_path):
    """Each late or early publication costs 5 points up to its rule's points, a missing element 1;
    a leak vetoes the unit (lowest band); promotion above district level earns the bonus, capped."""
    units = {
        "甲街道": {"publications": _publications("甲街道", late=0, early=0, bad_elements=0), **_complete("甲街道"),
                  "honors": pd.DataFrame({"编号": ["H1", "H2"], "单位": "甲街道", "推广层级": ["市级", "省级"]})},
        "乙街道": {"publications": _publications("乙街道", late=2, early=1, bad_elements=2)},
        "丙街道": {"publications": _publications("丙街道", late=0, early=0, bad_elements=0, leaked=True)},
    }
    result = assess(BOOK, units, as_of=AS_OF)
    a, b, c = (result.unit(name).result for name in ("甲街道", "乙街道", "丙街道"))
    assert a.rule("ZD-LATE").awarded == 4 and b.rule("ZD-LATE").awarded == 0  # 2 x 5 > its 4 points
    assert b.rule("ZD-EARLY").awarded == 0 and b.rule("ZD-ELEMENTS").awarded == 1  # 3 - 5; 3 - 2 x 1
    assert a.percent == pytest.approx(100.0) and a.bonus == 3 and a.total == pytest.approx(103.0)
    assert b.bonus == 0 and b.rule("JF-PROMOTED").status == "not_assessed"
    assert c.vetoed_by == ["BM-LEAK"] and c.grade == BOOK.rulebook.grades[-1].label
    assert [u.name for u in result.units] == ["甲街道", "乙街道", "丙街道"]
    # 乙街道 gives only its publications: graded on its strict percent, below the bonus's 60 points
    assert a.coverage == 1.0 and b.graded_on == "strict_percent"
    assert b.strict_percent == pytest.approx(100 * b.awarded / sum(r.points for r in BOOK.rules if not r.bonus))
