"""The tenant (municipality), partner organisations, users and their roles."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGISSEUR = "regisseur", _("Regisseur / projectleider")
    ANALIST = "analist", _("Analist")
    PROFESSIONAL = "professional", _("Partnerprofessional")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer (FG)")
    BEHEERDER = "beheerder", _("Functioneel beheerder")


class OrganisationKind(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    POLITIE = "politie", _("Politie")
    WONINGCORPORATIE = "woningcorporatie", _("Woningcorporatie")
    JONGERENWERK = "jongerenwerk", _("Jongerenwerk")
    HANDHAVING = "handhaving", _("Handhaving")
    SCHULDHULP = "schuldhulpverlening", _("Schuldhulpverlening")
    ONDERWIJS = "onderwijs", _("Leerplicht / onderwijs")
    ZORG = "zorg", _("Zorg")
    WELZIJN = "welzijn", _("Welzijn")
    OVERIG = "overig", _("Overig")


class Municipality(models.Model):
    """The tenant. Every other row carries a key to one municipality."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cbs_code = models.CharField(
        _("CBS-code"),
        max_length=6,
        unique=True,
        validators=[
            RegexValidator(r"^GM[0-9]{4}$", _("Een gemeentecode is GM gevolgd door 4 cijfers."))
        ],
    )
    name = models.CharField(_("naam"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cbs_code})"


class Organisation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="organisations"
    )
    slug = models.SlugField(_("korte naam"), max_length=50)
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=30, choices=OrganisationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="organisation_slug_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff user of one municipality. Residents never log in."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    # Set for the system account that an organisation's API tokens act as; it cannot log in.
    service_for = models.OneToOneField(
        "Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_user",
        verbose_name=_("systeemaccount van"),
    )

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """User x organisation x role. A user may hold several roles in organisations of one tenant."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (
            self.organisation_id is not None
            and self.organisation.municipality_id != self.municipality_id
        ):
            errors["organisation"] = _("De organisatie hoort bij een andere gemeente.")
        if self.user_id is not None and self.user.municipality_id != self.municipality_id:
            errors["user"] = _("De gebruiker hoort bij een andere gemeente.")
        if errors:
            raise ValidationError(errors)


class ApiToken(models.Model):
    """An API token. Only a SHA-256 hash of the secret is stored.

    Personal tokens (`organisation` empty) act as their user. Organisation tokens act as the
    organisation's system account (`user`, see `User.service_for`), which holds only the
    professional role in that organisation, so the ordinary visibility rules apply.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("organisatie"),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    name = models.CharField(_("naam"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        indexes = [models.Index(fields=["organisation", "created_at"], name="apitoken_org_time")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP), the second step of logging in (ADR 0015).

    The shared secret is stored encrypted (`tenants.mfa`, Fernet with a key from the settings),
    so a copy of the database alone does not yield codes. `confirmed_at` is empty until the user
    has typed a first code: an unconfirmed device does not count. `last_step` is the time step
    of the last code accepted; a code works once.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = _("authenticator-app")
        verbose_name_plural = _("authenticator-apps")

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class LoginFailure(models.Model):
    """One failed login step (password or code), for the lockout (sliding window, ADR 0015).

    `key` is an HMAC (settings.PSEUDONYM_KEY) of either the lower-cased username (`kind`
    "account") or the client's IP address (`kind` "client"): neither is stored in the clear, and
    usernames that do not exist are counted like ones that do. Rows older than the window are
    deleted as new ones arrive.
    """

    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mislukte inlogpoging")
        verbose_name_plural = _("mislukte inlogpogingen")
        indexes = [
            models.Index(fields=["kind", "key", "at"], name="loginfailure_key_time"),
            models.Index(fields=["at"], name="loginfailure_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
