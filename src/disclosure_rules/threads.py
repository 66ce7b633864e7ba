"""What threads of one audit share in the process, guarded in one place.

Ledger files are read side by side, and each dataset's rules are evaluated in a thread of its
own (``engine._load_all``, ``engine._evaluations``). Python's warning filters belong to the
process, and ``warnings.catch_warnings`` saves and restores them whole: two threads inside it
at once restore each other's filters. Every ``catch_warnings`` on the audit's path holds
:data:`WARNING_FILTERS`.
"""

from __future__ import annotations

import threading

#: held around every ``warnings.catch_warnings`` block on the audit's path
WARNING_FILTERS = threading.Lock()
