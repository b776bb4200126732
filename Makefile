# tlsdump: passive TLS dissector.
#   make            build the release binary (installs libpcap-dev and the codec libraries when missing)
#   make demo       build, then tell the story of the bundled IIS renegotiation capture
#   make test       unit, corpus and real-peer tests (what CI runs)
#   make bench      three files (handshake-dense, bulk, QUIC): throughput and memory beside a raw libpcap loop, ndpiReader, ssldump, tshark
#   make bench-scale throughput and peak RSS at 100, 10,000 and 100,000 concurrent connections (bench/scale.sh)
#   make bench-live replay a benchmark capture onto lo at rising rates, count what live capture saw and dropped
#   make captures   regenerate captures/ from real OpenSSL and GnuTLS peers on loopback (root)
#   make fuzz       libFuzzer + ASan over every parser (Fuzz/), FUZZ_SECONDS per target
#   make fuzz-smoke the same, FUZZ_SMOKE_SECONDS (60) per target, two at a time (CI runs it)
#   make test-asan  the whole test suite under AddressSanitizer (.build-asan)
#   make test-tsan  the pipeline tests under ThreadSanitizer (.build-tsan)
#   make microbench microbenchmarks of the record parser, reassembler and JSON writer (Benchmarks/)
#   make install    install tlsdump, its man page and bash/zsh/fish completions into $(PREFIX)

PREFIX ?= /usr/local
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
# Release builds link the Swift runtime and Foundation in: the binary runs
# where no Swift toolchain is installed, and skips the dynamic linker's
# symbol lookups and the thread-local lookups of exclusivity checks
# (callgrind, 100k packets: 9% fewer instructions on bulk traffic, 3% on
# handshakes). Costs size: 65 MB stripped instead of 6 MB. The bench
# scripts build the same way (they read RELEASE_FLAGS).
RELEASE_FLAGS ?= --static-swift-stdlib
export RELEASE_FLAGS
DEMO_CAPTURE ?= captures/iis-renegotiation-tls10.pcap

# Debian packages the build and the tests use: libpcap for reading captures,
# zlib, zstd, xz (lzma) and lz4 for reading them compressed (the tools of the
# same names compress captures in the tests), brotli (with zlib and zstd) for
# compressed certificates (RFC 8879),
# OpenSSL/GnuTLS/tcpdump as real peers in the integration tests (gcc and the
# GnuTLS headers build captures/tools/gnutls-reneg-server.c, an IIS-like server;
# the OpenSSL headers build captures/tools/openssl-resuming-renegotiation.c, a client
# whose renegotiation resumes its session, which s_client cannot do;
# GNU time measures peak memory in the resource-attack tests; pip installs
# aioquic, the QUIC peers of QUICLivePeerTests, from PyPI, and tlslite-ng with
# brotli and zstandard, the peers that compress certificates (RFC 8879) in
# CertificateCompressionPeerTests (Debian's GnuTLS is built without); headless Chromium
# opens the --report pages in HTMLReportTests; tshark reads back the pcapng
# that -w writes for capture files of different link types, which libpcap cannot;
# gzip, zstd, xz and lz4 compress captures for CompressedInputTests; ca-certificates is
# the system trust store chains are validated against, whose verdicts FindingsTests expects).
BUILD_PACKAGES = libpcap-dev zlib1g-dev libzstd-dev liblzma-dev liblz4-dev libbrotli-dev pkg-config
# pkg-config names of the libraries in BUILD_PACKAGES: `deps` installs when any is missing.
BUILD_LIBRARIES = libpcap zlib libzstd liblzma liblz4 libbrotlidec
TEST_PACKAGES = openssl gnutls-bin tcpdump gcc libgnutls28-dev libssl-dev time python3-pip chromium tshark gzip zstd xz-utils lz4 postgresql ca-certificates
PIP_TEST_PACKAGES = aioquic tlslite-ng brotli zstandard

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_SMOKE_JOBS ?= 2
# The pipeline tests, threaded ones included, without the long resource-attack
# and mutation sweeps (minutes under TSan, and single-threaded).
TSAN_FILTER ?= PipelineTests.(CLITests|CorpusTests|DecryptionTests|FindingsTests|FingerprintCorpusTests|OutputIntegrityTests|ReadmeTests|ThreadedPipelineTests|UXTests)

