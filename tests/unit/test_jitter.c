/* The jitter buffer on small hand-built sequences with exact expectations:
   which frames come out when, which are reported lost, late or duplicate, and
   what the counters say. Virtual time only; no timing assertions. */
#include "../../media.h"
#include "../harness.h"
#include <math.h>
#include <stddef.h>

static media_jitter jb;
static uint8_t payload[2000];
#define T0 10000000ull   /* a microsecond clock that does not start at 0 */
#define MS 1000ull

static void setup(uint32_t fixed_ms, uint32_t max_ms)
{
    media_jitter_config cfg;
    media_jitter_config_init(&cfg);
    cfg.fixed_delay_ms = fixed_ms;
    cfg.max_delay_ms = max_ms;
    CHECK_EQ_INT(media_jitter_init(&jb, &cfg), MEDIA_OK);
}

static int put_full(uint16_t seq, uint32_t ts, uint64_t at, int marker, uint32_t ssrc, size_t len)
{
    media_rtp_packet p;
    memset(&p, 0, sizeof p);
    p.version = 2;
    p.seq = seq;
    p.timestamp = ts;
    p.ssrc = ssrc;
    p.marker = (uint8_t)marker;
    p.payload_type = 0;
    payload[0] = (uint8_t)seq;   /* the payload says which packet it is */
    payload[1] = (uint8_t)(seq >> 8);
    p.payload = payload;
    p.payload_len = len;
    return media_jitter_put(&jb, &p, at);
}
static int put(uint16_t seq, uint32_t ts, uint64_t at) { return put_full(seq, ts, at, 0, 0xABCD, 160); }

/* everything due at now, as a string: "F100 L101 G N" (F frame, L lost, I inserted, G gap) */
static const char *drain(uint64_t now)
{
    static char buf[4096];
    media_jitter_frame f;
    int rc, n = 0;
    buf[0] = 0;
    while ((rc = media_jitter_get(&jb, now, &f)) != MEDIA_JITTER_NONE && n < 4000) {
        if (rc == MEDIA_JITTER_FRAME) {
            CHECK(f.len >= 2 && (uint16_t)(f.payload[0] | f.payload[1] << 8) == f.seq);
            n += sprintf(buf + n, "%sF%u", n ? " " : "", (unsigned)f.seq);
        } else if (rc == MEDIA_JITTER_LOST) {
            n += sprintf(buf + n, "%s%c%u", n ? " " : "", f.flags & MEDIA_JITTER_INSERTED ? 'I' : 'L', (unsigned)f.seq);
        } else {
            n += sprintf(buf + n, "%sG", n ? " " : "");
        }
    }
    return buf;
}

static void stats(media_jitter_stats *st) { media_jitter_stats_get(&jb, st); }

/* every packet put is played, late, duplicate, dropped, flushed, refused or still queued */
static int accounted(void)
{
    media_jitter_stats st;
    stats(&st);
    return st.packets == st.played + st.late + st.duplicates + st.overflow + st.dropped + st.flushed + st.rejected + st.queued;
}

static void test_in_order(void)
{
    int i;
    setup(40, 200);
    CHECK(strcmp(drain(T0), "") == 0);                     /* nothing yet */
    CHECK_EQ_INT(put(100, 1000, T0), MEDIA_JITTER_QUEUED);
    CHECK(strcmp(drain(T0 + 39999), "") == 0);             /* due 40 ms after the first arrival */
    CHECK(strcmp(drain(T0 + 40 * MS), "F100") == 0);
    for (i = 1; i < 10; i++) {
        CHECK_EQ_INT(put((uint16_t)(100 + i), 1000u + 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS), MEDIA_JITTER_QUEUED);
        CHECK(strcmp(drain(T0 + (uint64_t)i * 20 * MS + 40 * MS - 1), "") == 0);
        {
            char want[16];
            sprintf(want, "F%d", 100 + i);
            CHECK(strcmp(drain(T0 + (uint64_t)i * 20 * MS + 40 * MS), want) == 0);
        }
    }
    {
        media_jitter_stats st;
        stats(&st);
        CHECK(st.played == 10 && st.lost == 0 && st.late == 0 && st.gap == 0 && st.queued == 0);
        CHECK(st.delay_us == 40000 && st.target_us == 40000);
    }
    CHECK(accounted());
}

static void test_frame_fields(void)
{
    media_jitter_frame f;
    setup(40, 200);
    put_full(7, 555, T0, 1, 1, 160);
    CHECK_EQ_INT(media_jitter_get(&jb, T0 + 40 * MS, &f), MEDIA_JITTER_FRAME);
    CHECK(f.seq == 7 && f.timestamp == 555 && f.samples == 160 && f.len == 160 && f.marker == 1 &&
          (f.flags & MEDIA_JITTER_TALKSPURT));
    /* the payload is a copy: the caller's buffer can change */
    CHECK(f.payload != payload && f.payload[0] == 7);
    CHECK_EQ_INT(media_jitter_get(&jb, T0 + 40 * MS, &f), MEDIA_JITTER_NONE);
}

static void test_reorder_duplicate_loss_late(void)
{
    media_jitter_stats st;
    setup(40, 200);
    put(1, 0, T0);
    put(3, 320, T0 + 40 * MS);          /* 3 before 2 */
    put(2, 160, T0 + 41 * MS);
    CHECK_EQ_INT(put(2, 160, T0 + 42 * MS), MEDIA_JITTER_DUPLICATE);
    CHECK(strcmp(drain(T0 + 40 * MS), "F1") == 0);
    CHECK(strcmp(drain(T0 + 60 * MS), "F2") == 0);
    CHECK(strcmp(drain(T0 + 80 * MS), "F3") == 0);
    CHECK_EQ_INT(put(1, 0, T0 + 85 * MS), MEDIA_JITTER_DUPLICATE);    /* already played */
    /* 4 is lost: 5 is here when 4 is due */
    put(5, 640, T0 + 80 * MS);
    CHECK(strcmp(drain(T0 + 100 * MS), "L4") == 0);
    CHECK(strcmp(drain(T0 + 120 * MS), "F5") == 0);
    /* 6 comes after its time: 7 was here, so 6 was reported lost, then it is late */
    put(7, 960, T0 + 120 * MS);
    CHECK(strcmp(drain(T0 + 140 * MS), "L6") == 0);
    CHECK_EQ_INT(put(6, 800, T0 + 145 * MS), MEDIA_JITTER_LATE);
    CHECK(strcmp(drain(T0 + 160 * MS), "F7") == 0);
    stats(&st);
    CHECK(st.played == 5 && st.lost == 2 && st.late == 1 && st.duplicates == 2 && st.queued == 0);
    CHECK(accounted());
}

