"""disclosure-rules: audit government-information-disclosure ledgers against a yearly plan."""

__version__ = "0.1.0"
