"""A progress bar for notebooks: ``planner.run(scenario, progress=ProgressBar())``.

The command line prints progress lines (:func:`planner.run`'s ``progress``); in a notebook a
long solve shows instead one bar that fills with the solver's time and says the elapsed time,
the best plan, the gap and the latest step, updated in place (an IPython display with an id, as
the solver's ticker reports; :class:`~planner.optimise.progress.SolveTicker`). Outside IPython
the same object prints each line, so a script can use it too. It draws an HTML ``<progress>``
element: no widget library, nothing that needs the internet, and every line is escaped.
"""

from __future__ import annotations

from html import escape

from planner.optimise.progress import SolveState


class ProgressBar:
    """Progress of :func:`planner.run` as a bar in a notebook (module docstring).

    Parameters
    ----------
    title
        Shown above the bar (default: "Planning").
    """

    def __init__(self, title: str = "Planning") -> None:
        self.title = title
        self.line = ""
        self.state: SolveState | None = None
        self.done = False
        self._handle = None
        self._printing = False

    # Progress lines (planner.run's ``progress``) ---------------------------------------------
    def __call__(self, line: str) -> None:
        self.line = line
        self._show()

    # The solver's figures (called by the ticker with each line it says) --------------------
    def solver_state(self, state: SolveState) -> None:
        self.state = state
        self.done = state.finished
        self._show()

    def html(self) -> str:
        """The bar as HTML (what the notebook shows)."""
        s = self.state
        if self.done or (s is not None and s.time_limit):
            value = 1.0 if self.done else min(s.seconds / s.time_limit, 1.0)
            bar = f'<progress style="width:28em" max="1" value="{value:.3f}"></progress>'
        else:  # no solve yet, or no time limit to fill towards: a moving, indeterminate bar
            bar = '<progress style="width:28em"></progress>'
        return (
            '<div class="planner-progress" style="font-family:sans-serif;font-size:13px">'
            f"<div><b>{escape(self.title)}</b></div>{bar}"
            f'<div class="planner-progress-figures">{escape(self._figures())}</div>'
            f'<div class="planner-progress-line" style="color:#555">{escape(self.line)}</div>'
            "</div>"
        )

    def _figures(self) -> str:
        s = self.state
        if s is None:
            return ""
        of = f" of {s.time_limit:g} s" if s.time_limit else ""
        parts = [f"{s.seconds:.0f} s{of}"]
        if s.plan is not None:
            parts.append(f"best plan £{s.plan / 1e6:,.2f} m")
        if s.gap is not None:
            parts.append(f"gap {s.gap:.2%}")
        return ", ".join(parts)

    def _show(self) -> None:
        if self._printing:
            print(self.line, flush=True)
            return
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:
            get_ipython = None
        if get_ipython is None or get_ipython() is None:
            self._printing = True  # not in IPython: plain lines
            print(self.line, flush=True)
            return
        if self._handle is None:
            self._handle = display(HTML(self.html()), display_id=True)
        else:
            self._handle.update(HTML(self.html()))
