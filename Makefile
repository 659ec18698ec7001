# Fresh-machine commands (see README):
#   make run    set everything up, then plan England's network on the embedded data (maps under maps/)
#   make test   set everything up, then run the whole test suite (what CI runs, via .ci/run)
#   make notebooks  execute the notebooks in place: they are committed with their outputs

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser run test lint bench notebooks clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Maps are checked in a real headless Chromium: Debian's package, not a browser download.
browser:
	@if command -v chromium >/dev/null 2>&1; then \
		echo "chromium: $$(chromium --version 2>/dev/null)"; \
	else \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null && \
		echo "installed $$(chromium --version)"; \
	fi

run: setup
	$(BIN)/planner run scenarios/england_baseline.toml --out out/england_baseline --map maps/england_baseline.html

test: setup browser
	$(BIN)/ruff check planner tests benchmarks geodata
	$(BIN)/ruff format --check --quiet planner tests benchmarks geodata
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: setup
	$(BIN)/ruff check planner tests benchmarks geodata
	$(BIN)/ruff format --check planner tests benchmarks geodata

bench: setup browser
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/network_baseline.py
	$(BIN)/python benchmarks/network_lsoa_scale.py
	$(BIN)/python benchmarks/christie_alliance.py
	$(BIN)/python benchmarks/classic_vs_spopt.py
	$(BIN)/python benchmarks/travel_time_error.py
	$(BIN)/python benchmarks/report_html.py
	$(BIN)/python benchmarks/map_weight.py
	$(BIN)/python benchmarks/sweep_dask.py

# The notebooks are committed executed (README, Notebooks): run after changing one.
notebooks: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=900 notebooks/*.ipynb

clean:
	rm -rf $(VENV) out .pytest_cache
