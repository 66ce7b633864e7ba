"""Did-you-mean for a Chinese user: names compared after folding widths, case and variant characters.

Used for dataset names and titles, file names, rule ids and category labels (rulebook.py,
the command line, the ledger reader). No dependency on the rest of the package but
``models.match_key``.
"""

from __future__ import annotations

import difflib

#: characters people mix up when typing a ledger's words (the first is the variant, the second
#: the standard form): 台帐/台账, 部份/部分, 付/副 (付处长), 登计/登记, full-width punctuation
_VARIANTS = str.maketrans({"帐": "账", "份": "分", "计": "记", "＝": "=", "，": ",", "：": ":", "（": "(", "）": ")"})


def fold(text: str) -> str:
    """``text`` as names are compared for a did-you-mean: NFKC (full-width to half-width),
    case-folded, stripped, common variant characters replaced by the standard ones."""
    from .models import match_key

    return match_key(str(text)).translate(_VARIANTS)


def closest(text: str, candidates, cutoff: float = 0.6) -> str | None:
    """The candidate ``text`` most likely means: one equal to it once both are folded
    (台帐 = 台账, 部份 = 部分, full-width = half-width), else the closest by difflib; None if none is close."""
    candidates = [str(c) for c in candidates]
    key = fold(text)
    for candidate in candidates:
        if fold(candidate) == key:
            return candidate
    folded = {fold(c): c for c in candidates}
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=cutoff)
    return folded[close[0]] if close else None


