"""The demo municipality's reference data: organisations, people, domains, categories, convenants.

Plain data, no ORM: the generator samples from it and the services write it to the database.
Every name is fictional. Codes follow the CBS pattern with the unused prefix 9999 (Demodam) and
9998 (Elders, the second municipality whose data nobody in Demodam may see).
"""

from __future__ import annotations

from dataclasses import dataclass

CBS_CODE = "GM9999"
NAME = "Demodam"
OTHER_CBS_CODE = "GM9998"
OTHER_NAME = "Elders"

# Values of the model choices, repeated here so that the generator stays free of Django imports;
# a test checks that they match the TextChoices in signals.models.
CHANNELS = ("partner", "system_import", "street", "resident")
SOURCE_RELIABILITY = ("A", "B", "C", "X")
INFO_RELIABILITY = ("1", "2", "3", "4")
HANDLING_CODES = ("H1", "H2", "H3")
STATUSES = ("open", "in_behandeling", "doorgezet", "afgehandeld", "geannuleerd")
LOCATION_KINDS = ("point", "point+address", "address", "area")


@dataclass(frozen=True)
class OrgSpec:
    slug: str
    name: str
    kind: str  # tenants.models.OrganisationKind value


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("gemeente", "Gemeente Demodam", "gemeente"),
    OrgSpec("politie", "Politie basisteam Demodam-Oost", "politie"),
    OrgSpec("corporatie", "Woonstichting Thuis in Demodam", "woningcorporatie"),
    OrgSpec("jongerenwerk", "Jongerenwerk De Stek", "jongerenwerk"),
    OrgSpec("handhaving", "Team Handhaving (BOA) Demodam", "handhaving"),
    OrgSpec("schuldhulp", "Schuldhulpmaatje Demodam", "schuldhulpverlening"),
    OrgSpec("leerplicht", "Bureau Leerplicht Demodam", "onderwijs"),
    OrgSpec("welzijn", "Welzijn en Zorg Demodam", "welzijn"),
)
OTHER_ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("gemeente", "Gemeente Elders", "gemeente"),
    OrgSpec("politie", "Politie basisteam Elders", "politie"),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    persona: str  # shown in the login table (Dutch)
    organisation: str  # slug
    role: str  # tenants.models.Role value
    other_municipality: bool = False


USERS: tuple[UserSpec, ...] = (
    UserSpec("regisseur", "Renske", "van Dijk", "Wijkregisseur", "gemeente", "regisseur"),
    UserSpec("analist", "Anouk", "Jansen", "Analist (gepseudonimiseerd)", "gemeente", "analist"),
    UserSpec("wijkagent", "Wouter", "de Vries", "Wijkagent", "politie", "professional"),
    UserSpec("corporatie", "Karim", "El Amrani", "Woonconsulent", "corporatie", "professional"),
    UserSpec("jongerenwerker", "Jamal", "Bakker", "Jongerenwerker", "jongerenwerk", "professional"),
    UserSpec("handhaver", "Hanna", "Visser", "Handhaver (BOA)", "handhaving", "professional"),
    UserSpec("leerplicht", "Lotte", "Meijer", "Leerplichtambtenaar", "leerplicht", "professional"),
    UserSpec("welzijn", "Wim", "Bos", "Welzijnswerker", "welzijn", "professional"),
    UserSpec(
        "schuldhulp",
        "Sanne",
        "de Boer",
        "Schuldhulpverlener (geen convenant)",
        "schuldhulp",
        "professional",
    ),
    UserSpec("privacy", "Pieter", "Smit", "Privacy officer (FG)", "gemeente", "privacy_officer"),
    UserSpec("beheerder", "Bea", "Mulder", "Functioneel beheerder", "gemeente", "beheerder"),
    UserSpec(
        "outsider",
        "Olga",
        "Kramer",
        "Regisseur in een andere gemeente",
        "gemeente",
        "regisseur",
        other_municipality=True,
    ),
)

DOMAINS: tuple[tuple[str, str], ...] = (
    ("veiligheid", "Veiligheid"),
    ("wonen", "Wonen"),
    ("zorg-welzijn", "Zorg en welzijn"),
    ("onderwijs", "Onderwijs"),
    ("werk-inkomen", "Werk en inkomen"),
    ("participatie", "Participatie"),
)

# Temporal rhythms (see generator.RHYTHMS): nuisance peaks in the evening, at weekends and in
# summer; crime in the dark months; office work on weekdays; school follows the school calendar.
RHYTHM_NAMES = ("nuisance", "crime", "drugs", "office", "school", "care", "daytime")


@dataclass(frozen=True)
class MainCategorySpec:
    code: str
    name: str
    domain: str


@dataclass(frozen=True)
class CategorySpec:
    """A subcategory; signals are registered on subcategories."""

    code: str
    name: str
    parent: str
    weight: float  # relative volume
    rhythm: str
    owners: tuple[tuple[str, float], ...]
    channels: tuple[tuple[str, float], ...]
    is_public: bool = False
    confidential: bool = False


MAIN_CATEGORIES: tuple[MainCategorySpec, ...] = (
    MainCategorySpec("overlast", "Overlast", "veiligheid"),
    MainCategorySpec("criminaliteit", "Criminaliteit", "veiligheid"),
    MainCategorySpec("woonoverlast", "Woonoverlast", "wonen"),
    MainCategorySpec("woonfraude", "Woonfraude", "wonen"),
    MainCategorySpec("openbare-ruimte", "Openbare ruimte", "wonen"),
    MainCategorySpec("zorgsignaal", "Zorgsignaal", "zorg-welzijn"),
    MainCategorySpec("verzuim", "Schoolverzuim", "onderwijs"),
    MainCategorySpec("schoolloopbaan", "Schoolloopbaan", "onderwijs"),
    MainCategorySpec("schulden", "Schulden", "werk-inkomen"),
    MainCategorySpec("werk", "Werk", "werk-inkomen"),
    MainCategorySpec("sociale-samenhang", "Sociale samenhang", "participatie"),
    MainCategorySpec("meedoen", "Taal en meedoen", "participatie"),
)

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "overlast-jeugd",
        "Jeugdoverlast",
        "overlast",
        9.0,
        "nuisance",
        (("politie", 0.45), ("handhaving", 0.25), ("jongerenwerk", 0.2), ("gemeente", 0.1)),
        (("resident", 0.35), ("street", 0.4), ("partner", 0.25)),
        is_public=True,
    ),
    CategorySpec(
        "overlast-geluid",
        "Geluidsoverlast",
        "overlast",
        6.0,
        "nuisance",
        (("handhaving", 0.4), ("politie", 0.35), ("corporatie", 0.15), ("gemeente", 0.1)),
        (("resident", 0.6), ("street", 0.2), ("partner", 0.2)),
        is_public=True,
    ),
    CategorySpec(
        "overlast-drugs",
        "Drugsoverlast",
        "overlast",
        4.0,
        "drugs",
        (("politie", 0.6), ("handhaving", 0.25), ("corporatie", 0.15)),
        (("resident", 0.3), ("street", 0.45), ("partner", 0.25)),
    ),
    CategorySpec(
        "verward-gedrag",
        "Verward gedrag",
        "overlast",
        2.5,
        "nuisance",
        (("politie", 0.6), ("welzijn", 0.4)),
        (("street", 0.5), ("partner", 0.4), ("resident", 0.1)),
        confidential=True,
    ),
    CategorySpec(
        "woninginbraak",
        "Woninginbraak",
        "criminaliteit",
        3.0,
        "crime",
        (("politie", 1.0),),
        (("system_import", 0.6), ("street", 0.2), ("resident", 0.2)),
    ),
    CategorySpec(
        "fietsendiefstal",
        "Fietsendiefstal",
        "criminaliteit",
        3.0,
        "crime",
        (("politie", 1.0),),
        (("resident", 0.5), ("system_import", 0.5)),
        is_public=True,
    ),
    CategorySpec(
        "vernieling",
        "Vernieling",
        "criminaliteit",
        4.0,
        "nuisance",
        (("handhaving", 0.4), ("gemeente", 0.3), ("politie", 0.2), ("corporatie", 0.1)),
        (("resident", 0.5), ("street", 0.3), ("partner", 0.2)),
        is_public=True,
    ),
    CategorySpec(
        "drugshandel",
        "Drugshandel",
        "criminaliteit",
        1.5,
        "drugs",
        (("politie", 0.9), ("corporatie", 0.1)),
        (("street", 0.6), ("partner", 0.3), ("system_import", 0.1)),
        confidential=True,
    ),
    CategorySpec(
        "ondermijning",
        "Signaal ondermijning",
        "criminaliteit",
        1.0,
        "office",
        (("politie", 0.5), ("gemeente", 0.3), ("corporatie", 0.2)),
        (("partner", 0.8), ("system_import", 0.2)),
        confidential=True,
    ),
    CategorySpec(
        "burenruzie",
        "Burenruzie",
        "woonoverlast",
        4.0,
        "nuisance",
        (("corporatie", 0.7), ("welzijn", 0.2), ("politie", 0.1)),
        (("resident", 0.5), ("partner", 0.5)),
    ),
    CategorySpec(
        "vervuilde-woning",
        "Vervuilde woning",
        "woonoverlast",
        1.5,
        "office",
        (("corporatie", 0.6), ("welzijn", 0.3), ("gemeente", 0.1)),
        (("partner", 0.8), ("street", 0.2)),
        confidential=True,
    ),
    CategorySpec(
        "onderhuur",
        "Illegale onderhuur",
        "woonfraude",
        1.5,
        "office",
        (("corporatie", 0.8), ("gemeente", 0.2)),
        (("partner", 0.6), ("system_import", 0.3), ("resident", 0.1)),
    ),
    CategorySpec(
        "adresfraude",
        "Adresfraude",
        "woonfraude",
        1.0,
        "office",
        (("gemeente", 0.9), ("corporatie", 0.1)),
        (("system_import", 0.7), ("partner", 0.3)),
        confidential=True,
    ),
    CategorySpec(
        "zwerfafval",
        "Zwerfafval",
        "openbare-ruimte",
        5.0,
        "daytime",
        (("gemeente", 0.6), ("handhaving", 0.4)),
        (("resident", 0.7), ("street", 0.3)),
        is_public=True,
    ),
    CategorySpec(
        "illegale-dumping",
        "Illegale dumping",
        "openbare-ruimte",
        3.0,
        "daytime",
        (("handhaving", 0.6), ("gemeente", 0.4)),
        (("resident", 0.5), ("street", 0.5)),
        is_public=True,
    ),
    CategorySpec(
        "eenzaamheid",
        "Eenzaamheid",
        "zorgsignaal",
        2.0,
        "care",
        (("welzijn", 0.8), ("corporatie", 0.2)),
        (("partner", 0.9), ("resident", 0.1)),
    ),
    CategorySpec(
        "zorgmijding",
        "Zorgmijding",
        "zorgsignaal",
        1.5,
        "care",
        (("welzijn", 0.7), ("gemeente", 0.3)),
        (("partner", 1.0),),
        confidential=True,
    ),
    CategorySpec(
        "huiselijk-geweld",
        "Signaal huiselijk geweld",
        "zorgsignaal",
        1.5,
        "nuisance",
        (("politie", 0.5), ("welzijn", 0.5)),
        (("partner", 0.6), ("street", 0.3), ("system_import", 0.1)),
        confidential=True,
    ),
    CategorySpec(
        "relatief-verzuim",
        "Relatief verzuim",
        "verzuim",
        3.0,
        "school",
        (("leerplicht", 1.0),),
        (("system_import", 0.7), ("partner", 0.3)),
    ),
    CategorySpec(
        "absoluut-verzuim",
        "Absoluut verzuim",
        "verzuim",
        1.0,
        "school",
        (("leerplicht", 1.0),),
        (("system_import", 0.5), ("partner", 0.5)),
        confidential=True,
    ),
    CategorySpec(
        "dreigende-uitval",
        "Dreigende schooluitval",
        "schoolloopbaan",
        1.5,
        "school",
        (("leerplicht", 0.7), ("jongerenwerk", 0.3)),
        (("partner", 0.7), ("system_import", 0.3)),
    ),
    CategorySpec(
        "huurachterstand",
        "Huurachterstand",
        "schulden",
        3.0,
        "office",
        (("corporatie", 1.0),),
        (("system_import", 0.8), ("partner", 0.2)),
    ),
    CategorySpec(
        "betalingsachterstand",
        "Betalingsachterstand vaste lasten",
        "schulden",
        1.5,
        "office",
        (("gemeente", 0.6), ("schuldhulp", 0.4)),
        (("system_import", 0.7), ("partner", 0.3)),
        confidential=True,
    ),
    CategorySpec(
        "hulpvraag-schulden",
        "Hulpvraag schulden",
        "schulden",
        1.0,
        "office",
        (("schuldhulp", 0.8), ("welzijn", 0.2)),
        (("partner", 0.8), ("resident", 0.2)),
        confidential=True,
    ),
    CategorySpec(
        "jongere-zonder-werk",
        "Jongere zonder werk of opleiding",
        "werk",
        1.0,
        "office",
        (("jongerenwerk", 0.5), ("gemeente", 0.5)),
        (("partner", 1.0),),
    ),
    CategorySpec(
        "buurtinitiatief",
        "Buurtinitiatief",
        "sociale-samenhang",
        1.5,
        "daytime",
        (("gemeente", 0.7), ("welzijn", 0.3)),
        (("resident", 0.8), ("partner", 0.2)),
        is_public=True,
    ),
    CategorySpec(
        "spanningen",
        "Spanningen in de buurt",
        "sociale-samenhang",
        1.0,
        "nuisance",
        (("welzijn", 0.4), ("gemeente", 0.3), ("politie", 0.3)),
        (("partner", 0.6), ("street", 0.4)),
    ),
    CategorySpec(
        "taalachterstand",
        "Taalachterstand",
        "meedoen",
        1.0,
        "office",
        (("welzijn", 0.6), ("gemeente", 0.4)),
        (("partner", 1.0),),
    ),
)

