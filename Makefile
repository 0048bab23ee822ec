# liberty-checkpoint: build, generate, test and demo.
#
#   make demo    the whole job end to end on the built-in sample (installs what it needs);
#                ROOTLESS=1: as an ordinary user with rootless Podman
#   make test    every test: Go (unit, go-plugin, grpcurl, Podman + CRIU), shims, images
#   make bench   cold start versus restore, side by side (after make demo)
#   make gradle-shim   the Gradle plugin jar, installed in ~/.m2 (pluginManagement { mavenLocal() })
#   make test-gradle     its unit and TestKit tests (liberty-gradle-plugin 3.4.1 included), its compile against the
#                        Gradle 8 API and of the Kotlin DSL fixture, and the sample on Podman, pushed to a test
#                        registry, with its Kubernetes YAML (GRADLE_REAL_CHAIN=0: without)
#   make maven-shim    the Maven plugin jar, installed in ~/.m2 (mvn liberty:checkpoint-image)
#   make test-maven      shim-core's and its tests, invoker tests (the goal prefix on Maven 3.8 and 3.9, liberty:dev
#                        for real), a Jakarta EE war on Podman, pushed to a test registry, with its Kubernetes
#                        YAML (MAVEN_REAL_CHAIN=0: without)
#
# The Podman bindings build without cgo with these tags; every go command here uses them.
GO_TAGS     := remote,containers_image_openpgp,exclude_graphdriver_btrfs,exclude_graphdriver_devicemapper
export GOFLAGS := -buildvcs=false -tags=$(GO_TAGS)
export CGO_ENABLED := 0
GOBIN       := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X github.com/liberty-checkpoint/liberty-checkpoint/host/cli.Version=$(VERSION) -X main.version=$(VERSION)
BIN         := bin
MODULE      := github.com/liberty-checkpoint/liberty-checkpoint

.PHONY: all setup build probes cross gen check-gen lint test test-go test-race fuzz test-engine shim-core test-gradle gradle-shim test-maven maven-shim demo bench bench-catalog clean sample base-local sample-image

all: build

## setup: install and configure what builds and tests need on this machine (idempotent)
setup:
	@hack/setup-host.sh

## build: the CLI and the plugin, side by side in bin/
build: $(BIN)/liberty-checkpoint $(BIN)/liberty-checkpoint-plugin

$(BIN)/liberty-checkpoint: FORCE
	go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./host/cmd/liberty-checkpoint

$(BIN)/liberty-checkpoint-plugin: FORCE probes
	go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./plugin/cmd/liberty-checkpoint-plugin

## probes: doctor's in-container probe (plugin/cmd/lcp-probe) as a static Linux executable per
## architecture, gzipped into plugin/internal/probebin/bin/, which every plugin build embeds: a
## plugin on macOS, Windows or either Linux probes a Podman host of either architecture
PROBE_DIR    := plugin/internal/probebin/bin
PROBE_ARCHES := amd64 arm64
probes:
	@for a in $(PROBE_ARCHES); do \
	  GOOS=linux GOARCH=$$a go build -trimpath -ldflags '-s -w' -o $(PROBE_DIR)/linux-$$a ./plugin/cmd/lcp-probe && \
	  gzip -9 -n -f $(PROBE_DIR)/linux-$$a || exit 1; \
	done

## cross: the CLI and the plugin for every platform the shims carry, in out/cross/<os>-<arch>/
## (build only, all platforms in parallel; part of make test)
CROSS_DIR       := out/cross
CROSS_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
cross: probes
	LDFLAGS='$(LDFLAGS)' hack/cross.sh $(CROSS_DIR) $(CROSS_PLATFORMS)

FORCE:

