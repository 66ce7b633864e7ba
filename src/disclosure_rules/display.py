"""Typed ledger values as a person reads them (messages, the report, the exports).

Dates are ISO; a category shows its code's first label (an unknown label as typed);
a set shows its members' first labels joined with 、 (as a ledger writes a set, in
either language); booleans are 是/否 (yes/no in English, from words.py); whole numbers lose their ``.0``. Blank stays NA. Each distinct value is
formatted once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .models import FieldSpec
from .words import ISO_DATE, yes_no


def display_values(series: pd.Series, spec: FieldSpec, lang: str = "zh") -> pd.Series:
    """Typed column -> text as a person reads it (NA stays NA). Computed per distinct value."""
    ftype = spec.type
    if ftype == "date":
        return series.dt.strftime(ISO_DATE).astype("string")
    if ftype == "category":
        labels = [spec.label_of(cat) for cat in series.cat.categories]
        return pd.Series(np.asarray(labels + [None], dtype=object)[series.cat.codes.to_numpy()],
                         index=series.index, dtype="string")
    if ftype == "set":
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        names = [spec.label_of(code) for code in spec.values]
        texts = ["、".join(names[i] for i in range(len(names)) if int(u) >> i & 1) for u in uniques]
        out = np.asarray(texts + [None], dtype=object)[codes]
        return pd.Series(out, index=series.index, dtype="string")
    if ftype == "boolean":
        return series.map({True: yes_no(True, lang), False: yes_no(False, lang)}).astype("string")
    if ftype == "integer":
        return series.astype("Int64").astype("string")
    if ftype == "number":
        values = series.astype("Float64")
        text = values.astype("string")
        return text.str.replace(r"\.0$", "", regex=True)
    return series.astype("string")