CATEGORY_INDEX: dict[str, int] = {c.code: i for i, c in enumerate(CATEGORIES)}


@dataclass(frozen=True)
class ThemeSpec:
    """A kind of hotspot: which problems cluster together and when they are reported."""

    name: str
    rhythm: str
    categories: tuple[tuple[str, float], ...]
    season: str  # "year", "summer" or "episode"


THEMES: tuple[ThemeSpec, ...] = (
    ThemeSpec(
        "jeugd",
        "nuisance",
        (("overlast-jeugd", 0.6), ("vernieling", 0.25), ("overlast-geluid", 0.15)),
        "summer",
    ),
    ThemeSpec(
        "drugs",
        "drugs",
        (("overlast-drugs", 0.55), ("drugshandel", 0.3), ("ondermijning", 0.15)),
        "year",
    ),
    ThemeSpec(
        "woonoverlast",
        "nuisance",
        (
            ("burenruzie", 0.5),
            ("vervuilde-woning", 0.2),
            ("zorgmijding", 0.15),
            ("spanningen", 0.15),
        ),
        "episode",
    ),
    ThemeSpec(
        "inbraakgolf", "crime", (("woninginbraak", 0.85), ("fietsendiefstal", 0.15)), "episode"
    ),
    ThemeSpec("dumping", "daytime", (("illegale-dumping", 0.6), ("zwerfafval", 0.4)), "episode"),
    ThemeSpec(
        "bestaanszekerheid",
        "office",
        (
            ("huurachterstand", 0.35),
            ("betalingsachterstand", 0.2),
            ("relatief-verzuim", 0.2),
            ("jongere-zonder-werk", 0.1),
            ("eenzaamheid", 0.15),
        ),
        "year",
    ),
)


@dataclass(frozen=True)
class FocusAreaSpec:
    name: str
    description: str
    administrative_owner: str
    anchor: tuple[float, float]  # direction from the centre, in units of the city's half-axes
    size: int  # number of buurten
    partners: tuple[tuple[str, str], ...]  # (organisation slug, role in the approach)


FOCUS_AREAS: tuple[FocusAreaSpec, ...] = (
    FocusAreaSpec(
        "Krachtwijk Noordoost",
        "Gebiedsgerichte aanpak van jeugdoverlast, woonoverlast en armoede in de naoorlogse "
        "portiekflats van Noordoost.",
        "Wethouder Wonen en Wijken",
        (0.45, 0.45),
        4,
        (
            ("politie", "Veiligheid en wijkagent"),
            ("corporatie", "Wonen en woonoverlast"),
            ("jongerenwerk", "Jeugd en jongeren"),
            ("welzijn", "Zorg en welzijn"),
        ),
    ),
    FocusAreaSpec(
        "Stationsgebied",
        "Overlast, drugshandel en ondermijning rond het station en de binnenstad.",
        "Burgemeester (openbare orde)",
        (0.0, 0.0),
        3,
        (
            ("politie", "Openbare orde en opsporing"),
            ("handhaving", "Toezicht en handhaving"),
            ("corporatie", "Beheer wooncomplexen"),
        ),
    ),
    FocusAreaSpec(
        "Zuidwest Perspectief",
        "Integrale aanpak van schulden, schoolverzuim en werkloosheid onder jongeren in Zuidwest.",
        "Wethouder Sociaal Domein",
        (-0.5, -0.45),
        4,
        (
            ("leerplicht", "Leerplicht en schoolverzuim"),
            ("jongerenwerk", "Jongerenwerk"),
            ("welzijn", "Welzijn en buurtteam"),
            ("schuldhulp", "Schuldhulpverlening (zonder convenant)"),
            ("corporatie", "Vroegsignalering huurachterstand"),
        ),
    ),
)


