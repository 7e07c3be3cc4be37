# Shortcuts for the local Docker stack (compose/docker-compose.yml) and the tests.
# `make` or `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

COMPOSE_FILE_PATH := compose/docker-compose.yml
ENV_FILE          := compose/.env
ENV_EXAMPLE       := compose/.env.example
PROJECT           ?= ingestion-observability

# `docker compose` (v2 plugin) when present, else docker-compose (v1.29+). Override with COMPOSE_CMD=...
COMPOSE_CMD ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
# compose/docker-compose.override.yml (git-ignored, e.g. to mount routes/ for live reload) is used when present.
COMPOSE_FILES := -f $(COMPOSE_FILE_PATH) $(if $(wildcard compose/docker-compose.override.yml),-f compose/docker-compose.override.yml)
COMPOSE     := $(COMPOSE_CMD) -p $(PROJECT) --env-file $(ENV_FILE) $(COMPOSE_FILES)

# Host ports, as published by the compose file (same defaults as compose/.env.example).
CONSUMER_URL   ?= http://localhost:8000
GRAFANA_URL    ?= http://localhost:3000
KAFKA_UI_URL   ?= http://localhost:8080
PROMETHEUS_URL ?= http://localhost:9090
ALERTMANAGER_URL ?= http://localhost:9093
LOKI_HOST_URL  ?= http://localhost:3100
UP_TIMEOUT     ?= 240

OPEN := $(shell command -v xdg-open 2>/dev/null || command -v open 2>/dev/null)

.PHONY: help up down health ingest metrics open-grafana open-kafka-ui test test-stack clean

help: ## List the targets with a one-line description
	@echo "Usage: make <target>"
	@echo
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*?## "} {printf "  %-15s %s\n", $$1, $$2}'

# compose/.env is git-ignored: created once from the example, with a random Grafana admin password.
$(ENV_FILE):
	@pw=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))' 2>/dev/null || head -c 18 /dev/urandom | base64 | tr -d '/+='); \
	sed "s/^GRAFANA_ADMIN_PASSWORD=.*/GRAFANA_ADMIN_PASSWORD=$$pw/" $(ENV_EXAMPLE) > $(ENV_FILE); \
	chmod 600 $(ENV_FILE); \
	echo "Created $(ENV_FILE) from $(ENV_EXAMPLE); Grafana admin password: $$pw"

up: $(ENV_FILE) ## Build the image, start the whole stack and wait until the consumer is healthy
	$(COMPOSE) up -d --build
	@echo "Waiting up to $(UP_TIMEOUT)s for the consumer to report UP at $(CONSUMER_URL)/health ..."
	@for i in $$(seq 1 $(UP_TIMEOUT)); do \
	  if curl -fsS -o /dev/null --max-time 2 $(CONSUMER_URL)/health; then echo "Stack is up."; \
	    echo "  Grafana    $(GRAFANA_URL)"; echo "  Prometheus $(PROMETHEUS_URL)"; echo "  Kafka UI   $(KAFKA_UI_URL)"; \
	    echo "Next: make ingest"; exit 0; fi; \
	  sleep 1; \
	done; \
	echo "The consumer did not become healthy in $(UP_TIMEOUT)s; see: $(COMPOSE) logs consumer" >&2; \
	$(COMPOSE) ps; exit 1

down: $(ENV_FILE) ## Stop and remove the stack's containers (data volumes are kept)
	$(COMPOSE) --profile tools down --remove-orphans

health: $(ENV_FILE) ## Show container states and probe every service's health endpoint on its published port
	@$(COMPOSE) ps
	@rc=0; \
	for probe in "consumer $(CONSUMER_URL)/health" "prometheus $(PROMETHEUS_URL)/-/ready" \
	             "alertmanager $(ALERTMANAGER_URL)/-/ready" "loki $(LOKI_HOST_URL)/ready" \
	             "grafana $(GRAFANA_URL)/api/health" "kafka-ui $(KAFKA_UI_URL)/actuator/health"; do \
	  set -- $$probe; \
	  code=$$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$$2"); \
	  if [ "$$code" = "200" ]; then printf '  %-13s OK    %s\n' "$$1" "$$2"; \
	  else printf '  %-13s FAIL  %s (HTTP %s)\n' "$$1" "$$2" "$${code:-none}"; rc=1; fi; \
	done; \
	exit $$rc

ingest: $(ENV_FILE) ## Publish logs.json once with the producer (profile tools, REBASE_TIMESTAMPS=true) and print its summary
	$(COMPOSE) --profile tools run --rm producer

metrics: ## Print the pipeline's own metrics (ingestion_*, kafka_consumer_lag_sum) from the consumer
	@curl -fsS --max-time 5 $(CONSUMER_URL)/metrics | grep -E '^(# (HELP|TYPE) )?(ingestion_|kafka_consumer_lag)' \
	  || { echo "No metrics at $(CONSUMER_URL)/metrics (is the stack up? make up)" >&2; exit 1; }

open-grafana: ## Open Grafana (dashboard "Dashboard Grafana Ingestion") in a browser
	@echo "$(GRAFANA_URL)  (user/password: GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD in $(ENV_FILE))"
	@$(if $(OPEN),$(OPEN) $(GRAFANA_URL) >/dev/null 2>&1 || true,true)

open-kafka-ui: ## Open Kafka UI (topics ingestion-logs and ingestion-logs.dlq) in a browser
	@echo "$(KAFKA_UI_URL)"
	@$(if $(OPEN),$(OPEN) $(KAFKA_UI_URL) >/dev/null 2>&1 || true,true)

test: ## Run the project's test suite (bash scripts/test.sh)
	bash scripts/test.sh

test-stack: ## Check SPEC §9 figures against the running stack (after one `make ingest` into a fresh stack)
	bash scripts/test-stack.sh

clean: ## Remove the stack with its data volumes and the build output (target/)
	-@if [ -f $(ENV_FILE) ]; then $(COMPOSE) --profile tools down -v --remove-orphans; \
	  else $(COMPOSE_CMD) -p $(PROJECT) --env-file $(ENV_EXAMPLE) $(COMPOSE_FILES) --profile tools down -v --remove-orphans; fi
	rm -rf target
