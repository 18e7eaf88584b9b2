# Chorus — see README.md. Every target works on a fresh Debian machine after `make deps`.
GO        ?= go
BIN       := bin
SERVER    := $(BIN)/chorus-server
ADDR      ?= 127.0.0.1:8080
# Debian packages the project needs: ffmpeg (probe benchmarks, test files),
# PostgreSQL client tools, and the C toolchain, GL and X11 headers that Fyne's
# desktop driver builds against; Xvfb for real-window screenshots.
APT_PACKAGES := ffmpeg postgresql-client gcc pkg-config libgl1-mesa-dev xorg-dev xvfb

.PHONY: deps server run test test-race lint bench fuzz clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "Debian packages present: $(APT_PACKAGES)"; fi
	$(GO) mod download

server:
	$(GO) build -o $(SERVER) ./backend/cmd/chorus-server

# The whole product on its embedded defaults: SQLite in ./.chorus-data, demo
# data, fake TikTok and push services.
run: server
	$(SERVER) serve --demo --addr $(ADDR)

test:
	$(GO) test -count=1 ./...

test-race:
	$(GO) test -count=1 -race ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt wants to rewrite:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Benchmarks print each figure beside a ceiling measured in the same run.
bench:
	$(GO) run ./backend/cmd/chorus-bench

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzActivityInput -fuzztime 60s ./backend/internal/httpapi

clean:
	rm -rf $(BIN) .chorus-data
