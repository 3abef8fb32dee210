"""Double opt-in: the confirmation email of an anonymous newsletter sign-up,
and the page its signed link opens (the token itself is ``core/consent.py``)."""
