# bobsync - GNU make.  `make`, `make check`, `make demo`; see README.md.

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
SHAREDIR  ?= $(PREFIX)/share/bobsync
UNITDIR   ?= $(PREFIX)/lib/systemd/system
INSTALL   ?= install
PKG_CONFIG ?= pkg-config
CC        ?= cc
BUILD     ?= build

CORE_PKGS = libcurl jansson libsodium sqlite3 libmicrohttpd
UI_PKGS   = ncursesw
TEST_PKGS = cmocka

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wpointer-arith -Wcast-align -Wwrite-strings -Wvla \
       -Wundef -Wnull-dereference -Wimplicit-fallthrough -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN += -Werror
endif

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 $(WARN) -fstack-protector-strong
CPPFLAGS += -D_GNU_SOURCE -DBOBSYNC_VERSION=\"$(VERSION)\" -MMD -MP
# Test hooks (BOBSYNC_KDF, BOBSYNC_FAKE_NOW) are compiled into what `make`
# and `make tests` build, which the test suites run; `make install` installs
# $(BUILD)/release/bobsync, the same objects but util.c and vault.c built
# without them.
TEST_HOOKS ?= 1
ifeq ($(TEST_HOOKS),1)
CPPFLAGS += -DBOBSYNC_TEST_HOOKS
endif
ifdef SAN
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# The core library as the fuzz harnesses link it (make fuzz sets FUZZ=1).
ifdef FUZZ
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
CPPFLAGS += -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
endif

# libcurl and libmicrohttpd are compiled against but not linked: bobsync opens
# them when a command first uses them (core/net/lazylib.c), so the commands
# that only read local files do not load the ~30 libraries they bring.
LAZY_PKGS  = libcurl libmicrohttpd
LINK_PKGS  = $(filter-out $(LAZY_PKGS),$(CORE_PKGS))
# their sonames, as the installed development files name them
lib_soname = $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1) 2>/dev/null)/$(2).so" \
               2>/dev/null | sed -n 's/^ *SONAME *//p')
CURL_SONAME ?= $(or $(call lib_soname,libcurl,libcurl),libcurl.so.4)
MHD_SONAME  ?= $(or $(call lib_soname,libmicrohttpd,libmicrohttpd),libmicrohttpd.so.12)

CORE_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS   := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null) -ldl -lpthread -lm
UI_CFLAGS   := $(shell $(PKG_CONFIG) --cflags $(UI_PKGS) 2>/dev/null || echo -D_XOPEN_SOURCE=600)
UI_LIBS     := $(shell $(PKG_CONFIG) --libs $(UI_PKGS) 2>/dev/null || echo -lncursesw)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null || echo -lcmocka)

ifeq ($(V),1)
Q =
else
Q = @
endif