static void test_wrap(void)
{
    /* sequence 65534..3 and timestamps across 2^32 */
    uint32_t ts = 0xFFFFFF00u;
    int i;
    char got[256] = "";
    setup(40, 200);
    for (i = 0; i < 6; i++) {
        put((uint16_t)(65534 + i), ts + 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS);
        strcat(got, drain(T0 + (uint64_t)i * 20 * MS + 40 * MS));
        strcat(got, " ");
    }
    CHECK(strcmp(got, "F65534 F65535 F0 F1 F2 F3 ") == 0);
    {
        media_jitter_frame f;
        put(4, ts + 960, T0 + 120 * MS);
        CHECK(media_jitter_get(&jb, T0 + 160 * MS, &f) == MEDIA_JITTER_FRAME && f.timestamp == ts + 960 && f.seq == 4);
    }
}

static void test_dtx_silence(void)
{
    /* a talkspurt, 1 s of silence (consecutive sequence numbers, timestamps jump),
       the next talkspurt with the marker: the silence is not loss */
    media_jitter_stats st;
    int i, gaps = 0;
    setup(40, 200);
    for (i = 0; i < 3; i++) put((uint16_t)(10 + i), 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS);
    put_full(13, 480 + 8000, T0 + 1060 * MS, 1, 0xABCD, 160);
    for (i = 0; i < 3; i++) CHECK(drain(T0 + 40 * MS + (uint64_t)i * 20 * MS)[0] == 'F');
    for (i = 3; i < 53; i++) {
        const char *s = drain(T0 + 40 * MS + (uint64_t)i * 20 * MS);
        gaps += strcmp(s, "G") == 0;
    }
    CHECK_EQ_INT(gaps, 50);
    CHECK(strcmp(drain(T0 + 40 * MS + 53 * 20 * MS), "F13") == 0);
    stats(&st);
    CHECK(st.lost == 0 && st.gap == 50 && st.silence == 50 && st.late == 0);
    CHECK(accounted());
}

static void test_gap_then_loss(void)
{
    /* nothing arrives for a while and the next packet shows one was lost: the
       gap frames were a loss, not silence */
    media_jitter_stats st;
    setup(40, 200);
    put(1, 0, T0);
    CHECK(strcmp(drain(T0 + 40 * MS), "F1") == 0);
    CHECK(strcmp(drain(T0 + 60 * MS), "G") == 0);          /* 2 missing, nothing behind it yet */
    put(3, 320, T0 + 70 * MS);
    CHECK(strcmp(drain(T0 + 80 * MS), "F3") == 0);
    stats(&st);
    CHECK(st.gap == 1 && st.silence == 0);
}

static void test_ssrc_change(void)
{
    /* a new source plays within the delay, not seconds later */
    media_jitter_stats st;
    int i;
    setup(40, 200);
    for (i = 0; i < 5; i++) put((uint16_t)i, 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS);
    CHECK(strcmp(drain(T0 + 40 * MS), "F0") == 0);
    CHECK(strcmp(drain(T0 + 60 * MS), "F1") == 0);
    CHECK_EQ_INT(put_full(40000, 99999, T0 + 100 * MS, 1, 0x5555, 160), MEDIA_JITTER_RESYNCED);
    put_full(40001, 99999 + 160, T0 + 120 * MS, 0, 0x5555, 160);
    CHECK(strcmp(drain(T0 + 139 * MS), "") == 0);
    CHECK(strcmp(drain(T0 + 140 * MS), "F40000") == 0);
    CHECK(strcmp(drain(T0 + 160 * MS), "F40001") == 0);
    stats(&st);
    CHECK(st.resyncs == 1 && st.flushed == 3);   /* 2, 3 and 4 of the old source were queued */
    CHECK(accounted());
}

static void test_timestamp_jump(void)
{
    /* the far end parks the call and resumes with a timestamp 10 minutes on (or
       back) though only 20 ms passed: start over at the same delay, no lasting
       extra delay and no wait */
    media_jitter_stats st;
    int i;
    setup(40, 200);
    for (i = 0; i < 3; i++) put((uint16_t)i, 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS);
    CHECK(strcmp(drain(T0 + 40 * MS), "F0") == 0);
    CHECK(strcmp(drain(T0 + 60 * MS), "F1") == 0);
    CHECK(strcmp(drain(T0 + 80 * MS), "F2") == 0);
    CHECK_EQ_INT(put(3, 480 + 8000 * 600, T0 + 60 * MS), MEDIA_JITTER_RESYNCED);
    put(4, 480 + 8000 * 600 + 160, T0 + 80 * MS);
    CHECK(strcmp(drain(T0 + 100 * MS), "F3") == 0);
    CHECK(strcmp(drain(T0 + 120 * MS), "F4") == 0);
    CHECK_EQ_INT(put(5, 1000, T0 + 100 * MS), MEDIA_JITTER_RESYNCED);        /* and back */
    CHECK(strcmp(drain(T0 + 140 * MS), "F5") == 0);
    stats(&st);
    CHECK(st.resyncs == 2 && st.delay_us == 40000);
    /* a sequence jump (sender restarted) resyncs too */
    CHECK_EQ_INT(put(30000, 1160, T0 + 120 * MS), MEDIA_JITTER_RESYNCED);
    CHECK(strcmp(drain(T0 + 160 * MS), "F30000") == 0);
}

/* One packet whose timestamp is ahead of its arrival by more than anything
   in the window (forged, garbled, or the first of a sender's jump) is not
   taken on its own word: it neither lowers the smallest transit, so the
   delay never reads over the ceiling, nor, when its timestamp is also
   ahead of its sequence number, holds playout in a made-up silence while
   the real stream goes late behind it. A stream at 40 ms, played every
   20 ms; each case is checked after every get against the ceiling. */
