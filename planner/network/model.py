"""The scanner network model: which sites, how many static scanners, how many mobile days.

One mixed-integer programme answers the planner's question: given demand and the sites
that could host a scanner, how many static scanners and mobile-unit days at which sites, so that
patients travel little, scanners are well used and the yearly cost is as low as the access
target allows.

Sets and data
    zones i (scans a year d_i, population p_i); sites j (existing or candidate); pairs (i, j)
    with travel time t_ij <= the scenario's maximum (sparse; no other pair exists in the model).
Variables
    n_j   static scanners at j (integer; bounds from the existing-site policy)
    N     static scanners in the network (integer): sum_j n_j <= N; carries their cost
    y_j   1 if j has a static scanner (binary)
    m_j   mobile-unit days a week at j (integer, 0..mobile_max_days_per_site)
    v_j   1 if j is open at all (binary): y_j <= v_j, m_j <= M v_j
    U     mobile units in the fleet (integer): sum_j m_j <= days_per_unit * U
    x_ij  scans a year from zone i served at j (continuous, >= 0)
    u_i   scans a year of zone i left unmet (continuous, >= 0)
    a_i   share of zone i's population within the access time of a static scanner, in [0, 1]
Constraints
    demand     sum_j x_ij + u_i = d_i
    capacity   sum_i x_ij <= F n_j + D m_j   (F scans/year a scanner, D scans/year a weekly day)
    access     a_i <= sum_{j: t_ij <= T_access} y_j ;  sum_i p_i a_i >= share * sum_i p_i
    limits     min_sites <= sum_j v_j <= max_sites, sum_j n_j <= max_scanners,
               yearly cost <= budget
Objective (pounds a year)
    scanners (annualised capital + operating) + new static sites (annualised installation)
    + open sites + mobile days + mobile units + travel (cost per minute x minutes x scans)
    + penalty x unmet scans.

The model is assembled as sparse arrays (:class:`planner.optimise.milp.SparseMILP`): HiGHS receives
it in one call, and :meth:`SparseMILP.to_pulp` gives the same model as a PuLP problem for CBC or any
other PuLP solver.

Unmet demand is a penalised slack, so demand never makes the model infeasible; the plan shows
where it cannot be met. Only the access target and the limits can; then :meth:`NetworkModel.solve`
tells which by re-solving with each relaxed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner import __version__
from planner.analysis.access import share_within, travel_statistics
from planner.data.travel import TravelMatrix
from planner.defaults import annuity_factor
from planner.errors import ModelInfeasibleError
from planner.network.inputs import NetworkInputs
from planner.optimise.milp import INF, SparseMILP
from planner.optimise.solver import INFEASIBLE, SolveReport, SolverOptions
from planner.plan import REPORTED_THRESHOLDS, Plan
from planner.scenario import Scenario

Progress = Callable[[str], None]

#: Limits that can make the model infeasible, in the order they are tried when diagnosing.
RELAXABLE = (
    "access",
    "min_sites",
    "max_sites",
    "max_scanners",
    "budget",
    "existing",
    "max_hubs",
    "backup",
)


def _quiet(_: str) -> None:
    pass


@dataclass
class ModelSize:
    """Counts describing a built model."""

    zones: int
    sites: int
    pairs: int
    variables: int
    integer_variables: int
    constraints: int
    nonzeros: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class NetworkModel:
    """The PET-CT network model for one scenario.

    Build one with :meth:`from_scenario` (data as the scenario file says) or
    :meth:`from_tables` (tables already in memory), then call :meth:`solve`.

    Parameters
    ----------
    inputs
        Demand zones, sites and travel times.
    scenario
        Parameters: capacity, costs, access target, limits, existing-site policy, solver.
    relax
        Names from :data:`RELAXABLE` to leave out (used to diagnose infeasibility).
    """

    def __init__(
        self, inputs: NetworkInputs, scenario: Scenario, *, relax: frozenset[str] = frozenset()
    ) -> None:
        if scenario.hubs.enabled and inputs.hubs is not None:
            from planner.network.extensions.hubs import check_hub_ids

            inputs = replace(inputs, hubs=check_hub_ids(inputs.hubs, scenario.hubs))
        self.inputs = inputs
        self.scenario = scenario
        self.relax = frozenset(relax)
        self.problem: SparseMILP | None = None
        self.size: ModelSize | None = None
        self.build_seconds: float | None = None

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, scenario: Scenario, progress: Progress = _quiet) -> NetworkModel:
        """Load the scenario's data, compute demand and travel times."""
        started = time.perf_counter()
        inputs = NetworkInputs.from_scenario(scenario)
        progress(
            f"inputs: {len(inputs.zones):,} demand zones, {len(inputs.sites):,} sites, "
            f"{len(inputs.travel):,} zone-site pairs within {scenario.travel.max_minutes:g} min "
            f"({time.perf_counter() - started:.1f} s)"
        )
        return cls(inputs, scenario)

    @classmethod
    def from_tables(
        cls,
        zones: pd.DataFrame,
        sites: pd.DataFrame,
        travel: TravelMatrix,
        scenario: Scenario,
        region_names: dict[str, str] | None = None,
        *,
        hubs: pd.DataFrame | None = None,
        suppliers: pd.DataFrame | None = None,
    ) -> NetworkModel:
        """Build from tables in memory (see :class:`~planner.network.inputs.NetworkInputs`)."""
        names = region_names or {c: c for c in zones["region_code"].astype(str).unique()}
        inputs = NetworkInputs(
            zones=zones.reset_index(drop=True),
            sites=sites.reset_index(drop=True),
            travel=travel.within(scenario.travel.max_minutes),
            region_names=names,
            hubs=None if hubs is None else hubs.reset_index(drop=True),
            suppliers=None if suppliers is None else suppliers.reset_index(drop=True),
        )
        return cls(inputs, scenario)

    # -- derived data -----------------------------------------------------------------------
    @property
    def scans_per_scanner(self) -> float:
        return float(self.scenario.capacity.fixed_scans_per_year)

    @property
    def scans_per_weekly_mobile_day(self) -> float:
        c = self.scenario.capacity
        return float(c.mobile_scans_per_day * c.weeks_per_year)

    def unit_costs(self) -> dict[str, float]:
        """Yearly cost of each decision, in pounds."""
        c = self.scenario.costs
        annuity = annuity_factor(c.capital_years, c.discount_rate)
        return {
            "scanner": c.scanner_capital * annuity + c.scanner_operating,
            "new_static_site": c.site_installation * annuity,
            "open_site": c.site_annual,
            "mobile_day_per_week": c.mobile_day_operating * self.scenario.capacity.weeks_per_year,
            "mobile_unit": c.mobile_unit_capital * annuity,
            "travel_minute": c.travel_cost_per_minute,
            "unmet_scan": c.unmet_penalty_per_scan,
        }

    def _scanner_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lower and upper bounds of n_j and whether y_j is forced to 1, by existing policy."""
        sites = self.inputs.sites
        cap = self.scenario.capacity.max_scanners_per_site
        existing_n = sites["existing_scanners"].to_numpy(int)
        upper = np.maximum(existing_n, cap)
        lower = np.zeros(len(sites), dtype=int)
        policy = self.scenario.existing.policy
        if "existing" not in self.relax and policy in ("keep", "may_expand"):
            lower = existing_n.copy()
            if policy == "keep":
                upper = np.where(sites["existing"].to_numpy(bool), existing_n, upper)
        return lower, upper, lower > 0

    # -- building ---------------------------------------------------------------------------
    def _site_masks(self) -> dict[str, np.ndarray]:
        """Per-site facts the build needs: tracer reach, policy, scanner bounds."""
        s = self.scenario
        sites = self.inputs.sites
        lower, upper, forced_static = self._scanner_bounds()
        existing = sites["existing"].to_numpy(bool)
        keep_open = np.zeros(len(sites), bool)
        if "existing" not in self.relax and s.existing.policy in ("keep", "may_expand"):
            keep_open = existing
        tracer_ok = self.tracer_reach()["tracer_ok"].to_numpy(bool)
        return {
            "lower": lower,
            "upper": np.where(tracer_ok, upper, 0),
            "forced_static": forced_static,
            "keep_open": keep_open,
            "tracer_ok": tracer_ok,
            "existing_static": sites["existing_scanners"].to_numpy(int) > 0,
        }

    def tracer_reach(self) -> pd.DataFrame:
        """Each site's nearest FDG supplier within the delivery limit (all ok when not checked)."""
        sites = self.inputs.sites
        if not self.scenario.tracer.enabled or self.inputs.suppliers is None:
            return pd.DataFrame(
                {"supplier_id": "", "supplier_minutes": np.nan, "tracer_ok": True},
                index=sites.index,
            )
        if not hasattr(self, "_tracer"):
            from planner.network.extensions.tracer import nearest_suppliers
            from planner.network.inputs import speed_model_for

            self._tracer = nearest_suppliers(
                sites,
                self.inputs.suppliers,
                self.scenario.tracer.delivery_minutes,
                speed_model_for(self.scenario),
            )
        return self._tracer

    def hub_links(self) -> TravelMatrix | None:
        """Site-to-hub travel times within ``hubs.max_minutes`` (None when hubs are off)."""
        if not self.scenario.hubs.enabled or self.inputs.hubs is None:
            return None
        if not hasattr(self, "_hub_links"):
            from planner.data.travel import estimate_travel_times
            from planner.network.inputs import speed_model_for

            self._hub_links = estimate_travel_times(
                self.inputs.sites,
                self.inputs.hubs,
                self.scenario.hubs.max_minutes,
                origin_id="site_id",
                destination_id="hub_id",
                speed_model=speed_model_for(self.scenario),
            )
        return self._hub_links

    def period_weights(self) -> list[float]:
        """Objective weight of each planning year: years it stands for x discount factor.

        A single-year plan has weight 1, so its objective is a yearly cost.
        """
        years = self.scenario.planning_years()
        if len(years) == 1:
            return [1.0]
        rate = self.scenario.costs.discount_rate
        spans = [b - a for a, b in zip(years, years[1:], strict=False)] + [1]
        return [span * (1.0 + rate) ** -year for span, year in zip(spans, years, strict=True)]

    def build(self) -> SparseMILP:
        """Build the model as sparse arrays (one assignment column per reachable pair and year).

        Every block of rows is assembled from index arrays; no Python loop runs over pairs.
        """
        started = time.perf_counter()
        s = self.scenario
        zones, sites, travel = self.inputs.zones, self.inputs.sites, self.inputs.travel
        model = SparseMILP(name=f"pet_ct_network_{_safe(s.name)}")
        masks = self._site_masks()
        years = s.planning_years()
        horizon_scans = zones["scans"].to_numpy(float)
        growth = 1.0 + s.demand.annual_growth
        weights = self.period_weights()
        periods = []
        for t, year in enumerate(years):
            scans = horizon_scans * growth ** (year - s.demand.horizon_years)
            tag = "" if len(years) == 1 else f"_t{t}"
            periods.append(self._add_period(model, tag, year, scans, masks, weights[t]))
        # Phasing: sites once open stay open, scanners are only added.
        n_sites = len(sites)
        local = np.arange(n_sites)
        for t in range(1, len(periods)):
            for key in ("n", "y", "v"):
                model.add_rows(
                    f"grow_{key}_{t}",
                    n_sites,
                    np.concatenate([local, local]),
                    np.concatenate([periods[t][key], periods[t - 1][key]]),
                    np.concatenate([np.ones(n_sites), -np.ones(n_sites)]),
                    lower=0.0,
                )
        final = periods[-1]
        self._hub_columns = None
        links = self.hub_links()
        if links is not None:
            from planner.network.extensions.hubs import add_hub_rows

            days = s.capacity.mobile_days_per_unit
            cap = masks["upper"] + s.capacity.mobile_max_days_per_site / days
            self._hub_columns = add_hub_rows(
                model,
                self.inputs.hubs,
                links,
                s.hubs,
                site_open=final["v"],
                scanners=final["n"],
                mobile_days=final["m"],
                days_per_unit=days,
                scanner_cap=cap,
                cost_weight=sum(weights),
                limit_hubs="max_hubs" not in self.relax,
            )
        if s.resilience.backup_share > 0 and "backup" not in self.relax:
            from planner.analysis.n_minus_1 import add_backup_rows

            # Required in every planning year, as the access target is.
            for t, period in enumerate(periods):
                add_backup_rows(
                    model,
                    travel,
                    zones["population"].to_numpy(float),
                    period["y"],
                    s.resilience.backup_minutes,
                    s.resilience.backup_share,
                    tag="" if len(periods) == 1 else f"_t{t}",
                )
        self.problem = model
        self._periods = periods
        self.size = ModelSize(
            zones=len(zones),
            sites=n_sites,
            pairs=len(travel),
            variables=model.num_cols,
            integer_variables=model.num_integer,
            constraints=model.num_rows,
            nonzeros=model.nonzeros,
        )
        self.build_seconds = time.perf_counter() - started
        return model

    def _add_period(
        self,
        model: SparseMILP,
        tag: str,
        year: int,
        scans: np.ndarray,
        masks: dict,
        weight: float,
    ) -> dict:
        """Columns and rows of one planning year; returns the column indices of each block."""
        s = self.scenario
        zones, sites, travel = self.inputs.zones, self.inputs.sites, self.inputs.travel
        n_zones, n_sites, n_pairs = len(zones), len(sites), len(travel)
        costs = self.unit_costs()
        allow_mobile = s.capacity.allow_mobile and s.capacity.mobile_max_days_per_site > 0
        max_days = s.capacity.mobile_max_days_per_site if allow_mobile else 0
        ok = masks["tracer_ok"]
        upper = masks["upper"].astype(float)
        install = np.where(masks["existing_static"], 0.0, costs["new_static_site"])
        n = model.add_columns(
            f"n{tag}",
            n_sites,
            lower=np.minimum(masks["lower"], masks["upper"]),
            upper=upper,
            integer=True,
        )
        # The network's scanner count N carries the scanners' cost. The relaxation spreads
        # fractional scanners over many sites, so branching on single sites closes the gap
        # slowly; N is integer in every plan and one branch on it (N <= k or N >= k + 1)
        # settles most of the gap (england_baseline: 1 node instead of about 70). An
        # inequality, not an equation, so that presolve cannot substitute N away; N equals
        # the sum of n at every optimum, since each scanner costs.
        total = model.add_columns(
            f"scanners{tag}",
            1,
            cost=weight * costs["scanner"],
            upper=float(upper.sum()),
            integer=True,
        )
        model.add_rows(
            f"scanner_total{tag}",
            1,
            np.zeros(n_sites + 1, dtype=int),
            np.concatenate([n, total]),
            np.concatenate([np.ones(n_sites), [-1.0]]),
            upper=0.0,
        )
        y = model.add_columns(
            f"y{tag}",
            n_sites,
            cost=weight * install,
            lower=masks["forced_static"] & ok,
            upper=ok,
            integer=True,
        )
        v = model.add_columns(
            f"v{tag}",
            n_sites,
            cost=weight * costs["open_site"],
            lower=masks["keep_open"] & ok,
            upper=ok,
            integer=True,
        )
        m = model.add_columns(
            f"m{tag}",
            n_sites,
            cost=weight * costs["mobile_day_per_week"],
            upper=np.where(ok, max_days, 0),
            integer=True,
        )
        fleet = model.add_columns(
            f"mobile_units{tag}",
            1,
            cost=weight * costs["mobile_unit"],
            upper=INF if allow_mobile else 0,
            integer=True,
        )
        x = model.add_columns(
            f"x{tag}", n_pairs, cost=weight * costs["travel_minute"] * travel.minutes
        )
        unmet = model.add_columns(
            f"u{tag}", n_zones, cost=weight * costs["unmet_scan"], upper=scans
        )

        zone_rows, site_rows = np.arange(n_zones), np.arange(n_sites)
        ones_p, ones_s = np.ones(n_pairs), np.ones(n_sites)
        model.add_rows(
            f"demand{tag}",
            n_zones,
            np.concatenate([travel.origin, zone_rows]),
            np.concatenate([x, unmet]),
            1.0,
            lower=scans,
            upper=scans,
        )
        F, D = self.scans_per_scanner, self.scans_per_weekly_mobile_day
        model.add_rows(
            f"capacity{tag}",
            n_sites,
            np.concatenate([travel.destination, site_rows, site_rows]),
            np.concatenate([x, n, m]),
            np.concatenate([ones_p, -F * ones_s, -D * ones_s]),
            upper=0.0,
        )

        def pair_rows(
            name: str, a: np.ndarray, ca: np.ndarray | float, b: np.ndarray, cb, **bounds
        ):
            model.add_rows(
                name,
                n_sites,
                np.concatenate([site_rows, site_rows]),
                np.concatenate([a, b]),
                np.concatenate([np.broadcast_to(ca, n_sites), np.broadcast_to(cb, n_sites)]),
                **bounds,
            )

        pair_rows(f"static_lo{tag}", n, 1.0, y, -1.0, lower=0.0)
        pair_rows(f"static_hi{tag}", n, 1.0, y, -upper, upper=0.0)
        pair_rows(f"open_static{tag}", y, 1.0, v, -1.0, upper=0.0)
        pair_rows(f"open_mobile{tag}", m, 1.0, v, -float(max_days), upper=0.0)
        # An open site hosts something: a site kept open by policy keeps a service.
        model.add_rows(
            f"served{tag}",
            n_sites,
            np.concatenate([site_rows, site_rows, site_rows]),
            np.concatenate([y, m, v]),
            np.concatenate([ones_s, ones_s, -ones_s]),
            lower=0.0,
        )
        model.add_rows(
            f"fleet{tag}",
            1,
            np.zeros(n_sites + 1, dtype=int),
            np.concatenate([m, fleet]),
            np.concatenate([ones_s, [-float(s.capacity.mobile_days_per_unit)]]),
            upper=0.0,
        )
        self._access_rows(model, y, tag)
        limits = s.limits
        if limits.min_sites is not None and "min_sites" not in self.relax:
            model.add_rows(
                f"min_sites{tag}", 1, np.zeros(n_sites, int), v, 1.0, lower=limits.min_sites
            )
        if limits.max_sites is not None and "max_sites" not in self.relax:
            model.add_rows(
                f"max_sites{tag}", 1, np.zeros(n_sites, int), v, 1.0, upper=limits.max_sites
            )
        if limits.max_scanners is not None and "max_scanners" not in self.relax:
            model.add_rows(
                f"max_scanners{tag}", 1, np.zeros(n_sites, int), n, 1.0, upper=limits.max_scanners
            )
        if limits.budget is not None and "budget" not in self.relax:
            cols = np.concatenate([n, y, v, m, fleet])
            coefs = np.concatenate(
                [
                    costs["scanner"] * ones_s,
                    install,
                    costs["open_site"] * ones_s,
                    costs["mobile_day_per_week"] * ones_s,
                    [costs["mobile_unit"]],
                ]
            )
            model.add_rows(
                f"budget{tag}", 1, np.zeros(cols.size, int), cols, coefs, upper=limits.budget
            )
        return {
            "year": year,
            "scans": scans,
            "n": n,
            "scanners": total,
            "y": y,
            "v": v,
            "m": m,
            "fleet": fleet,
            "x": x,
            "unmet": unmet,
            "allow_mobile": allow_mobile,
        }

    def _access_rows(self, model: SparseMILP, y: np.ndarray, tag: str = "") -> None:
        """a_i <= sum of y_j within the access time; population-weighted sum of a_i >= share."""
        access = self.scenario.access
        if not access.enforce or "access" in self.relax or access.share <= 0:
            return
        zones, travel = self.inputs.zones, self.inputs.travel
        population = zones["population"].to_numpy(float)
        near = travel.minutes <= access.minutes + 1e-9
        origin, site = travel.origin[near], travel.destination[near]
        zone_ids = np.flatnonzero(
            (np.bincount(origin, minlength=len(zones)) > 0) & (population > 0)
        )
        a = model.add_columns(f"a{tag}", zone_ids.size, upper=1.0)
        row_of_zone = np.full(len(zones), -1)
        row_of_zone[zone_ids] = np.arange(zone_ids.size)
        keep = row_of_zone[origin] >= 0
        model.add_rows(
            f"access{tag}",
            zone_ids.size,
            np.concatenate([np.arange(zone_ids.size), row_of_zone[origin[keep]]]),
            np.concatenate([a, y[site[keep]]]),
            np.concatenate([np.ones(zone_ids.size), -np.ones(int(keep.sum()))]),
            upper=0.0,
        )
        # Population shares, not head counts: keeps the row's coefficients near 1.
        model.add_rows(
            f"access_target{tag}",
            1,
            np.zeros(zone_ids.size, int),
            a,
            population[zone_ids] / population.sum(),
            lower=access.share,
        )

    # -- checks before solving ----------------------------------------------------------------
    def access_ceiling(self) -> tuple[float, pd.DataFrame]:
        """Best reachable access share if every site had a static scanner, and the uncovered
        population by region (regions with none uncovered are left out)."""
        zones, travel = self.inputs.zones, self.inputs.travel
        # Only sites that FDG can reach may host a static scanner.
        nearest = travel.nearest_minutes(self.tracer_reach()["tracer_ok"].to_numpy(bool))
        covered = nearest <= self.scenario.access.minutes + 1e-9
        population = zones["population"].to_numpy(float)
        ceiling = float(population[covered].sum() / population.sum())
        uncovered = (
            zones.assign(uncovered=np.where(covered, 0.0, population))
            .groupby("region_code", sort=True)["uncovered"]
            .sum()
        )
        uncovered = uncovered[uncovered > 0].sort_values(ascending=False)
        table = uncovered.rename_axis("region_code").reset_index()
        table["region_name"] = table["region_code"].map(self.inputs.region_names)
        return ceiling, table

    def _check_sites_can_stay_open(self) -> None:
        """Existing sites the policy keeps open must reach a tracer supplier and a hub."""
        s = self.scenario
        if "existing" in self.relax or s.existing.policy == "may_close":
            return
        sites = self.inputs.sites
        kept = sites["existing"].to_numpy(bool)
        problems = []
        no_tracer = kept & ~self.tracer_reach()["tracer_ok"].to_numpy(bool)
        for r in sites[no_tracer].itertuples():
            problems.append(
                f"{r.name} ({r.site_id}): no FDG supplier within "
                f"{s.tracer.delivery_minutes:.0f} min (tracer.min_activity_fraction = "
                f"{s.tracer.min_activity_fraction})"
            )
        links = self.hub_links()
        if links is not None:
            reach = np.zeros(len(sites), bool)
            reach[links.origin] = True
            for r in sites[kept & ~reach].itertuples():
                problems.append(
                    f"{r.name} ({r.site_id}): no training hub within {s.hubs.max_minutes:g} min"
                )
        if problems:
            raise ModelInfeasibleError(
                f"existing sites cannot stay open (existing.policy = {s.existing.policy!r}); "
                "set existing.policy = 'may_close' or relax the limits named",
                problems,
            )

    def _check_access_reachable(self) -> None:
        access = self.scenario.access
        if not access.enforce or "access" in self.relax:
            return
        ceiling, uncovered = self.access_ceiling()
        if ceiling + 1e-9 < access.share:
            causes = [
                f"{r.region_name or r.region_code} ({r.region_code}): {r.uncovered:,.0f} people "
                f"have no allowed site within {access.minutes:g} min"
                for r in uncovered.head(9).itertuples()
            ]
            raise ModelInfeasibleError(
                f"access target infeasible: even with a static scanner at every allowed site only "
                f"{ceiling:.2%} of the population is within {access.minutes:g} min, below the "
                f"target {access.share:.2%}. Add candidate sites in these areas, lower "
                f"access.share, or set access.enforce = false",
                causes,
            )

    # -- solving ------------------------------------------------------------------------------
    def solve(self, options: SolverOptions | None = None, progress: Progress = _quiet) -> Plan:
        """Solve and return the plan; its summary carries the solver's true status and gap.

        Raises
        ------
        ModelInfeasibleError
            When the access target or a limit cannot be met; the error lists which.
        """
        options = options or self.scenario.solver.options()
        self._check_sites_can_stay_open()
        self._check_access_reachable()
        if self.problem is None:
            progress("building the model ...")
            self.build()
            sz = self.size
            progress(
                f"model: {sz.variables:,} variables ({sz.integer_variables:,} integer), "
                f"{sz.constraints:,} constraints, {sz.nonzeros:,} nonzeros "
                f"({self.build_seconds:.1f} s)"
            )
        progress(
            f"solving with {options.name or 'the default solver'}"
            + (f" (time limit {options.time_limit:g} s)" if options.time_limit else "")
            + " ..."
        )
        report, self._solution = self.problem.solve(options)
        gap = "" if report.mip_gap is None else f", gap {report.mip_gap:.3%}"
        progress(f"solver: {report.status}{gap} ({report.seconds:.1f} s)")
        if report.status == INFEASIBLE:
            raise ModelInfeasibleError(
                "no plan meets every constraint", self.diagnose_infeasibility(options)
            )
        if not report.has_solution:
            from planner.errors import SolverError

            raise SolverError(
                f"the solver stopped without a plan: {report.status} ({report.message}); "
                "raise solver.time_limit or check the scenario's limits"
            )
        return self._plan(report)

    def diagnose_infeasibility(self, options: SolverOptions) -> list[str]:
        """Which constraint groups, relaxed one at a time, make the model feasible."""
        s = self.scenario
        present = {
            "access": s.access.enforce and s.access.share > 0,
            "min_sites": s.limits.min_sites is not None,
            "max_sites": s.limits.max_sites is not None,
            "max_scanners": s.limits.max_scanners is not None,
            "budget": s.limits.budget is not None,
            "existing": s.existing.policy in ("keep", "may_expand"),
            "max_hubs": s.hubs.enabled and s.hubs.max_hubs is not None,
            "backup": s.resilience.backup_share > 0,
        }
        describe = {
            "access": f"access target ({s.access.share:.0%} within {s.access.minutes:g} min)",
            "min_sites": f"limits.min_sites = {s.limits.min_sites}",
            "max_sites": f"limits.max_sites = {s.limits.max_sites}",
            "max_scanners": f"limits.max_scanners = {s.limits.max_scanners}",
            "budget": f"limits.budget = {s.limits.budget}",
            "existing": f"existing.policy = {s.existing.policy!r}",
            "max_hubs": f"hubs.max_hubs = {s.hubs.max_hubs}",
            "backup": f"backup coverage ({s.resilience.backup_share:.0%} within "
            f"{s.resilience.backup_minutes:g} min of two sites)",
        }
        quick = SolverOptions(
            name=options.name,
            time_limit=min(options.time_limit or 30.0, 30.0),
            threads=options.threads,
        )
        causes = []
        for name in RELAXABLE:
            if not present[name]:
                continue
            trial = NetworkModel(self.inputs, s, relax=self.relax | {name})
            trial.build()
            if trial.problem.solve(quick)[0].has_solution:
                causes.append(f"{describe[name]}: the model is feasible without it")
        if not causes:
            listed = [describe[k] for k, on in present.items() if on]
            causes.append(
                "no single constraint is to blame; together they conflict: " + "; ".join(listed)
            )
        return causes

    # -- the plan -------------------------------------------------------------------------------
    def _plan(self, report: SolveReport) -> Plan:
        s = self.scenario
        zones, sites, travel = self.inputs.zones, self.inputs.sites, self.inputs.travel
        final = self._periods[-1]
        val = self._solution.__getitem__
        n = np.rint(val(final["n"])).astype(int)
        m = np.rint(val(final["m"])).astype(int)
        x = np.clip(val(final["x"]), 0.0, None)
        unmet = np.clip(val(final["unmet"]), 0.0, None)
        fleet = int(round(val(final["fleet"])[0]))
        is_open = (n > 0) | (m > 0)
        capacity = n * self.scans_per_scanner + m * self.scans_per_weekly_mobile_day
        assigned_site = np.bincount(travel.destination, weights=x, minlength=len(sites))
        with np.errstate(divide="ignore", invalid="ignore"):
            utilisation = np.where(capacity > 0, assigned_site / capacity, np.nan)
        site_table = sites.copy()
        site_table["open"] = is_open
        site_table["new_site"] = is_open & ~sites["existing"].to_numpy(bool)
        site_table["fixed_scanners"] = n
        site_table["mobile_days"] = m
        site_table["capacity_scans"] = capacity
        site_table["assigned_scans"] = assigned_site
        site_table["utilisation"] = utilisation

        used = x > 1e-6
        assignments = pd.DataFrame(
            {
                "demand_id": travel.origin_ids[travel.origin[used]],
                "site_id": travel.destination_ids[travel.destination[used]],
                "scans": x[used],
                "minutes": travel.minutes[used],
            }
        )
        static_open = n > 0
        nearest_static = travel.nearest_minutes(static_open)
        population = zones["population"].to_numpy(float)
        # The plan shows its final planning year: demand of that year, not of the horizon.
        scans = np.asarray(final["scans"], float)
        demand = pd.DataFrame(
            {
                "demand_id": zones["zone_id"].astype(str),
                "name": zones["name"],
                "region_code": zones["region_code"],
                "lat": zones["lat"],
                "lon": zones["lon"],
                "population": population,
                "scans": scans,
                "assigned_scans": np.bincount(travel.origin, weights=x, minlength=len(zones)),
                "unmet_scans": unmet,
                "nearest_static_minutes": np.where(
                    np.isfinite(nearest_static), nearest_static, np.nan
                ),
            }
        )
        regions = _region_table(demand, assignments, self.inputs.region_names, s.access.minutes)
        stats = travel_statistics(assignments)
        shares = {str(t): share_within(population, nearest_static, t) for t in REPORTED_THRESHOLDS}
        access_share = share_within(population, nearest_static, s.access.minutes)
        costs = self.unit_costs()
        cost_breakdown = {
            "scanners": float(n.sum() * costs["scanner"]),
            "new_static_sites": float(
                (static_open & ~(sites["existing_scanners"].to_numpy(int) > 0)).sum()
                * costs["new_static_site"]
            ),
            "open_sites": float(is_open.sum() * costs["open_site"]),
            "mobile_days": float(m.sum() * costs["mobile_day_per_week"]),
            "mobile_units": float(fleet * costs["mobile_unit"]) if s.capacity.allow_mobile else 0.0,
            "travel": float((x * travel.minutes).sum() * costs["travel_minute"]),
            "unmet_penalty": float(unmet.sum() * costs["unmet_scan"]),
        }
        summary = {
            "scenario": s.name,
            "title": s.title,
            "status": report.status,
            "mip_gap": report.mip_gap,
            "objective": report.objective,
            "best_bound": report.best_bound,
            "solver": report.solver,
            "solver_message": report.message,
            "solve_seconds": report.seconds,
            "build_seconds": self.build_seconds,
            "time_limit_reached": report.time_limit_reached,
            "sites_open": int(is_open.sum()),
            "sites_static": int(static_open.sum()),
            "sites_mobile_only": int((is_open & ~static_open).sum()),
            "new_sites": int(site_table["new_site"].sum()),
            "scanners_fixed": int(n.sum()),
            "mobile_days_per_week": int(m.sum()),
            "mobile_units": fleet if s.capacity.allow_mobile else 0,
            "population": float(population.sum()),
            "plan_year": int(final["year"]),
            "demand_scans": float(scans.sum()),
            "assigned_scans": float(x.sum()),
            "unmet_scans": float(unmet.sum()),
            "capacity_scans": float(capacity.sum()),
            "mean_utilisation": float(x.sum() / capacity.sum()) if capacity.sum() > 0 else None,
            **stats,
            "share_within_minutes": shares,
            "access_target_minutes": s.access.minutes,
            "access_target_share": s.access.share if s.access.enforce else None,
            "access_share": access_share,
            "access_target_met": bool(access_share + 1e-6 >= s.access.share),
            # Yearly figures of the plan year; with phasing, "objective" is instead the
            # discounted total over all planning years.
            "objective_scope": "one year" if len(self._periods) == 1 else "discounted total",
            "annual_cost": float(
                sum(v for k, v in cost_breakdown.items() if k not in ("travel", "unmet_penalty"))
            ),
            "costs": cost_breakdown,
            "model_size": self.size.as_dict() if self.size else None,
            "travel_source": travel.source,
            "planner_version": __version__,
        }
        hubs_table = suppliers_table = None
        tracer = self.tracer_reach()
        if s.tracer.enabled and self.inputs.suppliers is not None:
            site_table["supplier_id"] = tracer["supplier_id"].to_numpy()
            suppliers_table = self.inputs.suppliers.copy()
            names = suppliers_table.set_index(suppliers_table["supplier_id"].astype(str))["name"]
            site_table["supplier_name"] = site_table["supplier_id"].map(names).fillna("")
            site_table["supplier_minutes"] = tracer["supplier_minutes"].to_numpy()
            served = site_table[site_table["open"]].groupby("supplier_id").size()
            suppliers_table["sites_supplied"] = (
                suppliers_table["supplier_id"].astype(str).map(served).fillna(0).astype(int)
            )
            summary["tracer_delivery_minutes"] = s.tracer.delivery_minutes
        if self._hub_columns is not None:
            from planner.network.extensions.hubs import hub_tables

            hubs_table, site_hub, hub_minutes = hub_tables(
                self.inputs.hubs, self._hub_columns, self._solution, site_table, s.hubs
            )
            site_table["hub_id"] = site_hub.to_numpy()
            names = hubs_table.set_index(hubs_table["hub_id"].astype(str))["name"]
            site_table["hub_name"] = site_table["hub_id"].map(names).fillna("")
            site_table["hub_minutes"] = hub_minutes.to_numpy()
            summary["hubs_open"] = int(hubs_table["open"].sum())
            summary["hub_trainee_load"] = float(hubs_table["trainee_load"].sum())
        if s.resilience.backup_share > 0:
            from planner.analysis.n_minus_1 import backup_share

            summary["backup_minutes"] = s.resilience.backup_minutes
            summary["backup_target_share"] = s.resilience.backup_share
            summary["backup_share"] = backup_share(
                demand, travel, static_open, s.resilience.backup_minutes
            )
        phasing = None
        if len(self._periods) > 1:
            phasing = self._phasing_table()
            first_open = phasing[phasing["open"]].groupby("site_id")["year"].min()
            site_table["open_year"] = site_table["site_id"].map(first_open)
            summary["planning_years"] = [p["year"] for p in self._periods]
            summary["phasing"] = (
                phasing.groupby("year")
                .agg(
                    sites_open=("open", "sum"),
                    scanners_fixed=("fixed_scanners", "sum"),
                    mobile_days_per_week=("mobile_days", "sum"),
                    demand_scans=("demand_scans", "first"),
                )
                .reset_index()
                .to_dict("records")
            )
        return Plan(
            summary=summary,
            sites=site_table,
            assignments=assignments,
            demand=demand,
            regions=regions,
            hubs=hubs_table,
            suppliers=suppliers_table,
            phasing=phasing,
        )

    def _phasing_table(self) -> pd.DataFrame:
        """Per planning year and site: open, static scanners, mobile days."""
        sites = self.inputs.sites
        frames = []
        for period in self._periods:
            n = np.rint(self._solution[period["n"]]).astype(int)
            m = np.rint(self._solution[period["m"]]).astype(int)
            frames.append(
                pd.DataFrame(
                    {
                        "year": period["year"],
                        "site_id": sites["site_id"],
                        "name": sites["name"],
                        "open": (n > 0) | (m > 0),
                        "fixed_scanners": n,
                        "mobile_days": m,
                        "demand_scans": float(period["scans"].sum()),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def _region_table(
    demand: pd.DataFrame, assignments: pd.DataFrame, names: dict[str, str], access_minutes: float
) -> pd.DataFrame:
    travel_by_zone = (
        assignments.assign(scan_minutes=assignments["scans"] * assignments["minutes"])
        .groupby("demand_id")[["scan_minutes"]]
        .sum()
    )
    d = demand.join(travel_by_zone, on="demand_id")
    d["within"] = np.where(d["nearest_static_minutes"] <= 60 + 1e-9, d["population"], 0.0)
    d["within_access"] = np.where(
        d["nearest_static_minutes"] <= access_minutes + 1e-9, d["population"], 0.0
    )
    g = d.groupby("region_code", sort=True)
    table = pd.DataFrame(
        {
            "population": g["population"].sum(),
            "demand_scans": g["scans"].sum(),
            "assigned_scans": g["assigned_scans"].sum(),
            "unmet_scans": g["unmet_scans"].sum(),
            "mean_travel_minutes": g["scan_minutes"].sum() / g["assigned_scans"].sum(),
            "share_within_60": g["within"].sum() / g["population"].sum(),
            "share_within_access": g["within_access"].sum() / g["population"].sum(),
        }
    ).reset_index()
    table.insert(1, "region_name", table["region_code"].map(names).fillna(table["region_code"]))
    return table


def _groups(index: np.ndarray, size: int) -> list[np.ndarray]:
    """Positions of ``index`` grouped by value 0..size-1 (a CSR-style split, no Python scan)."""
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(size + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(size)]


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40]
