# media.h — make demo · make test · make bench · make fuzz · make deps
# Everything is built by the scripts below from media.h; nothing here needs configuring.
STRICT ?= 0
FUZZ_SECONDS ?= 5
FUZZ_LONG_SECONDS ?= 60

.PHONY: all demo examples test bench fuzz deps clean

# media_opus.h with libopus when pkg-config finds it, built without it otherwise
OPUS_CFLAGS := $(shell pkg-config --cflags opus 2>/dev/null || echo -DMEDIA_OPUS_NO_LIBOPUS)
OPUS_LIBS := $(shell pkg-config --libs opus 2>/dev/null)
# media_srtp.h with libsrtp2 likewise (mediacall)
SRTP_CFLAGS := $(shell pkg-config --cflags libsrtp2 2>/dev/null || echo -DMEDIA_SRTP_NO_LIBSRTP)
SRTP_LIBS := $(shell pkg-config --libs libsrtp2 2>/dev/null)

all: test

# A whole call on loopback between two sessions: prompt, DTMF, recording, statistics.
demo:
	@mkdir -p build && $(CC) -std=c99 -O2 -Wall -Wextra -I. $(OPUS_CFLAGS) examples/demo.c -o build/demo $(OPUS_LIBS) -lm && ./build/demo

# announce, echo, quality_monitor, epoll_many, libuv_many (needs libuv1-dev) -> build/examples/;
# the tools (mediacall, conference, bridge) -> build/tools/
EXAMPLES = announce echo quality_monitor epoll_many demo
examples:
	@mkdir -p build/examples build/tools && for e in $(EXAMPLES); do \
	  $(CC) -std=c99 -O2 -Wall -Wextra -I. $(OPUS_CFLAGS) examples/$$e.c -o build/examples/$$e $(OPUS_LIBS) -lm || exit 1; done && \
	$(CC) -std=c99 -O2 -Wall -Wextra -I. examples/libuv_many.c -o build/examples/libuv_many $$(pkg-config --libs libuv) -lm && \
	$(CC) -std=c99 -O2 -Wall -Wextra -I. $(OPUS_CFLAGS) $(SRTP_CFLAGS) tools/mediacall.c -o build/tools/mediacall $(OPUS_LIBS) $(SRTP_LIBS) -lm && \
	for t in conference bridge; do \
	  $(CC) -std=c99 -O2 -Wall -Wextra -I. $(OPUS_CFLAGS) tools/$$t.c -o build/tools/$$t $(OPUS_LIBS) -lm || exit 1; done && \
	echo "built: $(EXAMPLES) libuv_many (build/examples/), mediacall conference bridge (build/tools/)"

test:
	@MEDIA_STRICT=$(STRICT) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/run.sh

bench:
	@sh bench/run.sh

fuzz:
	@FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) sh fuzz/run.sh

# Debian packages the project needs to build and test (run as root).
DEPS = gcc g++ clang libclang-rt-14-dev make binutils valgrind gawk tshark ffmpeg libspandsp-dev \
       gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
       python3-gi gir1.2-gstreamer-1.0 iproute2 nftables libuv1-dev pkg-config libopus-dev libsrtp2-dev baresip-core \
       espeak-ng
deps:
	@if [ "$$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEPS) && \
	echo "make deps: installed or already there: $(DEPS)"

clean:
	rm -rf build
