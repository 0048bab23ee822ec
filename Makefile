# liberty-checkpoint: build, generate, test and demo.
#
#   make demo    the whole job end to end on the built-in sample (installs what it needs)
#   make test    every test: Go (unit, go-plugin, grpcurl, Podman + CRIU), shims, images
#   make bench   cold start versus restore, side by side (after make demo)
#
# The Podman bindings build without cgo with these tags; every go command here uses them.
GO_TAGS     := remote,containers_image_openpgp,exclude_graphdriver_btrfs,exclude_graphdriver_devicemapper
export GOFLAGS := -buildvcs=false -tags=$(GO_TAGS)
export CGO_ENABLED := 0
GOBIN       := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X github.com/liberty-checkpoint/liberty-checkpoint/host/cli.Version=$(VERSION)
BIN         := bin
MODULE      := github.com/liberty-checkpoint/liberty-checkpoint

.PHONY: all setup build gen check-gen lint test test-go test-maven maven-shim demo bench clean

all: build

## setup: install and configure what builds and tests need on this machine (idempotent)
setup:
	@hack/setup-host.sh

## build: the CLI and the plugin, side by side in bin/
build: $(BIN)/liberty-checkpoint $(BIN)/liberty-checkpoint-plugin

$(BIN)/liberty-checkpoint: FORCE
	go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./host/cmd/liberty-checkpoint

$(BIN)/liberty-checkpoint-plugin: FORCE
	go build -trimpath -ldflags '$(LDFLAGS)' -o $@ ./plugin/cmd/liberty-checkpoint-plugin

FORCE:

## gen: regenerate gen/ from proto/ (protoc + pinned protoc-gen-go and protoc-gen-go-grpc)
gen:
	protoc -I proto \
	  --go_out=. --go_opt=module=$(MODULE) \
	  --go-grpc_out=. --go-grpc_opt=module=$(MODULE) \
	  proto/libertycheckpoint/v1/libertycheckpoint.proto

## check-gen: fail when the committed generated code differs from what make gen writes
check-gen: gen
	@git diff --exit-code --stat -- gen/ || { echo "gen/ is stale: run make gen and commit" >&2; exit 1; }
	@test -z "$$(git status --porcelain -- gen/)" || { git status --porcelain -- gen/; echo "gen/ has untracked files: run make gen and commit" >&2; exit 1; }

## lint: go vet, gofmt, shellcheck
lint:
	go vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	shellcheck $$(git ls-files '*.sh' .ci/run)

## test: everything, as CI runs it
test: setup check-gen lint build test-go test-maven

test-go:
	go test -count=1 ./...

# Maven shim (maven-shim/): batch mode, no transfer progress. The test run keeps Maven's INFO lines
# so the Surefire, Failsafe and Invoker summaries show; the jar build is quiet.
MVN              ?= mvn
MVN_FLAGS        ?= -B -ntp
MAVEN_TEST_BIN   := out/maven-test-bin
# 1 adds the real-chain integration test (maven-shim/src/it/real-chain: Podman + CRIU on the local
# base image, the restored server answers HTTP); it runs bin/liberty-checkpoint with the real plugin.
MAVEN_REAL_CHAIN ?= 0

## maven-shim: the Maven plugin jar carrying bin/liberty-checkpoint and bin/liberty-checkpoint-plugin, installed into ~/.m2
maven-shim: build
	$(MVN) $(MVN_FLAGS) -q -f maven-shim/pom.xml -Dlcp.bin.dir=$(abspath $(BIN)) -DskipTests -Dinvoker.skip install

## test-maven: the Maven shim's unit and integration tests (real Maven on fixture projects). The jar under
## test carries the real CLI and plugin/enginetest/fakeplugin as its plugin: go-plugin for real, no Podman.
test-maven: $(BIN)/liberty-checkpoint $(if $(filter 1,$(MAVEN_REAL_CHAIN)),$(BIN)/liberty-checkpoint-plugin)
	mkdir -p $(MAVEN_TEST_BIN)
	cp $(BIN)/liberty-checkpoint $(MAVEN_TEST_BIN)/liberty-checkpoint
	go build -trimpath -o $(MAVEN_TEST_BIN)/liberty-checkpoint-plugin ./plugin/enginetest/fakeplugin
	$(MVN) $(MVN_FLAGS) -f maven-shim/pom.xml -Dlcp.bin.dir=$(abspath $(MAVEN_TEST_BIN)) \
	  $(if $(filter 1,$(MAVEN_REAL_CHAIN)),-Preal-chain) clean verify

clean:
	rm -rf $(BIN) out maven-shim/target
