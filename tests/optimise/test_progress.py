"""Progress while solving: the ticker's lines, and HiGHS's callbacks feeding it the real plan."""

from __future__ import annotations

import time

import numpy as np
import pytest

from planner.optimise.milp import SparseMILP
from planner.optimise.progress import SolveTicker, describe
from planner.optimise.solver import SolverOptions


def test_describe_says_time_plan_and_gap():
    assert describe(20.4, None, None) == "solving... 20 s, no plan yet"
    assert describe(20.4, 46.4e6, 45.8432e6) == "solving... 20 s, best plan £46.4 m, gap 1.2%"
    assert describe(3, 5e6, None, "round 2") == "solving... 3 s, best plan £5.0 m (round 2)"


def test_ticker_speaks_every_period_and_at_once_on_a_better_plan():
    lines: list[str] = []
    with SolveTicker(lines.append, every=0.2):
        time.sleep(1.3)
    # A line each 0.2 s at most, looked at twice a second: two or three in 1.3 s.
    assert 2 <= len(lines) <= 3
    assert all(line.startswith("solving... ") and "no plan yet" in line for line in lines)
    lines.clear()
    with SolveTicker(lines.append, every=60) as ticker:
        ticker.found(2e6, 1.9e6)  # the first plan: said at once
        ticker.found(1.5e6)  # better, but within a second of the last line: kept for later
        ticker.found(3e6)  # worse than the best: nothing new
    assert lines == ["solving... 0 s, best plan £2.0 m, gap 5.0%"]
    assert ticker.plan == 1.5e6 and ticker.bound == 1.9e6


def test_highs_callbacks_report_the_plan_highs_finds():
    # A knapsack-like MILP, minimised: the ticker's last plan is the solver's optimum, and a
    # line was said for it.
    rng = np.random.default_rng(3)
    n = 40
    weights, values = rng.integers(5, 40, n), rng.integers(10, 90, n) * 1e5
    model = SparseMILP(name="pick")
    x = model.add_columns("x", n, cost=-values, upper=1.0, integer=True)
    model.add_rows("weight", 1, np.zeros(n, dtype=int), x, weights, upper=float(weights.sum() // 3))
    h = model.to_highs()
    lines: list[str] = []
    with SolveTicker(lines.append, every=60) as ticker:
        ticker.watch(h)
        h.run()
    objective = h.getInfo().objective_function_value
    assert ticker.plan == pytest.approx(objective)
    assert any("best plan" in line for line in lines)
    # SparseMILP.solve passes progress to the same ticker (and solves the same model).
    said: list[str] = []
    report, _ = model.solve(SolverOptions(name="highs"), progress=said.append)
    assert report.objective == pytest.approx(objective)
    assert all(line.startswith("solving... ") for line in said)


def test_progress_bar_fills_with_the_solver_time_and_escapes_its_text(capsys):
    from planner.notebook import ProgressBar
    from planner.optimise.progress import SolveState

    bar = ProgressBar("<b>North</b>")
    bar("solving <script>alert(1)</script> ...")
    # Outside IPython the bar prints its lines.
    assert capsys.readouterr().out == "solving <script>alert(1)</script> ...\n"
    bar.solver_state(SolveState(30.0, 46.4e6, 46.2e6, 120.0))
    html = bar.html()
    assert 'value="0.250"' in html  # 30 s of a 120 s limit
    assert "30 s of 120 s, best plan £46.40 m, gap 0.43%" in html  # (46.4 - 46.2) / 46.4
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;North" in html
    bar.solver_state(SolveState(31.0, 46.4e6, 46.3e6, 120.0, finished=True))
    assert 'value="1.000"' in bar.html()  # the solve is over: full
    # No time limit: the bar shows the figures but cannot fill by time.
    bar = ProgressBar()
    bar.solver_state(SolveState(5.0, None, None, None))
    assert "value=" not in bar.html() and "5 s" in bar.html()
