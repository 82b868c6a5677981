"""Password rules in Dutch (ADR 0015).

Django's own minimum-length message changed wording in 5.2 and has no Dutch translation yet;
this validator says the same in Dutch (English in the project's catalogue). The other rules
(common passwords, numbers only, too close to the user's name) are Django's, already Dutch.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.translation import ngettext


class DutchMinimumLengthValidator(MinimumLengthValidator):
    def get_error_message(self) -> Any:
        return ngettext(
            "Dit wachtwoord is te kort. Het moet minstens %(min_length)d teken lang zijn.",
            "Dit wachtwoord is te kort. Het moet minstens %(min_length)d tekens lang zijn.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> Any:
        return ngettext(
            "Uw wachtwoord moet minstens %(min_length)d teken lang zijn.",
            "Uw wachtwoord moet minstens %(min_length)d tekens lang zijn.",
            self.min_length,
        ) % {"min_length": self.min_length}