static int64_t worst_over;   /* the most the delay read over the ceiling (+ half a frame) */
static const char *steady(uint32_t from, uint32_t to, int32_t ts_shift, uint64_t late_first)
{
    static char out[8192];
    uint32_t i;
    int n = 0;
    out[0] = 0;
    for (i = from; i < to; i++) {
        media_jitter_stats st;
        uint64_t at = T0 + (uint64_t)i * 20 * MS + 40 * MS + (i == from ? late_first : 0);
        put((uint16_t)i, 160u * i + (uint32_t)ts_shift, at);
        n += snprintf(out + n, sizeof out - (size_t)n, "%s%s", n ? " " : "", drain(at));
        if (n >= (int)sizeof out) n = (int)sizeof out - 1;
        stats(&st);
        if (st.delay_us - st.max_us - 10 * (int64_t)MS > worst_over) worst_over = st.delay_us - st.max_us - 10 * (int64_t)MS;
    }
    return out;
}
static int count_kind(const char *s, char kind)
{
    int n = 0;
    for (; *s; s++) if (*s == kind && (s[1] >= '0' && s[1] <= '9')) n++;
    return n;
}
static void test_outliers(void)
{
    media_jitter_stats st;
    const char *o;
    /* forged: number 101 a second ahead in time, before the real 101 */
    setup(0, 0);
    worst_over = INT64_MIN;
    steady(0, 101, 0, 0);
    CHECK_EQ_INT(put(101, 160u * 101 + 8000, T0 + 100 * 20 * MS + 45 * MS), MEDIA_JITTER_REFUSED);
    o = steady(101, 300, 0, 0);
    stats(&st);
    CHECKF(count_kind(o, 'F') == 199 && count_kind(o, 'L') == 0 && st.late == 0 && st.rejected == 1,
           "after the forged packet: %d played, %d lost, %llu late: %.120s", count_kind(o, 'F'), count_kind(o, 'L'),
           (unsigned long long)st.late, o);
    CHECKF(worst_over <= 0, "delay %lld us over the ceiling", (long long)worst_over);
    CHECK(accounted());
    /* a packet from a second in the future, its timestamp right for its
       number: queued (the real one is then its duplicate), the delay
       estimate untouched */
    setup(0, 0);
    worst_over = INT64_MIN;
    steady(0, 101, 0, 0);
    CHECK_EQ_INT(put(150, 160u * 150, T0 + 100 * 20 * MS + 45 * MS), MEDIA_JITTER_QUEUED);
    o = steady(101, 300, 0, 0);
    stats(&st);
    CHECKF(count_kind(o, 'F') == 199 && count_kind(o, 'L') == 0 && st.duplicates == 1, "%d played, %d lost: %.120s",
           count_kind(o, 'F'), count_kind(o, 'L'), o);
    CHECKF(worst_over <= 0 && st.delay_us < 80 * (int64_t)MS, "delay %lld us (%lld over the ceiling)", (long long)st.delay_us,
           (long long)worst_over);
    /* a sender that really jumps its timestamps 700 ms on (sequence
       continued): the first of the new timeline is lost (and the jump is
       played as a silence, as always for one under the start-over
       threshold), the rest play */
    setup(0, 0);
    worst_over = INT64_MIN;
    steady(0, 100, 0, 0);
    o = steady(100, 300, 8 * 700, 0);
    stats(&st);
    CHECKF(st.rejected == 1 && st.resyncs == 0 && count_kind(o, 'L') == 1 && st.lost == 1 &&
               st.played + st.queued + 1 == st.packets && st.late == 0,
           "%llu refused, %d played, %u queued, %llu late: %.160s", (unsigned long long)st.rejected, count_kind(o, 'F'), st.queued,
           (unsigned long long)st.late, o);
    CHECKF(worst_over <= 0, "delay %lld us over the ceiling", (long long)worst_over);
    CHECK(accounted());
    /* a first packet 100 ms late: the next ones are early against it, in
       their places; nothing refused, lost or late (the delay it left is
       shrunk as any other) */
    setup(0, 0);
    o = steady(0, 300, 0, 100 * MS);
    stats(&st);
    CHECKF(st.rejected == 0 && count_kind(o, 'L') == 0 && st.lost == 0 && st.late == 0,
           "%llu refused, %d played, %u queued, %d lost",
           (unsigned long long)st.rejected, count_kind(o, 'F'), st.queued, count_kind(o, 'L'));
}

/* Timestamps that lie about time, without leaving the stream's place:
   the media clock never goes back and one packet does not set the packet
   time (the ceiling is counted in packets of it). */
static void test_forged_timing(void)
{
    media_jitter_stats st;
    const char *o;
    int64_t lo = INT64_MAX, hi = 0;
    uint32_t i;
    /* number 103 before the real one, carrying 101's timestamp, and 104
       lost: queued in its turn, its time has played when it comes up:
       late (played, it would set the clock back a frame), and the stream
       goes on at its delay */
    setup(0, 0);
    steady(0, 101, 0, 0);
    CHECK_EQ_INT(put(103, 160u * 101, T0 + 100 * 20 * MS + 45 * MS), MEDIA_JITTER_QUEUED);
    o = steady(101, 104, 0, 0);
    lo = count_kind(o, 'L');
    o = steady(105, 300, 0, 0);
    stats(&st);
    CHECKF(lo + count_kind(o, 'L') == 1 && st.late == 1 && st.duplicates == 1 && st.delay_us <= 60 * (int64_t)MS,
           "%lld + %d lost, %llu late, delay %lld us: %.100s", (long long)lo, count_kind(o, 'L'),
           (unsigned long long)st.late, (long long)st.delay_us, o);
    CHECK(accounted());
    lo = INT64_MAX;
    /* number 101 early, its timestamp 4 ms after 100's (a 4 ms packet
       time, were it true): the ceiling stays that of 20 ms packets */
    setup(0, 0);
    steady(0, 101, 0, 0);
    put(101, 160u * 100 + 32, T0 + 100 * 20 * MS + 45 * MS);
    for (i = 101; i < 200; i++) {
        uint64_t at = T0 + (uint64_t)i * 20 * MS + 40 * MS;
        put((uint16_t)i, 160u * i, at);
        drain(at);
        stats(&st);
        if (st.max_us < lo) lo = st.max_us;
        if (st.max_us > hi) hi = st.max_us;
    }
    CHECKF(lo == 960000 && hi == 960000, "the ceiling moved between %lld and %lld us", (long long)lo, (long long)hi);
    /* a stream whose 80-byte packets let the ceiling reach 1.24 s, its
       delay raised there by one packet 1.2 s late, replaced by a stream of
       160-byte packets: the delay it starts at fits that one's ceiling */
    setup(0, 0);
    for (i = 0; i < 100; i++) {
        uint64_t at = T0 + (uint64_t)i * 20 * MS + 40 * MS + (i == 60 ? 1200 * MS : 0);
        put_full((uint16_t)i, 160u * i, at, 0, 0xABCD, 80);
        drain(at);
    }
    stats(&st);
    CHECKF(st.target_us >= 1200000, "target %lld us", (long long)st.target_us);
    CHECK_EQ_INT(put_full(5000, 77, T0 + 100 * 20 * MS + 40 * MS, 1, 0x5555, 160), MEDIA_JITTER_RESYNCED);
    stats(&st);
    CHECKF(st.delay_us <= st.max_us && st.max_us == 960000, "restarted at %lld us under a %lld us ceiling",
           (long long)st.delay_us, (long long)st.max_us);
}

