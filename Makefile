# mig — build, test, demo and install.
#
# `make` builds ./mig; `make test` installs what a fresh Debian 12 machine lacks, builds, starts a
# throw-away PostgreSQL when the tests need one, and runs every suite (plain and under ASan+UBSan).
# Sources are found by wildcard so that adding a file under lib/, cmd/ or tests/ needs no edit here.

PREFIX  ?= /usr/local
CC      ?= cc
PKGS     = sqlite3 libpq yaml-0.1 libcrypto
CFLAGS  ?= -O2 -g
BUILD   ?= build
# Flags mig always needs, kept apart from CFLAGS so that `make CFLAGS=...` (the sanitizer build) keeps them.
MIG_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter -Ilib -Icmd -I$(BUILD)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# mig does not link libpq: lib/pq_load.c dlopen()s it on the first PostgreSQL URL (dlopen is in
# glibc's libc since 2.34). Only the test suites, which query PostgreSQL themselves, link it.
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libpq,$(PKGS)) 2>/dev/null)
PQ_LIBS    = $(shell pkg-config --libs libpq 2>/dev/null)
CR_CFLAGS  = $(shell pkg-config --cflags criterion 2>/dev/null)
CR_LIBS    = $(shell pkg-config --libs criterion 2>/dev/null)

LIB_SRC  = $(sort $(wildcard lib/*.c))
CMD_SRC  = $(filter-out cmd/mig.c,$(sort $(wildcard cmd/*.c)))
TPL_SRC  = $(BUILD)/templates.c
TEST_SRC = $(sort $(wildcard tests/test_*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  = $(CMD_SRC:%.c=$(BUILD)/%.o) $(BUILD)/templates.o
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEMPLATES = $(sort $(wildcard migrations-template/*))
MIG_VERSION = 0.1.0

.PHONY: all deps test check-deps unit e2e asan valgrind demo install clean bench fuzz
all: check-deps mig

# Installs the Debian packages the build and the tests need, when run as root; otherwise prints the
# command. Runs before anything is compiled so that a fresh machine gets one clear message.
check-deps:
	@tools/deps.sh

mig: $(BUILD)/cmd/mig.o $(CMD_OBJ) $(BUILD)/libmig.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(BUILD)/libmig.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard lib/*.h cmd/*.h) | $(BUILD)/templates.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MIG_CFLAGS) $(PKG_CFLAGS) -DMIG_VERSION='"$(MIG_VERSION)"' -c -o $@ $<

# The files `mig init` writes are embedded in the binary, so an installed mig needs no data files.
$(BUILD)/templates.c $(BUILD)/templates.h: $(TEMPLATES) tools/embed.sh
	@mkdir -p $(BUILD)
	tools/embed.sh $(BUILD)/templates $(TEMPLATES)

$(BUILD)/templates.o: $(BUILD)/templates.c
	$(CC) $(CFLAGS) $(MIG_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c tests/helpers.c tests/helpers.h $(CMD_OBJ) $(BUILD)/libmig.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MIG_CFLAGS) $(PKG_CFLAGS) $(CR_CFLAGS) -Itests -DMIG_VERSION='"$(MIG_VERSION)"' -o $@ $< tests/helpers.c $(CMD_OBJ) $(BUILD)/libmig.a $(PKG_LIBS) $(PQ_LIBS) $(CR_LIBS) $(LDFLAGS)

tests-build: mig $(TEST_BIN)

# The whole suite: plain build, then the same suite under AddressSanitizer + UBSan in build-asan/,
# then one valgrind run of the end-to-end flow. PostgreSQL is started by tools/with-pg.sh if present.
test: check-deps
	@$(MAKE) --no-print-directory tests-build
	@tools/run-tests.sh $(BUILD)
	@$(MAKE) --no-print-directory asan
	@tools/valgrind-flow.sh

unit: tests-build
	@tools/run-tests.sh $(BUILD)

valgrind: mig
	@tools/valgrind-flow.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/mig-asan
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 MIG_BIN=$(CURDIR)/build-asan/mig-asan tools/run-tests.sh build-asan

build-asan/mig-asan: $(BUILD)/cmd/mig.o $(CMD_OBJ) $(BUILD)/libmig.a $(TEST_BIN)
	$(CC) $(CFLAGS) -o $@ $(BUILD)/cmd/mig.o $(CMD_OBJ) $(BUILD)/libmig.a $(PKG_LIBS) $(LDFLAGS)

demo: all
	@tools/demo.sh

bench: all
	@bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 mig $(DESTDIR)$(PREFIX)/bin/mig

clean:
	rm -rf build build-asan mig

# ---- fuzz: libFuzzer targets (fuzz/fuzz_*.c) --------------------------------------------------
# `make fuzz` builds every target under build-fuzz/ (clang, ASan + UBSan + libFuzzer; never mixed
# with build/ or build-asan/) and runs each for FUZZ_SECONDS (`make fuzz FUZZ_SECONDS=5` for a
# quick run, 0 to replay the corpus only). It fails when any target finds a crash, a leak or
# undefined behaviour; the input is left in build-fuzz/artifacts/. Seeds: fuzz/corpus/<target>/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_DIR      = build-fuzz
FUZZ_CFLAGS   = -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined -std=c11 \
                -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter -Ilib
FUZZ_SRC      = $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN      = $(FUZZ_SRC:fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_LIB_OBJ  = $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o)

.PHONY: fuzz-build fuzz-clean

fuzz: fuzz-build
	@tools/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-build: $(FUZZ_BIN)

$(FUZZ_DIR)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS) \
	    -DMIG_VERSION='"$(MIG_VERSION)"' -c -o $@ $<

$(FUZZ_DIR)/libmig.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DIR)/libmig.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $< \
	    $(FUZZ_DIR)/libmig.a $(PKG_LIBS)

fuzz-clean:
	rm -rf $(FUZZ_DIR)

clean: fuzz-clean
# ---- end of fuzz --------------------------------------------------------------------------------
