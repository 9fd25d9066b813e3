# livescore — every task a user or CI needs, one target each. `make help` lists them.

CARGO ?= cargo
BIND  ?= 127.0.0.1:8080
SPEED ?= 10

.PHONY: help run demo admin-demo cluster-demo cluster-check deploy-check build postgres test e2e lint fmt bench bench-tables bench-hub bench-hostile bench-soak bench-cluster compare release clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## release build; server + generator (10x speed) on http://127.0.0.1:8080
	$(CARGO) build --release --locked
	./target/release/livescore --bind $(BIND) --speed $(SPEED)

demo: ## like run, with the generator at 60x so matches fly by
	$(MAKE) run SPEED=60

admin-demo: ## a scripted match driven through the admin CLI, watched by an SSE viewer
	bash scripts/admin-demo.sh

cluster-demo: ## three release nodes on one throwaway PostgreSQL behind nginx on 127.0.0.1:8080 (Ctrl-C stops)
	bash scripts/cluster-demo.sh

cluster-check: ## the cluster demo as a test: through nginx, SIGKILL a node, resume without a gap (debug build)
	bash scripts/cluster-demo.sh --check

deploy-check: ## deploy/nginx.conf over TLS in front of livescore (deploy/livescore.env): SSE, resume, admin WebSocket, X-Forwarded-For
	bash scripts/deploy-check.sh

build: ## debug build
	$(CARGO) build --locked

postgres: ## PostgreSQL's server programs for the cluster tests (Debian's postgresql, installed here when absent)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(echo "installing postgresql (apt-get)..." && apt-get update -qq && \
		 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

test: postgres ## every test: unit, integration (real sockets, a throwaway PostgreSQL), property, cluster, deployment, browser (debug build)
	$(CARGO) test --locked
	$(MAKE) cluster-check
	$(MAKE) deploy-check
	$(MAKE) e2e

e2e: ## browser tests in Debian's Chromium via playwright-core (installed here when absent)
	$(CARGO) build --locked --bin livescore
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
		(echo "installing chromium (apt-get)..." && apt-get update -qq && \
		 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	cd tests/e2e && node run.mjs

lint: ## rustfmt and clippy, warnings as errors
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

fmt: ## format the code
	$(CARGO) fmt

release: ## release build of the server and the load generator
	$(CARGO) build --release --locked --bin livescore --bin loadgen

bench: release postgres ## the benchmark suite (fan-out, idle hold, churn, slow viewers, admin, cluster, nchan peer, hostile clients)
	./target/release/loadgen suite
	./target/release/loadgen hostile
	./target/release/loadgen soak
	./target/release/loadgen tables

bench-tables: release ## the league table and a team page under 32 fans asking at once, against the snapshot
	./target/release/loadgen tables

bench-cluster: release postgres ## cluster mode on a throwaway PostgreSQL: durable admin, cross-node delay, 3-node fan-out
	./target/release/loadgen cluster

bench-soak: release ## simulated weeks at top speed: snapshot size and RSS per simulated day
	./target/release/loadgen soak

bench-hostile: release ## memory under 1 000 non-reading resumers and 100 stalled admins
	./target/release/loadgen hostile

compare: release ## the four transports on the same feed -> docs/transports.md + .svg
	./target/release/loadgen compare

bench-hub: ## hub fan-out: events/s sustained with 1 000 SSE viewers
	$(CARGO) bench --locked --bench hub_fanout

clean:
	$(CARGO) clean