.PHONY: all build deps test-deps test test-asan test-tsan demo bench bench-live bench-scale microbench fuzz fuzz-smoke captures client-captures client-catalogue install clean

all: build

deps:
	@pkg-config --exists $(BUILD_LIBRARIES) 2>/dev/null || { \
	  echo "installing $(BUILD_PACKAGES) with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BUILD_PACKAGES) >/dev/null; }

test-deps: deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@python3 -c 'import aioquic, tlslite, brotli, zstandard' 2>/dev/null || { echo "installing $(PIP_TEST_PACKAGES) with pip"; \
	  python3 -m pip install -q $(PIP_TEST_PACKAGES) 2>/dev/null || \
	  python3 -m pip install -q --break-system-packages $(PIP_TEST_PACKAGES); }

build: deps
	$(SWIFT) build -c release --product tlsdump $(RELEASE_FLAGS) $(SWIFT_BUILD_FLAGS)

demo: build
	.build/release/tlsdump -r $(DEMO_CAPTURE)

test: test-deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	$(SWIFT) test --skip-build --disable-swift-testing

# Sanitizer builds use scratch paths of their own. The tests that run the
# tlsdump binary look for .build/debug/tlsdump, so a plain debug build of it
# comes first; OutputIntegrityTests runs the sanitized one beside the tests.
# Leak checking is off: the Swift runtime's caches read as leaks at exit.
test-asan: test-deps
	$(SWIFT) build --product tlsdump $(SWIFT_BUILD_FLAGS)
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan $(SWIFT_BUILD_FLAGS)
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --disable-swift-testing

test-tsan: test-deps
	$(SWIFT) build --product tlsdump $(SWIFT_BUILD_FLAGS)
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan $(SWIFT_BUILD_FLAGS)
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --disable-swift-testing \
	  --filter '$(TSAN_FILTER)'

bench-live: deps
	bash bench/live.sh

bench-scale: deps
	bash bench/scale.sh

bench: deps
	bash bench/run.sh

captures:
	bash captures/generate.sh

# Real client stacks (Debian's) against an IIS-like s_server, in a private network
# namespace (root): captures/clients/CLIENT/SCENARIO.{pcap,keys,report.json}; then
# the client catalogue the binary embeds is regenerated from them.
client-captures:
	bash captures/clients/record.sh
	$(MAKE) client-catalogue

client-catalogue:
	$(SWIFT) build --product tlsdump $(SWIFT_BUILD_FLAGS)
	python3 captures/clients/catalogue.py

fuzz: deps
	bash Fuzz/run.sh $(FUZZ_SECONDS)

# FUZZ_SCRATCH=DIR builds elsewhere than .build-fuzz (beside a running campaign).
fuzz-smoke: deps
	FUZZ_JOBS=$(FUZZ_SMOKE_JOBS) bash Fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

# ordo-one/benchmark, in a package of its own (Benchmarks/Package.swift); results in bench/README.md.
microbench: deps
	$(SWIFT) package --package-path Benchmarks benchmark

# The binary, the man page, and shell completions generated by the binary itself.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 .build/release/tlsdump $(DESTDIR)$(PREFIX)/bin/tlsdump
	install -m 0644 docs/tlsdump.1 $(DESTDIR)$(PREFIX)/share/man/man1/tlsdump.1
	.build/release/tlsdump --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tlsdump
	.build/release/tlsdump --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_tlsdump
	.build/release/tlsdump --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/tlsdump.fish

clean:
	rm -rf .build
