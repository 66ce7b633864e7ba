"""Typed ledger values as a person reads them (messages, the report, the exports).

Dates are ISO; a category shows its code's first label (an unknown label as typed);
a set shows its members' first labels joined with 、; booleans are 是/否 (yes/no in
English); whole numbers lose their ``.0``. Blank stays NA. Each distinct value is
formatted once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def display_values(series: pd.Series, spec, lang: str = "zh") -> pd.Series:
    """Typed column -> text as a person reads it (NA stays NA). Computed per distinct value."""
    ftype = spec.type
    if ftype == "date":
        return series.dt.strftime("%Y-%m-%d").astype("string")
    if ftype == "category":
        labels = []
        for cat in series.cat.categories:
            values = spec.values.get(cat)
            labels.append(values[0] if values else cat)
        return pd.Series(np.asarray(labels + [None], dtype=object)[series.cat.codes.to_numpy()],
                         index=series.index, dtype="string")
    if ftype == "set":
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        names = [(v[0] if v else c) for c, v in spec.values.items()]
        texts = ["、".join(names[i] for i in range(len(names)) if int(u) >> i & 1) for u in uniques]
        out = np.asarray(texts + [None], dtype=object)[codes]
        return pd.Series(out, index=series.index, dtype="string")
    if ftype == "boolean":
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        return series.map({True: yes, False: no}).astype("string")
    if ftype == "integer":
        return series.astype("Int64").astype("string")
    if ftype == "number":
        values = series.astype("Float64")
        text = values.astype("string")
        return text.str.replace(r"\.0$", "", regex=True)
    return series.astype("string")