/* The sender restarts its stream under the same SSRC, its sequence numbers
   550 back and its timestamps 1 s back (inside what counts as a jump): those
   packets are late for good. Eight in a row at the stream's pace start the
   stream over from the eighth; the same lateness in a burst after a stall
   (all at once) does not. */
static void test_restart_same_ssrc(void)
{
    media_jitter_stats st;
    int i, rc;
    setup(40, 200);
    for (i = 0; i < 50; i++) {
        put((uint16_t)(1000 + i), 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS);
        drain(T0 + (uint64_t)i * 20 * MS);
    }
    for (i = 0; i < 8; i++) {
        uint64_t at = T0 + (uint64_t)(50 + i) * 20 * MS;
        rc = put((uint16_t)(500 + i), 160u * (uint32_t)(50 + i) - 8000u, at);
        CHECKF(rc == (i < 7 ? MEDIA_JITTER_LATE : MEDIA_JITTER_RESYNCED), "restarted packet %d: put %d", i, rc);
        drain(at);
    }
    stats(&st);
    CHECK(st.resyncs == 1 && st.late == 7);
    /* the eighth plays after the delay, and the stream goes on from it */
    put(508, 160u * 58 - 8000u, T0 + 58 * 20 * MS);
    CHECK(strcmp(drain(T0 + 57 * 20 * MS + 39 * MS), "") == 0);
    CHECK(strcmp(drain(T0 + 57 * 20 * MS + 40 * MS), "F507") == 0);
    CHECK(strcmp(drain(T0 + 58 * 20 * MS + 40 * MS), "F508") == 0);
    CHECK(accounted());

    /* a 400 ms stall: twenty packets at once, the first ones late; no restart */
    setup(40, 200);
    for (i = 0; i < 50; i++) {
        put((uint16_t)(1000 + i), 160u * (uint32_t)i, T0 + (uint64_t)i * 20 * MS);
        drain(T0 + (uint64_t)i * 20 * MS + 40 * MS);
    }
    for (i = 50; i < 70; i++) {
        if (i < 68) drain(T0 + (uint64_t)i * 20 * MS + 40 * MS);   /* concealing: nothing came */
    }
    for (i = 50; i < 70; i++) put((uint16_t)(1000 + i), 160u * (uint32_t)i, T0 + 70 * 20 * MS);
    stats(&st);
    CHECK(st.resyncs == 0 && st.late >= 10);
    CHECK(strstr(drain(T0 + 70 * 20 * MS + 40 * MS), "F1068") != NULL);
    CHECK(accounted());
}

static void test_ptime_change(void)
{
    /* 10 ms packets, then 60 ms packets: durations follow, nothing lost or gapped */
    media_jitter_frame f;
    media_jitter_stats st;
    uint64_t now = T0 + 40 * MS;
    uint32_t ts = 0;
    int i, rc;
    setup(40, 200);
    for (i = 0; i < 4; i++) { put((uint16_t)i, ts, T0 + (uint64_t)i * 10 * MS); ts += 80; }
    for (i = 4; i < 8; i++) { put_full((uint16_t)i, ts, T0 + 40 * MS + (uint64_t)(i - 4) * 60 * MS, 0, 0xABCD, 480); ts += 480; }
    for (i = 0; i < 8; i++) {
        rc = media_jitter_get(&jb, now, &f);
        CHECKF(rc == MEDIA_JITTER_FRAME && f.seq == i, "frame %d: rc %d seq %u", i, rc, f.seq);
        CHECKF(f.samples == (i < 4 ? 80u : 480u) || i == 7, "frame %d: %u samples", i, f.samples);
        now += (uint64_t)f.samples * 1000000 / 8000;
        CHECK_EQ_INT(media_jitter_get(&jb, now - 1, &f), MEDIA_JITTER_NONE);
    }
    stats(&st);
    CHECK(st.lost == 0 && st.gap == 0 && st.played == 8);
}

/* the payload length gives the duration when config.duration says so */
static int g711_samples(const uint8_t *p, size_t len, void *user) { (void)p; (void)user; return (int)len; }
static void test_duration_callback(void)
{
    media_jitter_config cfg;
    media_jitter_frame f;
    media_jitter_config_init(&cfg);
    cfg.fixed_delay_ms = 40;
    cfg.duration = g711_samples;
    media_jitter_init(&jb, &cfg);
    put_full(1, 0, T0, 0, 9, 480);    /* 60 ms, alone in the buffer */
    CHECK(media_jitter_get(&jb, T0 + 40 * MS, &f) == MEDIA_JITTER_FRAME && f.samples == 480);
    CHECK_EQ_INT(media_jitter_get(&jb, T0 + 99 * MS, &f), MEDIA_JITTER_NONE);
    CHECK_EQ_INT(media_jitter_get(&jb, T0 + 100 * MS, &f), MEDIA_JITTER_GAP);
}

/* Sender and receiver clocks 0.1 % apart for a simulated hour, with jitter:
   the buffer neither grows nor drains without bound; it drops or inserts
   about one frame per 1000. Adaptive mode, and fixed mode too. */
static void drift_hour(double ppm, uint32_t fixed_ms)
{
    media_jitter_stats st;
    uint64_t tick, next_pkt = T0, now;
    int64_t max_delay = 0, min_delay = INT64_MAX;
    uint32_t i = 0, max_queued = 0;
    const uint32_t n = 3600 * 50;
    setup(fixed_ms, 300);
    harness_seed(42);
    tick = T0 + 60 * MS;
    while (i < n) {
        /* packets leave the sender every 20 ms of its clock and take 30-45 ms */
        next_pkt = T0 + (uint64_t)((double)i * 20000.0 * (1.0 + ppm * 1e-6));
        now = next_pkt + 30 * MS + harness_rand() % 15000;
        while (tick < now) {
            drain(tick);
            tick += 20 * MS;
        }
        put((uint16_t)i, 160u * i, now);
        i++;
        if (i % 500 == 0) {
            stats(&st);
            if (i > 5000) {
                if (st.delay_us > max_delay) max_delay = st.delay_us;
                if (st.delay_us < min_delay) min_delay = st.delay_us;
            }
            if (st.queued > max_queued) max_queued = st.queued;
        }
    }
    stats(&st);
    CHECKF(max_delay <= 80000 && min_delay >= 0, "%+.0f ppm, fixed %u: delay %lld..%lld us over the hour",
           ppm, fixed_ms, (long long)min_delay, (long long)max_delay);
    CHECKF(max_queued <= 6, "%+.0f ppm: up to %u queued", ppm, max_queued);
    /* 3600 s * 0.1 % = 3.6 s = 180 frames to drop or insert */
    if (ppm < 0) CHECKF(st.dropped >= 150 && st.dropped <= 260, "dropped %llu", (unsigned long long)st.dropped);
    else CHECKF(st.inserted + st.gap >= 150 && st.inserted + st.gap <= 260, "inserted %llu gap %llu",
                (unsigned long long)st.inserted, (unsigned long long)st.gap);
    CHECKF(st.late < n / 200, "late %llu", (unsigned long long)st.late);
    CHECK(accounted());
}
static void test_drift_fast_sender(void) { drift_hour(-1000, 0); }
static void test_drift_slow_sender(void) { drift_hour(1000, 0); }
static void test_drift_fixed_mode(void) { drift_hour(-1000, 50); drift_hour(1000, 50); }

/* A packet flood (a thousand at the same instant, as from a misbehaving
   sender racing ahead of real time): memory stays bounded, the oldest go,
   counted; timestamps too far ahead of the clock start the stream over. */
static void test_flood(void)
{
    media_jitter_stats st;
    int i;
    uint32_t max_queued = 0;
    setup(0, 1000);
    for (i = 0; i < 1000; i++) {
        put((uint16_t)i, 160u * (uint32_t)i, T0);
        stats(&st);
        if (st.queued > max_queued) max_queued = st.queued;
        CHECK(accounted());
    }
    stats(&st);
    CHECK(max_queued <= MEDIA_JITTER_SLOTS && max_queued * 160 <= MEDIA_JITTER_BYTES);
    CHECKF(st.overflow > 0 && st.overflow + st.flushed + st.queued == 1000,
           "overflow %llu flushed %llu queued %u", (unsigned long long)st.overflow, (unsigned long long)st.flushed, st.queued);
    /* large payloads fill the byte pool before the slots */
    setup(0, 1000);
    max_queued = 0;
    for (i = 0; i < 200; i++) {
        put_full((uint16_t)i, 480u * (uint32_t)i, T0, 0, 1, 1400);
        stats(&st);
        if (st.queued > max_queued) max_queued = st.queued;
    }
    stats(&st);
    CHECK(max_queued >= 1 && max_queued * 1400 <= MEDIA_JITTER_BYTES && st.overflow > 0);
    CHECK(accounted());
    /* and it plays on */
    { const char *d = drain(T0 + 2000 * MS); CHECKF(d[0] == 'F', "%.60s", d); }
    /* too large for anything: refused */
    CHECK_EQ_INT(put_full(500, 0, T0, 0, 1, MEDIA_JITTER_MAX_PAYLOAD + 1), MEDIA_ENOSPC);
    stats(&st);
    CHECK(st.rejected == 1 && accounted());
}

/* Adaptive: a delay spike makes it grow (inserting frames), calm makes it
   shrink back (dropping frames, flagged), and it never goes past max. */
static void test_adapt_spike_and_recovery(void)
{
    media_jitter_stats st;
    uint64_t tick = T0;
    uint32_t i;
    int64_t peak = 0, worst = 0;
    int inserted = 0, discontinuities = 0;
    setup(0, 150);
    harness_seed(7);
    for (i = 0; i < 3000; i++) {
        uint64_t send = T0 + (uint64_t)i * 20 * MS, d = 30 * MS + harness_rand() % 3000;
        /* 20 s to 25 s: a spike of +100 ms; 40 s to 41 s: +600 ms (beyond max) */
        if (i >= 1000 && i < 1250) d += 100 * MS;
        if (i >= 2000 && i < 2050) d += 600 * MS;
        while (tick <= send + d) {
            media_jitter_frame f;
            int rc;
            while ((rc = media_jitter_get(&jb, tick, &f)) != MEDIA_JITTER_NONE) {
                if (rc == MEDIA_JITTER_LOST && (f.flags & MEDIA_JITTER_INSERTED)) inserted++;
                if (rc == MEDIA_JITTER_FRAME && (f.flags & MEDIA_JITTER_DISCONTINUITY)) discontinuities++;
            }
            stats(&st);
            if (st.delay_us > worst) worst = st.delay_us;
            if (i >= 1000 && i < 1300 && st.delay_us > peak) peak = st.delay_us;
            tick += 20 * MS;
        }
        put((uint16_t)i, 160u * i, send + d);
    }
    stats(&st);
    CHECKF(peak >= 100000, "grew only to %lld us during the spike", (long long)peak);
    CHECKF(worst <= 150000 + 20000, "delay reached %lld us, max is 150 ms", (long long)worst);
    CHECKF(st.delay_us <= 30000, "still at %lld us after 19 s of calm (target %lld)", (long long)st.delay_us,
           (long long)st.target_us);
    /* it grew by inserting frames or holding the silence of the spike's start */
    CHECKF(inserted + st.gap > 0 && st.dropped > 0 && discontinuities > 0, "inserted %d dropped %llu discontinuities %d gap %llu",
           inserted, (unsigned long long)st.dropped, discontinuities, (unsigned long long)st.gap);
    CHECK(accounted());
}