## gen: regenerate gen/ from proto/ (protoc + pinned protoc-gen-go and protoc-gen-go-grpc), with
## the descriptor set with the proto's comments that serve's reflection hands to grpcurl describe;
## and from the settings table (host/settings): contract/settings.json and SETTINGS.md, the
## settings table in README.md, the Maven goals' parameters and the Gradle extension; and kube's copy
## of containers/common's default seccomp profile (built on Linux only there, embedded for every host)
GENERATED := gen/ contract/ README.md maven-shim/src/main/java/ gradle-shim/src/main/java/ plugin/internal/kube/runtime-default.json
gen:
	protoc -I proto \
	  --go_out=. --go_opt=module=$(MODULE) \
	  --go-grpc_out=. --go-grpc_opt=module=$(MODULE) \
	  --include_source_info --descriptor_set_out=gen/libertycheckpoint/v1/libertycheckpoint.protoset \
	  proto/libertycheckpoint/v1/libertycheckpoint.proto
	go run ./host/settings/gen
	go run ./plugin/internal/kube/gendefault

## check-gen: fail when the committed generated code differs from what make gen writes
check-gen: gen
	@git diff --exit-code --stat -- $(GENERATED) || { echo "generated files are stale: run make gen and commit" >&2; exit 1; }
	@test -z "$$(git status --porcelain -- $(GENERATED))" || { git status --porcelain -- $(GENERATED); echo "untracked generated files: run make gen and commit" >&2; exit 1; }

## lint: go vet, gofmt, shellcheck
lint:
	go vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	shellcheck $$(git ls-files '*.sh' .ci/run beta-image/standin/yum)

## demo: the main job end to end on the sample: InstantOn image, cold start versus restore.
## ROOTLESS=1: the same as the ordinary user make setup prepares (rootless Podman; hack/rootless.sh)
ROOTLESS ?=
demo: setup build sample base-local
	$(if $(filter 1,$(ROOTLESS)),hack/rootless.sh demo,hack/demo.sh)

## test: everything, as CI runs it (the Go tests once, under the race detector)
test: setup check-gen lint build cross test-race test-gradle test-maven

# -p 1: the Podman tests (beta-image, engine, doctor, e2e, bench) check that they leave no containers
# or images behind; run side by side, each would see the others' and the 2 cores would be
# oversubscribed. -timeout 30m: the first package to need the local base image builds it (a few
# minutes on a fresh machine), and bench's smoke run then takes two more; go test's default is 10m.
## test-go: every Go test, without cgo (quick; make test runs test-race instead)
test-go:
	go test -count=1 -p 1 -timeout 30m ./...

## test-race: every Go test under the race detector, which needs cgo (gcc, from make setup; the
## Podman bindings build with cgo thanks to the exclude_graphdriver tags in GO_TAGS). The binaries
## the tests build stay static (CGO_ENABLED=0). All packages, the real Podman chains included:
## they spend their time in Podman, CRIU and Java, so the detector adds about a tenth.
test-race:
	@command -v gcc >/dev/null || { echo "test-race needs gcc for cgo: run make setup" >&2; exit 1; }
	CGO_ENABLED=1 go test -race -count=1 -p 1 -timeout 30m ./...

## fuzz: run every Go fuzz target (go test -list Fuzz) for FUZZTIME each. A failing input is
## written to its package's testdata/fuzz, which plain go test (and so CI) replays: commit it with
## the fix and a regular test case.
FUZZTIME  ?= 30s
FUZZFLAGS ?=
fuzz:
	@set -e; for pkg in $$(go list ./...); do \
	  for fn in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "==> $$fn ($$pkg, $(FUZZTIME))"; \
	    go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg; \
	  done; \
	done

## sample: the built-in sample app, sample/target/sample.war (GET /sample/hello on port 9080)
sample:
	cd sample && mvn -q package

## base-local: the local-flavor base image (Debian forky + HotSpot + criu 4.2.1 + Open Liberty
## from Maven Central); needs no container registry. LIBERTY_VERSION / LIBERTY_FEATURES select
## what goes in (see beta-image/local/context.sh); the first run takes about two minutes.
BASE_LOCAL_IMAGE ?= localhost/open-liberty:local-checkpoint
base-local: build
	LCP_CLI=$(BIN)/liberty-checkpoint beta-image/local/build.sh $(BASE_LOCAL_IMAGE)

## sample-image: the sample's app image on the local base (checkpoint it with WLP_CHECKPOINT)
SAMPLE_IMAGE ?= localhost/liberty-checkpoint-sample:app
sample-image: sample base-local
	podman build -q --layers=false --build-arg BASE_IMAGE=$(BASE_LOCAL_IMAGE) -t $(SAMPLE_IMAGE) sample >/dev/null
	@echo "$(SAMPLE_IMAGE)"

## bench: what InstantOn buys, measured side by side in one run (bench/README.md says how to read it):
## for the sample and bench/catalog, time to first response (cold start, restore, floors), the first
## 1,000 requests after each, memory, where a restore spends its time, the tool's
## pipeline versus a podman script, go-plugin launch, checkpoint size versus RSS, and rootless versus
## rootful Podman on the sample (as root, with the user make setup prepares: build and start-up
## times, storage drivers; -rootless=false leaves it out). Writes
## out/bench/report.md, startup.png and samples.json. BENCH_ROUNDS rounds; BENCH_FLAGS more flags
## (bin/lcp-bench -h lists them). make test runs a one-round smoke run (bench/smoke_test.go), no times asserted.
BENCH_ROUNDS ?= 5
BENCH_FLAGS  ?=
bench: build sample bench-catalog base-local
	go build -o $(BIN)/lcp-bench ./bench
	$(BIN)/lcp-bench -rounds $(BENCH_ROUNDS) -cli $(BIN)/liberty-checkpoint -base-image $(BASE_LOCAL_IMAGE) $(BENCH_FLAGS)

## bench-catalog: the bench's second workload (JAX-RS + CDI + JSON-B), bench/catalog/target/catalog.war
bench-catalog:
	cd bench/catalog && mvn -q package

## test-engine: only the Podman engine's tests (real Podman and CRIU; CI=1 makes a missing Podman fail)
test-engine:
	go test -count=1 -v ./plugin/internal/podman/


# CI (CI set, .ci/run) must not skip: the real chains cannot be switched off there.
ifneq ($(CI),)
ifneq ($(or $(GRADLE_REAL_CHAIN),1),1)
$(error CI must not skip: GRADLE_REAL_CHAIN=$(GRADLE_REAL_CHAIN) would leave out the Gradle real chain; unset it)
endif
ifneq ($(or $(MAVEN_REAL_CHAIN),1),1)
$(error CI must not skip: MAVEN_REAL_CHAIN=$(MAVEN_REAL_CHAIN) would leave out the Maven real chain; unset it)
endif
endif

# The binaries the shims publish and pin (hack/bundle.sh): release is every platform of make cross,
# one zip per classifier (io.libertycheckpoint:liberty-checkpoint-binaries:<version>:zip:<classifier>);
# test is this host's zip only, the real CLI with the fake engine's plugin (go-plugin for real, no
# Podman), which the shims' tests resolve and run.
BUNDLE          := $(CURDIR)/out/bundle
HOST_PLATFORM   := $(shell go env GOOS)-$(shell go env GOARCH)
HOST_CLASSIFIER := $(subst arm64,aarch_64,$(subst amd64,x86_64,$(subst darwin,osx,$(HOST_PLATFORM))))

.PHONY: bundle-release bundle-test
bundle-release: cross
	hack/bundle.sh $(BUNDLE)/release $(CROSS_DIR)

bundle-test: $(BIN)/liberty-checkpoint $(BIN)/test/liberty-checkpoint-plugin
	rm -rf $(BUNDLE)/test-src && mkdir -p $(BUNDLE)/test-src/$(HOST_PLATFORM)
	cp $(BIN)/liberty-checkpoint $(BIN)/test/liberty-checkpoint-plugin $(BUNDLE)/test-src/$(HOST_PLATFORM)/
	hack/bundle.sh $(BUNDLE)/test $(BUNDLE)/test-src

# What the Maven and Gradle real chains need from Go to test shipping: the test registry (TLS,
# htpasswd), the pushed digest read back by digest, kube's YAML decoded strictly.
$(BIN)/lcp-shiptest: FORCE
	go build -trimpath -o $@ ./plugin/internal/shiptest

# The fake engine as a plugin binary: what the shims' tests bundle next to the real CLI.
$(BIN)/test/liberty-checkpoint-plugin: FORCE
	go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./plugin/enginetest/fakeplugin

# The Gradle plugin (gradle-shim/), built and tested with Debian's Gradle 4.4.1 (hack/setup-host.sh);
# its jar carries shim-core's (built by Maven, with Gson shaded in).
GRADLE            ?= gradle
GRADLE_FLAGS      ?= --no-daemon --console=plain
# 1: test-gradle also runs the real chain: the plugin is published to $(GRADLE_M2), and
# gradle-shim/sample resolves it from there and, with bin/liberty-checkpoint and the real Podman
# engine plugin beside it as its executable, builds the InstantOn image on
# GRADLE_REAL_CHAIN_BASE_IMAGE (default: the sample's baseImage), restores it and gets HTTP 200.
GRADLE_REAL_CHAIN ?= 1
GRADLE_REAL_CHAIN_BASE_IMAGE ?=
GRADLE_M2         := $(CURDIR)/gradle-shim/build/test-m2

## shim-core: shim-core's jar (the Java core both plugins carry; Gson shaded in), in shim-core/target
shim-core:
	$(MVN) $(MVN_FLAGS) -q -pl shim-core -am -DskipTests package

## gradle-shim: the Gradle plugin jar and every platform's binaries (make cross), installed in ~/.m2
gradle-shim: bundle-release shim-core
	cd gradle-shim && $(GRADLE) $(GRADLE_FLAGS) -PbundleDir=$(BUNDLE)/release publishToMavenLocal

## test-gradle: the Gradle plugin's unit and TestKit tests (real CLI + fake engine plugin over go-plugin)
test-gradle: bundle-test shim-core $(if $(filter 1,$(GRADLE_REAL_CHAIN)),build base-local $(BIN)/lcp-shiptest)
	cd gradle-shim && $(GRADLE) $(GRADLE_FLAGS) check -PbundleDir=$(BUNDLE)/test \
	  $(if $(filter 1,$(GRADLE_REAL_CHAIN)),-PrealChain -Dmaven.repo.local=$(GRADLE_M2) -PrealChainShiptest=$(CURDIR)/$(BIN)/lcp-shiptest \
	    $(if $(GRADLE_REAL_CHAIN_BASE_IMAGE),-PrealChainBaseImage=$(GRADLE_REAL_CHAIN_BASE_IMAGE)))

# The Maven reactor (pom.xml: shim-core and maven-shim/), with Debian's Maven 3.8.7 and Java 17
# (hack/setup-host.sh): batch mode, no transfer progress; the test run keeps Maven's INFO lines so
# the Surefire, Invoker and Failsafe summaries show.
MVN              ?= mvn
MVN_FLAGS        ?= -B -ntp
# 1 (default): test-maven also runs maven-shim/src/it/real-chain: mvn package liberty:checkpoint-image
# liberty:checkpoint-restore liberty:checkpoint-push liberty:checkpoint-kube on a war, with bin/'s
# real CLI and Podman engine plugin, on MAVEN_REAL_CHAIN_BASE_IMAGE; the restored server must answer
# HTTP 200, and the push goes to a test registry (bin/lcp-shiptest). 0: no Podman needed.
MAVEN_REAL_CHAIN ?= 1
MAVEN_REAL_CHAIN_BASE_IMAGE ?= $(BASE_LOCAL_IMAGE)

## maven-shim: the Maven plugin jar and every platform's binaries (make cross), installed in ~/.m2
maven-shim: bundle-release
	$(MVN) $(MVN_FLAGS) -q -Dlcp.bundle.dir=$(BUNDLE)/release -DskipTests -Dinvoker.skip install

## test-maven: shim-core's and the Maven plugin's unit and integration tests (real Maven on fixture projects)
test-maven: bundle-test $(if $(filter 1,$(MAVEN_REAL_CHAIN)),build base-local $(BIN)/lcp-shiptest)
	$(MVN) $(MVN_FLAGS) -Dlcp.bundle.dir=$(BUNDLE)/test -Dlcp.it.classifier=$(HOST_CLASSIFIER) \
	  $(if $(filter 1,$(MAVEN_REAL_CHAIN)),-Preal-chain -Dlcp.real.baseImage=$(MAVEN_REAL_CHAIN_BASE_IMAGE)) clean verify

clean:
	rm -rf $(BIN) out sample/target bench/catalog/target gradle-shim/build gradle-shim/.gradle maven-shim/target shim-core/target
