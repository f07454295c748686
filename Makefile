# Switchboard — `make run` serves the desk with its worker and beat; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.base

.PHONY: run test bench install lint format migrate seed check-deploy clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed: $(BIN)/python requirements/base.txt requirements/dev.txt
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

# The web app, a Celery worker and beat in one terminal; Ctrl-C stops all three.
run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-1} PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		ALLOWED_HOSTS=desk.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles
