# Kaha: the two commands that matter are `make run` and `make test`; each sets up what is missing first.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint typecheck contracts pytest bench soak mutate screenshot setup sandbox bundle clean golden

setup:
	@bash scripts/bootstrap.sh

run: setup
	@$(PY) -m pos_app $(ARGS)

sandbox: setup
	@$(PY) -m pos_sandbox $(ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

contracts: setup
	$(VENV)/bin/lint-imports

pytest: setup
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -m "not slow" -p no:cacheprovider

test: lint typecheck contracts pytest

bench: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# Rewrite the golden print files (tests/golden) after a deliberate change to a document;
# review `git diff tests/golden` before committing.
golden: setup
	KAHA_UPDATE_GOLDEN=1 QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider tests/unit/printing/test_golden.py

soak: setup
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -m slow -p no:cacheprovider

# Mutation testing of the core, module by module, one worker (not part of `make test`;
# see docs/mutation.md). `make mutate ARGS="--only money attempt"` for a few modules.
mutate: setup
	QT_QPA_PLATFORM=offscreen nice -n 10 $(PY) scripts/mutate.py $(ARGS)

screenshot: setup
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) -m pos_app --screenshot docs/screenshots

bundle: setup
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN build.spec
	QT_QPA_PLATFORM=offscreen dist/kaha/kaha --smoke-test

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist *.egg-info