/* A loss at the start must not leave the buffer at its maximum. */
static void test_loss_does_not_stick(void)
{
    media_jitter_stats st;
    uint64_t tick = T0;
    uint32_t i;
    setup(0, 400);
    for (i = 0; i < 1500; i++) {
        uint64_t at = T0 + (uint64_t)i * 20 * MS + 20 * MS;
        if (i == 5 || i == 6 || i == 7) continue;   /* a burst lost early */
        while (tick <= at) { drain(tick); tick += 20 * MS; }
        put((uint16_t)i, 160u * i, at);
    }
    stats(&st);
    CHECKF(st.delay_us <= 25000 && st.target_us <= 25000, "delay %lld target %lld", (long long)st.delay_us, (long long)st.target_us);
}

/* A clean path, simulated: packets every 20 ms, each delayed by `delay`
   plus a uniform share of `jitter` (in order: a queue does not reorder),
   played out by a clock ticking every `tick` us from `phase`. After 5 s of
   warm-up, nothing may be dropped, inserted, lost, late or held: every
   packet plays, in order. Returns how many frames broke that. */
static long clean_run(uint32_t fixed_ms, uint64_t delay, uint64_t jitter, uint64_t phase, uint64_t tick_us, uint32_t n,
                      int64_t first_off)
{
    media_jitter_stats st;
    media_jitter_frame f;
    uint64_t tick = T0 + phase, at = 0;
    uint32_t i = 0, warm = 250, expect = 0, drawn = 0;
    long bad = 0;
    int rc;
    setup(fixed_ms, 0);
    for (;;) {
        while (i < n) {
            if (drawn == i) {   /* each packet's arrival drawn once */
                uint64_t a = T0 + (uint64_t)i * 20 * MS + delay + (jitter ? harness_rand() % jitter : 0);
                if (i == 0) a = (uint64_t)((int64_t)a + first_off);
                at = a > at ? a : at;
                drawn = i + 1;
            }
            if (at > tick) break;
            put((uint16_t)i, 160u * i, at);
            i++;
        }
        while ((rc = media_jitter_get(&jb, tick, &f)) != MEDIA_JITTER_NONE) {
            if (rc == MEDIA_JITTER_FRAME && f.seq >= warm && f.seq != expect) bad++;   /* one skipped: dropped */
            if (rc == MEDIA_JITTER_FRAME) expect = (uint16_t)(f.seq + 1);
            else if (expect >= warm) bad++;                                           /* inserted, lost or held */
        }
        if (i == n) break;
        tick += tick_us;
    }
    stats(&st);
    if (st.late || st.duplicates || st.overflow) bad++;
    return bad;
}

/* constant delay: 50 phases of the arrivals against a 20 ms playout clock,
   10 minutes each, adaptive and fixed */
static void test_clean_constant_delay(void)
{
    int p;
    long bad_a = 0, bad_f = 0;
    for (p = 0; p < 50; p++) {
        bad_a += clean_run(0, 37 * MS + (uint64_t)p * 400, 0, 0, 20 * MS, 30000, 0);
        bad_f += clean_run(60, 37 * MS + (uint64_t)p * 400, 0, 0, 20 * MS, 30000, 0);
    }
    CHECKF(bad_a == 0 && bad_f == 0, "frames broken after warm-up: adaptive %ld, fixed %ld", bad_a, bad_f);
}

/* less than a frame of jitter (up to 5, 10, 15, 19 ms), each at 10
   phases; and a caller that asks every millisecond rather than every frame */
static void test_clean_subframe_jitter(void)
{
    long bad = 0, bad_fixed = 0, bad_fine = 0;
    int j, p;
    harness_seed(11);
    for (j = 0; j < 4; j++) {
        static const uint64_t jit[4] = {5 * MS, 10 * MS, 15 * MS, 19 * MS};
        for (p = 0; p < 10; p++) {
            bad += clean_run(0, 30 * MS, jit[j], (uint64_t)p * 2 * MS, 20 * MS, 30000, 0);
            bad_fixed += clean_run(40, 30 * MS, jit[j], (uint64_t)p * 2 * MS, 20 * MS, 30000, 0);
        }
        bad_fine += clean_run(0, 30 * MS, jit[j], 0, 1 * MS, 15000, 0);
        bad_fine += clean_run(40, 30 * MS, jit[j], 0, 1 * MS, 15000, 0);
    }
    CHECKF(bad == 0 && bad_fixed == 0 && bad_fine == 0, "frames broken after warm-up: adaptive %ld, fixed %ld, 1 ms clock %ld",
           bad, bad_fixed, bad_fine);
}

/* a fixed delay stays where the first packet put it when that packet was
   faster or slower than the rest by less than a frame */
static void test_fixed_first_packet(void)
{
    long bad = 0;
    int p;
    for (p = 0; p < 10; p++) {
        bad += clean_run(40, 30 * MS, 0, (uint64_t)p * 2 * MS, 20 * MS, 30000, -15000);   /* lucky */
        bad += clean_run(40, 30 * MS, 0, (uint64_t)p * 2 * MS, 20 * MS, 30000, 15000);    /* unlucky */
    }
    CHECKF(bad == 0, "frames broken after warm-up: %ld", bad);
}

/* A path simulated packet by packet: one-way delay from delay_ms(i, t) in
   ms (a FIFO queue: nothing overtakes), 20 ms packets, a 20 ms playout
   clock asking for each frame at its due time, as the session does. With
   `stretch`, each request is met as a voice would allow: a pitch period of
   at most 5 ms a frame. Fills st; returns late packets from packet `from` on. */
