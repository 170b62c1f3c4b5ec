# HazardMon: the commands a new user and CI type. See README.md.
SWIFT ?= swift
HAZARDMON = .build/debug/hazardmon
RELEASE_HAZARDMON = .build/release/hazardmon
DB ?= var/hazardmon.sqlite
PREFIX ?= /usr/local
# The installed binary is built in its own folder, with the Swift runtime linked in, so that it runs
# without the toolchain (deploy/README.md).
INSTALL_BUILD = .build-install

.PHONY: deps build release test run demo bench install clean

## deps: check (and as root, install) the system libraries: PROJ with proj.db, SQLite, pkg-config
deps:
	@scripts/deps.sh

## build: debug build of the hazardmon command
build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## install: release build with the Swift runtime linked statically, checked to need only system
##   libraries, installed as $(DESTDIR)$(PREFIX)/bin/hazardmon
install: deps
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath --scratch-path $(INSTALL_BUILD)
	scripts/check-binary.sh $(INSTALL_BUILD)/release/hazardmon
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(INSTALL_BUILD)/release/hazardmon $(DESTDIR)$(PREFIX)/bin/hazardmon
	@echo "installed $(DESTDIR)$(PREFIX)/bin/hazardmon; next steps: deploy/README.md"

## test: the whole test suite (real SQLite files, real PROJ with proj.db)
test: deps
	$(SWIFT) test

## run: ARGS="sites list --kind flash_flood" make run
run: build
	$(HAZARDMON) --help >/dev/null
	$(HAZARDMON) $(ARGS)

## demo: import the bundled sample county, then list and query it
demo: build
	$(HAZARDMON) sites import sites --db $(DB)
	$(HAZARDMON) sites list --db $(DB) --kind flash_flood --township 龙潭乡
	$(HAZARDMON) sites list --db $(DB) --near 108.10,30.10 --within 5km
	$(HAZARDMON) sites show --db $(DB) DZ500999-0001
	$(HAZARDMON) sites export --db $(DB) --format geojson --out var/sample-county.geojson
	@echo "GeoJSON for QGIS: var/sample-county.geojson"
	$(HAZARDMON) rules check thresholds --sites sites
	$(HAZARDMON) roster check roster --sites sites

## bench: release build; prints ratios measured side by side in one run:
##   PROJ wrapper vs raw C; register import vs ogr2ogr; ingest writer vs raw C SQLite;
##   rule engine vs append-only and rescan baselines;
##   end-to-end HTTP ingest (rules on and off) vs InfluxDB 1.x and the C ceiling
bench:
	@scripts/deps.sh gdal-bin proj-bin influxdb
	$(SWIFT) build -c release
	Benchmarks/proj/run.sh
	Benchmarks/import/run.sh
	Benchmarks/ingest/run.sh
	HAZARDMON=$(RELEASE_HAZARDMON) Benchmarks/rules/run.sh
	Benchmarks/http/run.sh

clean:
	rm -rf .build $(INSTALL_BUILD) var deploy/var