@dataclass(frozen=True)
class AgreementSpec:
    title: str
    purpose: str  # areas.models.SharingPurpose value
    legal_basis: str
    parties: tuple[str, ...]
    categories: tuple[str, ...]
    focus_areas: tuple[str, ...]
    retention_days: int
    valid_from_days_ago: int
    valid_until_days_ago: int | None = None


AGREEMENTS: tuple[AgreementSpec, ...] = (
    AgreementSpec(
        "Convenant Veilige Wijken Demodam",
        "signalering",
        "Art. 6 lid 1 sub e AVG jo. art. 172 Gemeentewet; convenant Veilige Wijken 2025",
        ("gemeente", "politie", "handhaving", "corporatie"),
        (
            "overlast-jeugd",
            "overlast-geluid",
            "overlast-drugs",
            "vernieling",
            "woninginbraak",
            "fietsendiefstal",
            "burenruzie",
            "zwerfafval",
            "illegale-dumping",
        ),
        ("Krachtwijk Noordoost", "Stationsgebied", "Zuidwest Perspectief"),
        730,
        700,
    ),
    AgreementSpec(
        "Convenant Jeugd in de Wijk",
        "casusregie",
        "Art. 6 lid 1 sub e AVG; Leerplichtwet 1969; Jeugdwet art. 7.4.0",
        ("gemeente", "jongerenwerk", "leerplicht", "politie"),
        ("overlast-jeugd", "relatief-verzuim", "dreigende-uitval", "jongere-zonder-werk"),
        ("Krachtwijk Noordoost", "Zuidwest Perspectief"),
        365,
        500,
    ),
    AgreementSpec(
        "Convenant Vroegsignalering Wonen en Welzijn",
        "gebiedsanalyse",
        "Art. 6 lid 1 sub e AVG; Wmo 2015 art. 5.2.1",
        ("gemeente", "corporatie", "welzijn"),
        ("huurachterstand", "eenzaamheid", "onderhuur", "spanningen", "taalachterstand"),
        ("Krachtwijk Noordoost", "Zuidwest Perspectief"),
        1095,
        400,
    ),
    AgreementSpec(
        "Pilot Stationsgebied (verlopen)",
        "signalering",
        "Art. 6 lid 1 sub e AVG; pilotconvenant 2023",
        ("gemeente", "politie", "handhaving"),
        ("overlast-drugs", "drugshandel"),
        ("Stationsgebied",),
        365,
        1100,
        valid_until_days_ago=400,
    ),
)

WIJK_NAMES = (
    "Centrum",
    "Oud-Noord",
    "Havenkwartier",
    "Molenhoek",
    "De Vogelzang",
    "Parkwijk",
    "Zuiderveld",
    "Westerkamp",
    "Oosterhout",
    "Bosrand",
)
BUURT_NAMES = (
    "Lindehof",
    "Kerkebuurt",
    "De Akkers",
    "Marktplein",
    "Spoorzone",
    "Bleekveld",
    "Kastanjehof",
    "Zeeheldenbuurt",
    "Schildersbuurt",
    "De Hoven",
    "Torenlaan",
    "Kanaaloever",
    "Weverskwartier",
    "Rozendaal",
    "Het Eiland",
    "Wilgenrijk",
    "Meeuwenhof",
    "Dijkzicht",
    "Beatrixpark",
    "Bloemkwartier",
    "Vliegveldbuurt",
    "Oude Haven",
    "Graanmarkt",
    "Duinzicht",
    "Zonnehoek",
    "Essenburg",
    "De Weiden",
    "Fabriekskwartier",
    "Populierenbuurt",
    "Muziekbuurt",
    "Sterrenwijk",
    "Kloosterveld",
    "Nieuwe Erven",
    "De Bongerd",
    "Vijverhof",
    "Hofstede",
    "Heidehof",
    "Slotgracht",
    "Vlietzone",
    "Rietvelden",
    "Ooievaarshof",
    "Brugkwartier",
    "Tuindorp",
    "Het Veer",
    "Beukenrode",
    "Lage Weide",
    "Klaverveld",
    "Esdoornhof",
)
STREETS = (
    "Lindelaan",
    "Molenstraat",
    "Kerkplein",
    "Stationsweg",
    "Havenkade",
    "Beukenlaan",
    "Schoolstraat",
    "Dorpsstraat",
    "Julianastraat",
    "Vondelstraat",
    "Rembrandtplein",
    "Spoorlaan",
    "Meidoornstraat",
    "Gildeweg",
    "Kastanjelaan",
    "Parkweg",
    "Zuidsingel",
    "Wilhelminastraat",
    "Koningsweg",
    "Brinklaan",
)
DAYPARTS = ("'s ochtends", "'s middags", "'s avonds", "'s nachts", "in het weekend")

# Free text per category. Generic and fictional: never personal details.
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "overlast-jeugd": (
        "Groep jongeren hangt {daypart} rond bij de speeltuin aan de {street}.",
        "Jongeren op scooters rijden hard over het plein bij de {street}.",
        "Bewoners melden luidruchtige groep bij de portiek aan de {street}.",
    ),
    "overlast-geluid": (
        "Harde muziek {daypart} uit een woning aan de {street}.",
        "Geluidsoverlast van een feest in de {street}.",
    ),
    "overlast-drugs": (
        "Vermoedelijk drugsgebruik in de fietsenstalling aan de {street}.",
        "Spuitjes en afval gevonden bij het groen langs de {street}.",
    ),
    "verward-gedrag": ("Persoon met verward gedrag {daypart} op straat aan de {street}.",),
    "woninginbraak": (
        "Inbraak in woning aan de {street}, achterdeur geforceerd.",
        "Poging tot inbraak {daypart} aan de {street}.",
    ),
    "fietsendiefstal": ("Fiets gestolen bij de stalling aan de {street}.",),
    "vernieling": (
        "Bushokje vernield aan de {street}.",
        "Graffiti op de gevel van het wijkcentrum aan de {street}.",
    ),
    "drugshandel": ("Aanloop bij een woning aan de {street} die lijkt op drugshandel.",),
    "ondermijning": ("Opvallende geldstromen bij een bedrijfspand aan de {street}.",),
    "burenruzie": (
        "Aanhoudende ruzie tussen buren aan de {street}.",
        "Burenconflict over geluid en parkeren in de {street}.",
    ),
    "vervuilde-woning": ("Ernstig vervuilde woning aan de {street}, stankoverlast in portiek.",),
    "onderhuur": ("Vermoeden van onderhuur: wisselende bewoners aan de {street}.",),
    "adresfraude": ("Meer inschrijvingen op een adres aan de {street} dan aannemelijk.",),
    "zwerfafval": (
        "Zwerfafval rond de containers aan de {street}.",
        "Volle prullenbakken en afval op het grasveld aan de {street}.",
    ),
    "illegale-dumping": ("Grofvuil gedumpt naast de container aan de {street}.",),
    "eenzaamheid": ("Oudere bewoner aan de {street} heeft weinig contacten en vraagt om bezoek.",),
    "zorgmijding": ("Bewoner aan de {street} houdt hulpverleners buiten de deur.",),
    "huiselijk-geweld": ("Zorgen over de thuissituatie in een woning aan de {street}.",),
    "relatief-verzuim": ("Leerling uit de {street} is herhaald ongeoorloofd afwezig.",),
    "absoluut-verzuim": ("Leerplichtige jongere uit de {street} staat niet ingeschreven.",),
    "dreigende-uitval": ("Jongere uit de {street} dreigt de opleiding te verlaten.",),
    "huurachterstand": ("Huurachterstand van twee maanden bij een huishouden aan de {street}.",),
    "betalingsachterstand": ("Achterstand energie en water bij een huishouden aan de {street}.",),
    "hulpvraag-schulden": ("Bewoner aan de {street} vraagt hulp bij het ordenen van schulden.",),
    "jongere-zonder-werk": ("Jongere uit de {street} zit thuis zonder werk of opleiding.",),
    "buurtinitiatief": ("Bewoners aan de {street} willen een moestuin beginnen.",),
    "spanningen": ("Spanningen tussen groepen bewoners rond het plein aan de {street}.",),
    "taalachterstand": ("Gezin aan de {street} heeft moeite met Nederlandse brieven.",),
}

STATUS_NOTES: dict[str, tuple[str, ...]] = {
    "in_behandeling": ("", "Opgepakt door de wijkprofessional.", "Contact gezocht met melder."),
    "afgehandeld": ("", "Gesprek gevoerd, situatie opgelost.", "Maatregel genomen."),
    "doorgezet": ("Doorgezet naar het wijkteam.", "Doorgezet naar de corporatie."),
    "geannuleerd": ("Dubbele melding.", "Geen aanleiding voor actie."),
    "open": ("Heropend: nieuwe meldingen op dezelfde plek.",),
}