typedef double (*path_fn)(uint32_t i, double t);
static long path_run(path_fn delay_ms, uint32_t n, int stretch, uint32_t from, media_jitter_stats *st)
{
    media_jitter_config cfg;
    uint64_t tick = T0, at = 0;
    uint32_t i = 0, drawn = 0;
    long late = 0;
    media_jitter_config_init(&cfg);   /* every default but the stretching */
    cfg.stretch = stretch;
    CHECK_EQ_INT(media_jitter_init(&jb, &cfg), MEDIA_OK);
    for (;;) {
        media_jitter_frame f;
        while (i < n) {
            if (drawn == i) {   /* each packet's arrival drawn once */
                uint64_t a = T0 + (uint64_t)i * 20 * MS + (uint64_t)(delay_ms(i, i * 0.02) * 1000);
                at = a > at ? a : at;
                drawn = i + 1;
            }
            if (at > tick) break;
            if (put((uint16_t)i, 160u * i, at) == MEDIA_JITTER_LATE && i >= from) late++;
            i++;
        }
        for (;;) {
            uint64_t now = (uint64_t)jb.next_play_us < tick ? (uint64_t)jb.next_play_us : tick;
            if (media_jitter_get(&jb, now, &f) == MEDIA_JITTER_NONE) break;
            if ((f.flags & MEDIA_JITTER_STRETCH) && f.stretch)
                CHECK_EQ_INT(media_jitter_stretched(&jb, f.stretch > 40 ? 40 : f.stretch < -40 ? -40 : f.stretch), MEDIA_OK);
        }
        if (i == n) break;
        tick += 20 * MS;
    }
    media_jitter_stats_get(&jb, st);
    return late;
}

static double lp_a, lp_b;
static double frand(void) { return harness_rand() / 4294967296.0; }
static double long_path(uint32_t i, double t)
{
    (void)i;
    return 1100 + 100 * (sin(6.283185307179586 * t / 17 + lp_a) + sin(6.283185307179586 * t / 7.3 + lp_b)) + frand() * 200 - 100;
}

/* 1.1 s +- 300 ms, wandering (two slow swings and +-100 ms per packet), 5
   minutes at each of 3 draws: with the defaults at most 1 % of the packets
   come late, stretching or moving whole frames; the ceiling is the memory's
   (more than the 600 ms the path spans), not a constant */
static void test_long_path(void)
{
    int k, stretch;
    for (stretch = 0; stretch <= 1; stretch++) {
        for (k = 0; k < 3; k++) {
            media_jitter_stats st;
            long late;
            harness_seed(100 + (uint64_t)k);
            lp_a = frand() * 6.28;
            lp_b = frand() * 6.28;
            late = path_run(long_path, 15000, stretch, 0, &st);
            CHECKF(late * 100 <= 15000, "draw %d, %s: %ld of 15000 late", k, stretch ? "stretching" : "whole frames", late);
            CHECKF(st.max_us >= 900000, "ceiling %lld us", (long long)st.max_us);
        }
    }
}

/* any one-way delay from 1 ms to 1.5 s with 500 ms of jitter (a FIFO queue
   swinging over 400 ms, +-50 ms per packet): the defaults keep late loss
   at or under 1 %, and the delay itself costs nothing */
static double path_base;
static double wide_path(uint32_t i, double t)
{
    (void)i;
    return path_base + 250 + 100 * (sin(6.283185307179586 * t / 13) + sin(6.283185307179586 * t / 5.1)) + frand() * 100 - 50;
}
static void test_any_delay_500ms_jitter(void)
{
    static const double base[3] = {1, 301, 1501};   /* the same phase against the 20 ms clock */
    long late[3];
    int k;
    for (k = 0; k < 3; k++) {
        media_jitter_stats st;
        harness_seed(7);
        path_base = base[k];
        late[k] = path_run(wide_path, 15000, 1, 0, &st);
        CHECKF(late[k] * 100 <= 15000 && st.resyncs == 0, "%.0f ms: %ld of 15000 late, %llu restarts", base[k], late[k],
               (unsigned long long)st.resyncs);
    }
    CHECKF(late[0] == late[1] && late[1] == late[2], "the same path at 1, 301, 1501 ms: %ld, %ld, %ld late", late[0], late[1], late[2]);
}

/* a queue that stalls for 250 ms every `spike_every` s (from 10 s on), then
   delivers what it held at once */
static double spike_every;
static double spikes(uint32_t i, double t)
{
    double in = t >= 10 ? fmod(t - 10, spike_every) : 1e9;
    (void)i;
    return 40 + (in < 0.25 ? 250 - in * 1000 : 0);
}

/* Spikes every 4 s are held: from the third on, not one packet of theirs
   comes late. A lone spike (every 25 s) is forgotten: 5 s after it the
   delay is back within a frame of the path's, not held for the window's
   10 s; and nothing else is late. */
static void test_spikes_held_or_forgotten(void)
{
    media_jitter_stats st;
    long late;
    int stretch;
    for (stretch = 0; stretch <= 1; stretch++) {
        spike_every = 4;
        late = path_run(spikes, 2500, stretch, 910, &st);   /* 50 s; from 18.2 s: after the second spike */
        CHECKF(late == 0, "%s: %ld late after the second spike", stretch ? "stretching" : "whole frames", late);
        CHECKF(st.delay_us >= 250000, "%s: delay %lld us, spikes of 250 ms", stretch ? "stretching" : "whole frames", (long long)st.delay_us);
        spike_every = 25;
        late = path_run(spikes, 750, stretch, 0, &st);   /* 15 s: one spike at 10 s */
        CHECKF(late <= 13, "%s: %ld late, the spike holds 12", stretch ? "stretching" : "whole frames", late);
        CHECKF(st.delay_us <= 20000 + 2000 + 20000, "%s: delay %lld us 5 s after a lone spike", stretch ? "stretching" : "whole frames",
               (long long)st.delay_us);
    }
}

/* media_jitter_played_get: a played frame's payload while the pool holds it;
   not one still queued, not one from before the last MEDIA_JITTER_SLOTS,
   not one the byte ring has written over */
static void test_played_payloads(void)
{
    media_jitter_frame f;
    uint32_t i;
    int ok = 1;
    setup(40, 0);
    for (i = 0; i < 5; i++) put((uint16_t)(100 + i), 160u * i, T0 + i * 20 * MS);
    drain(T0 + 40 * MS + 2 * 20 * MS);   /* 100..102 played, 103, 104 queued */
    CHECK_EQ_INT(media_jitter_played_get(&jb, 102, &f), MEDIA_JITTER_FRAME);
    CHECK(f.seq == 102 && f.len == 160 && f.payload[0] == 102 && f.timestamp == 320);
    CHECK_EQ_INT(media_jitter_played_get(&jb, 100, &f), MEDIA_JITTER_FRAME);
    CHECK(f.payload[0] == 100);
    CHECK_EQ_INT(media_jitter_played_get(&jb, 103, &f), MEDIA_ENOTFOUND);   /* queued, not played */
    CHECK_EQ_INT(media_jitter_played_get(&jb, 99, &f), MEDIA_ENOTFOUND);    /* never here */
    CHECK_EQ_INT(media_jitter_played_get(NULL, 100, &f), MEDIA_EINVAL);
    /* a long run of 1000-byte packets: the ring writes over what played long ago */
    setup(40, 0);
    for (i = 0; i < 40; i++) {
        put_full((uint16_t)(200 + i), 160u * i, T0 + i * 20 * MS, 0, 0xABCD, 1000);
        drain(T0 + i * 20 * MS + 40 * MS);
    }
    for (i = 0; i < 40; i++) {
        int rc = media_jitter_played_get(&jb, (uint16_t)(200 + i), &f);
        if (rc == MEDIA_JITTER_FRAME && (f.payload[0] != (uint8_t)(200 + i) || f.len != 1000)) ok = 0;   /* never stale */
        if (i >= 36 && rc != MEDIA_JITTER_FRAME) ok = 0;   /* the newest are still there */
        if (i < 20 && rc == MEDIA_JITTER_FRAME) ok = 0;    /* 8 KiB hold 8 of them */
    }
    CHECK(ok);
}

/* The layout the packet path is built on (see media_jitter's comments):
   get() reads lines 0-1, put() lines 1-3; asserted, not just narrated */
static void test_layout(void)
{
    if (sizeof(void *) != 8) { CHECK(offsetof(media_jitter, grow_below) == 0); return; }   /* the lines are laid out for 64 bits */
    CHECK_EQ_INT((int)offsetof(media_jitter, grow_below), 0);
    CHECK_EQ_INT((int)offsetof(media_jitter, next_play_us), 64);
    CHECK_EQ_INT((int)offsetof(media_jitter, packets), 128);
    CHECK((int)offsetof(media_jitter, ssrc) + (int)sizeof(uint32_t) <= 256);   /* put()'s last field still on line 3 */
}

/* The ceiling the manual gives for the defaults: what MEDIA_JITTER_BYTES
   and MEDIA_JITTER_SLOTS hold of the stream, less two: 960 ms of G.711 at
   20 ms (8192 / 160 - 1 = 50 payloads), 620 ms at 10 ms (64 slots) */
static void test_default_ceiling(void)
{
    static const struct { uint32_t step; size_t len; long long want_us; } c[] = { { 160, 160, 960000 }, { 80, 80, 620000 } };
    size_t k;
    for (k = 0; k < sizeof c / sizeof *c; k++) {
        media_jitter_stats st;
        media_jitter_frame f;
        uint16_t i;
        uint64_t per = c[k].step * 125ull;   /* microseconds of a packet at 8 kHz */
        setup(0, 0);
        for (i = 0; i < 200; i++) {
            put_full(i, 1000u + i * c[k].step, T0 + i * per, i == 0, 0xABCD, c[k].len);
            while (media_jitter_get(&jb, T0 + i * per, &f) != MEDIA_JITTER_NONE) {}
        }
        media_jitter_stats_get(&jb, &st);
        CHECKF(st.max_us == c[k].want_us, "%u-byte packets: ceiling %lld us, want %lld", (unsigned)c[k].len,
               (long long)st.max_us, c[k].want_us);
    }
}

static void test_reset_and_arguments(void)
{
    media_jitter_config cfg;
    media_jitter_frame f;
    media_jitter_stats st;
    setup(40, 200);
    put(1, 0, T0);
    put(2, 160, T0 + 20 * MS);
    media_jitter_reset(&jb);
    stats(&st);
    CHECK(st.flushed == 2 && st.queued == 0 && accounted());
    CHECK_EQ_INT(media_jitter_get(&jb, T0 + 100 * MS, &f), MEDIA_JITTER_NONE);
    CHECK_EQ_INT(put(9, 5000, T0 + 200 * MS), MEDIA_JITTER_QUEUED);    /* a fresh start, not a resync */
    CHECK(strcmp(drain(T0 + 240 * MS), "F9") == 0);
    CHECK_EQ_INT(media_jitter_put(NULL, NULL, 0), MEDIA_EINVAL);
    CHECK_EQ_INT(media_jitter_get(&jb, 0, NULL), MEDIA_EINVAL);
    media_jitter_config_init(&cfg);
    cfg.clock_rate = 0;
    CHECK_EQ_INT(media_jitter_init(&jb, &cfg), MEDIA_EINVAL);
    media_jitter_config_init(&cfg);
    cfg.min_delay_ms = 300; cfg.max_delay_ms = 200;
    CHECK_EQ_INT(media_jitter_init(&jb, &cfg), MEDIA_EINVAL);
    CHECK_EQ_INT(media_jitter_init(&jb, NULL), MEDIA_OK);   /* defaults */
    media_jitter_reset(NULL);
    media_jitter_stats_get(NULL, &st);
}

int main(void)
{
    RUN(test_in_order);
    RUN(test_frame_fields);
    RUN(test_reorder_duplicate_loss_late);
    RUN(test_wrap);
    RUN(test_dtx_silence);
    RUN(test_gap_then_loss);
    RUN(test_ssrc_change);
    RUN(test_timestamp_jump);
    RUN(test_restart_same_ssrc);
    RUN(test_ptime_change);
    RUN(test_duration_callback);
    RUN(test_drift_fast_sender);
    RUN(test_drift_slow_sender);
    RUN(test_drift_fixed_mode);
    RUN(test_outliers);
    RUN(test_forged_timing);
    RUN(test_flood);
    RUN(test_adapt_spike_and_recovery);
    RUN(test_loss_does_not_stick);
    RUN(test_clean_constant_delay);
    RUN(test_clean_subframe_jitter);
    RUN(test_fixed_first_packet);
    RUN(test_long_path);
    RUN(test_any_delay_500ms_jitter);
    RUN(test_spikes_held_or_forgotten);
    RUN(test_played_payloads);
    RUN(test_layout);
    RUN(test_default_ceiling);
    RUN(test_reset_and_arguments);
    return harness_summary();
}
