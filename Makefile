# tlsdump: passive TLS dissector.
#   make            build the release binary (installs libpcap-dev when missing)
#   make demo       build, then tell the story of the bundled IIS renegotiation capture
#   make test       unit, corpus and real-peer tests (what CI runs)
#   make bench      throughput and memory beside a raw libpcap loop, ssldump and tshark
#   make captures   regenerate captures/ from real OpenSSL and GnuTLS peers on loopback (root)
#   make install    install tlsdump into $(PREFIX)/bin

PREFIX ?= /usr/local
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
DEMO_CAPTURE ?= captures/iis-renegotiation-tls10.pcap

# Debian packages the build and the tests use: libpcap for reading captures,
# OpenSSL/GnuTLS/tcpdump as real peers in the integration tests (gcc and the
# GnuTLS headers build captures/tools/gnutls-reneg-server.c, an IIS-like server).
BUILD_PACKAGES = libpcap-dev pkg-config
TEST_PACKAGES = openssl gnutls-bin tcpdump gcc libgnutls28-dev

.PHONY: all build deps test-deps test demo bench captures install clean

all: build

deps:
	@pkg-config --exists libpcap 2>/dev/null || { \
	  echo "installing $(BUILD_PACKAGES) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BUILD_PACKAGES) >/dev/null; }

test-deps: deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

build: deps
	$(SWIFT) build -c release --product tlsdump $(SWIFT_BUILD_FLAGS)

demo: build
	.build/release/tlsdump -r $(DEMO_CAPTURE)

test: test-deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	$(SWIFT) test --skip-build --disable-swift-testing

bench: deps
	bash bench/run.sh

captures:
	bash captures/generate.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 .build/release/tlsdump $(DESTDIR)$(PREFIX)/bin/tlsdump

clean:
	rm -rf .build