CORE_SRC = $(sort $(wildcard core/*/*.c))
UI_SRC   = $(sort $(wildcard ui/*.c))
APP_SRC  = $(sort $(wildcard app/*.c))
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
UI_OBJ   = $(UI_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  = $(APP_SRC:%.c=$(BUILD)/%.o)
CORE_LIB = $(BUILD)/libbobsync.a

UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPERS = $(sort $(wildcard tests/unit/helper_*.c))
UNIT_HELPER_OBJ = $(UNIT_HELPERS:%.c=$(BUILD)/%.o)

FUZZ_BUILD   = build-fuzz
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)

BIN = bobsync
# The TUI benchmark (frame and filter times), built when tests/bench/bench_ui.c exists.
BENCH_BIN = $(if $(wildcard tests/bench/bench_ui.c),$(BUILD)/bench_ui) $(BUILD)/bench_json

.PHONY: all deps check test tests asan valgrind fuzz fuzz-build fuzz-corpus bench bench-bulk bench-plan bench-machine demo install uninstall \
        clean lint-man lint check-layers help
all: $(BIN)

help:
	@echo "make            build ./bobsync"
	@echo "make check      install what is missing, build with -Werror, run every test"
	@echo "make demo       start the sandbox company and open the TUI on it"
	@echo "make asan       build and run the unit tests with ASan+UBSan"
	@echo "make valgrind   run the unit tests under valgrind"
	@echo "make fuzz       build the libFuzzer harnesses and run each briefly"
	@echo "make fuzz-corpus  run every fuzz seed once (part of make check)"
	@echo "make lint       layering, style and shellcheck (part of make check)"
	@echo "make bench      measure speed and memory at 1k, 10k, 100k people"
	@echo "make bench-plan the roster plan at 100k and 1M people (medians of 5)"
	@echo "make bench-machine  the cost of a first-touched page and of a system call"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=..."

deps:
	@./.ci/deps.sh

$(BUILD)/core/%.o: core/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CORE_CFLAGS) -Icore -c $< -o $@

# The systemd unit, as a C string for 'bobsync enable systemd' (core/admin/service.c).
$(BUILD)/gen/bobsync_unit.h: app/systemd/bobsync.service.in
	@mkdir -p $(@D)
	$(Q)sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(BUILD)/core/admin/service.o: $(BUILD)/gen/bobsync_unit.h
$(BUILD)/core/admin/service.o: CPPFLAGS += -I$(BUILD)/gen
$(BUILD)/core/net/lazylib.o: CPPFLAGS += -DBOBSYNC_CURL_SONAME=\"$(CURL_SONAME)\" \
    -DBOBSYNC_MHD_SONAME=\"$(MHD_SONAME)\"

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(UI_CFLAGS) $(CORE_CFLAGS) -Icore -c $< -o $@

$(BUILD)/app/%.o: app/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(UI_CFLAGS) $(CORE_CFLAGS) -Icore -Iui -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(UI_CFLAGS) $(CORE_CFLAGS) $(TEST_CFLAGS) -DUNITTEST -Icore -Iui -Itests/unit -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $(CORE_OBJ)

$(BIN): $(APP_OBJ) $(UI_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(APP_OBJ) $(UI_OBJ) $(CORE_LIB) $(UI_LIBS) $(CORE_LIBS) $(LDLIBS)

# Unit tests link the core library; tests named test_ui_* also link ui/.
$(BUILD)/tests/test_ui_%: $(BUILD)/tests/unit/test_ui_%.o $(UI_OBJ) $(UNIT_HELPER_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UI_LIBS) $(TEST_LIBS) $(CORE_LIBS)

# test_app_output also links the command line's output module.
$(BUILD)/tests/test_app_output: $(BUILD)/tests/unit/test_app_output.o $(BUILD)/app/output.o \
    $(UNIT_HELPER_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(CORE_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(UNIT_HELPER_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(CORE_LIBS)

# JSON read throughput of a saved people search answer (tests/bench/json_rows.py).
$(BUILD)/bench_json: tests/bench/bench_json.c $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CORE_CFLAGS) -Icore $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

$(BUILD)/bench_ui: tests/bench/bench_ui.c $(UI_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(UI_CFLAGS) $(CORE_CFLAGS) -Icore -Iui $(LDFLAGS) -o $@ $^ \
		$(UI_LIBS) $(CORE_LIBS)

# What the machine charges for memory touched the first time and for a
# system call (tests/bench/bench_machine.c; no project code).
$(BUILD)/bench_machine: tests/bench/bench_machine.c
	@$(if $(Q),echo "  LD      $@")
	$(Q)mkdir -p $(BUILD)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The installed binary: no test hooks.
RELEASE_SRC = core/base/util.c core/config/vault.c
RELEASE_OBJ = $(RELEASE_SRC:%.c=$(BUILD)/release/%.o)
$(BUILD)/release/core/%.o: core/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (release)")
	$(Q)$(CC) $(filter-out -DBOBSYNC_TEST_HOOKS,$(CPPFLAGS)) $(CFLAGS) $(CORE_CFLAGS) -Icore -c $< -o $@

$(BUILD)/release/bobsync: $(APP_OBJ) $(UI_OBJ) $(RELEASE_OBJ) \
		$(filter-out $(RELEASE_SRC:%.c=$(BUILD)/%.o),$(CORE_OBJ))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UI_LIBS) $(CORE_LIBS) $(LDLIBS)

unit-tests: $(UNIT_BIN)
tests: $(BIN) $(UNIT_BIN)

# The layering rule: core/ compiles without any curses flag or header.
check-layers:
	@./tests/lint/layers.sh

lint-man:
	@mandoc -Tlint -W warning man/bobsync.1

# The house rules a machine can check: shellcheck over every shell script
# (tests, CI) and tests/lint/style.sh over the sources (docs/HACKING.md).
SHELL_SCRIPTS = $(sort $(wildcard tests/*.sh tests/*/*.sh .ci/*.sh) .ci/run)
lint: check-layers lint-man
	@shellcheck -s sh -S warning $(SHELL_SCRIPTS)
	@./tests/lint/style.sh

check: deps
	$(Q)$(MAKE) --no-print-directory WERROR=1 tests
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory fuzz-corpus
	$(Q)BUILD=$(BUILD) ./tests/run.sh

test: tests
	$(Q)BUILD=$(BUILD) ./tests/run.sh

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan SAN=1 WERROR=1 unit-tests
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		BUILD=build-asan ./tests/run.sh --unit

valgrind: tests
	$(Q)BUILD=$(BUILD) VALGRIND=1 ./tests/run.sh --unit

# libFuzzer harnesses: the core library is rebuilt with clang and the
# fuzzer/ASan/UBSan instrumentation under $(FUZZ_BUILD)/, then each
# harness runs for FUZZ_SECONDS from the seed corpus in tests/fuzz/corpus.
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libbobsync.a
	@$(if $(Q),echo "  FUZZ-LD $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
		$(CORE_CFLAGS) -Icore $< $(FUZZ_BUILD)/libbobsync.a $(CORE_LIBS) -o $@

fuzz-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) FUZZ=1 \
		$(FUZZ_BUILD)/libbobsync.a
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: deps fuzz-build
	$(Q)FUZZ_BUILD=$(FUZZ_BUILD) ./tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# Every seed of every harness once (-runs=0): the regression pass of make
# check.  Skipped, with a note, when $(FUZZ_CC) cannot build a libFuzzer
# harness (clang or libclang-rt missing).
fuzz-corpus:
	$(Q)if printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
		$(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(BUILD)/.fuzz-probe >/dev/null 2>&1; then \
		rm -f $(BUILD)/.fuzz-probe; \
		$(MAKE) --no-print-directory fuzz-build && \
		FUZZ_BUILD=$(FUZZ_BUILD) ./tests/fuzz/run.sh 0 $(FUZZ_BIN); \
	else \
		echo "fuzz corpus: $(FUZZ_CC) cannot build libFuzzer harnesses here; skipped"; \
	fi

# Speed and memory at 1,000, 10,000 and 100,000 people against the sandbox;
# writes tests/bench/RESULTS.md.  BENCH_SIZES=1000,10000 for a shorter run.
BENCH_SIZES ?= 1000,10000,100000
bench: deps
	$(Q)$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	$(Q)./tests/bench/bench.py --sizes $(BENCH_SIZES) --passphrase
	$(Q)./tests/bench/json_rows.py
	$(Q)./tests/bench/store_rows.py
	$(Q)./tests/bench/webhook_latency.py

# A first roster sync with SCIM Bulk at 1,000 and 100,000 people against the
# sandbox's /Bulk at Alleo's pace (issue 18 point 3), and the same sync into
# a CSV file; prints the rows that tests/bench/RESULTS.md records.  Not part
# of `make bench` or CI.
bench-bulk: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)./tests/bench/bulk_sync.py

# The roster plan and the employee preview at 100,000 and 1,000,000 people,
# as JSON and as tables, and a roster dry run (medians of 5; one run at a
# million), BENCH_BEFORE=path/to/older/bobsync to run an older build side by
# side.  Prints markdown rows.
bench-plan: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)./tests/bench/plan_rows.py $(if $(BENCH_BEFORE),--before $(BENCH_BEFORE))

# The cost of first-touched memory and of a system call on this machine
# (the first rows of RESULTS.md's "sixth round"); MB=200 by default.
bench-machine: $(BUILD)/bench_machine
	$(Q)$(BUILD)/bench_machine $(MB)

demo: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)./tests/sandbox/demo.sh

install: $(BUILD)/release/bobsync
	$(INSTALL) -m 0755 -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SHAREDIR)
	$(INSTALL) -m 0755 $(BUILD)/release/bobsync $(DESTDIR)$(BINDIR)/$(BIN)
	$(INSTALL) -m 0644 man/bobsync.1 $(DESTDIR)$(MANPREFIX)/man1/bobsync.1
	sed 's|@BINDIR@|$(BINDIR)|g' app/systemd/bobsync.service.in > $(BUILD)/bobsync.service
	$(INSTALL) -m 0644 $(BUILD)/bobsync.service $(DESTDIR)$(UNITDIR)/bobsync.service
	$(INSTALL) -m 0644 app/systemd/passphrase.conf app/systemd/bobsync.cron \
		$(DESTDIR)$(SHAREDIR)/

uninstall:
	$(RM) $(DESTDIR)$(BINDIR)/$(BIN) $(DESTDIR)$(MANPREFIX)/man1/bobsync.1 \
		$(DESTDIR)$(UNITDIR)/bobsync.service $(DESTDIR)$(SHAREDIR)/passphrase.conf \
		$(DESTDIR)$(SHAREDIR)/bobsync.cron
	-rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null

clean:
	$(RM) -r build build-asan build-fuzz $(BIN)

-include $(CORE_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(RELEASE_OBJ:.o=.d) $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d)
