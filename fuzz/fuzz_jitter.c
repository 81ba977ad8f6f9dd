/* libFuzzer target: arbitrary sequences of put/get on media_jitter, with
   arbitrary packets (sequence, timestamp, SSRC, marker, payload size) and
   arbitrary, even backwards, times. Never crashes, never holds more than its
   capacities, hands out payloads that are what was put, and keeps its books:
   every packet put is played, late, duplicate, dropped, flushed, refused or
   still queued. */
#include "../media.h"
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static media_jitter jb;

static void check_books(void)
{
    media_jitter_stats st;
    int k, used = 0;
    /* everything queued lies in the window ahead of the play position, in its own slot */
    for (k = 0; k < MEDIA_JITTER_SLOTS; k++) {
        if (!jb.slot[k].used) continue;
        used++;
        FUZZ_CHECK((int32_t)(jb.slot[k].seq - jb.play_seq) >= 0 && (int32_t)(jb.slot[k].seq - jb.play_seq) < MEDIA_JITTER_SLOTS);
        FUZZ_CHECK(jb.slot[k].seq % MEDIA_JITTER_SLOTS == (uint32_t)k);
    }
    media_jitter_stats_get(&jb, &st);
    FUZZ_CHECK(st.packets == st.played + st.late + st.duplicates + st.overflow + st.dropped + st.flushed + st.rejected + st.queued);
    FUZZ_CHECK(st.queued <= MEDIA_JITTER_SLOTS && (uint32_t)used == st.queued);
    /* queued payloads lie in the pool and never overlap */
    for (k = 0; k < MEDIA_JITTER_SLOTS; k++) {
        int j;
        if (!jb.slot[k].used || !jb.slot[k].len) continue;
        FUZZ_CHECK((uint32_t)jb.slot[k].off + jb.slot[k].len <= MEDIA_JITTER_BYTES);
        for (j = k + 1; j < MEDIA_JITTER_SLOTS; j++)
            if (jb.slot[j].used && jb.slot[j].len)
                FUZZ_CHECK(jb.slot[j].off >= jb.slot[k].off + jb.slot[k].len || jb.slot[k].off >= jb.slot[j].off + jb.slot[j].len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    media_jitter_config cfg;
    uint64_t now = 1000000;
    uint16_t seq = 0;
    uint32_t ts = 0;
    size_t i = 0;
    static uint8_t payload[MEDIA_JITTER_MAX_PAYLOAD + 8];
    if (size < 4) return 0;
    media_jitter_config_init(&cfg);
    cfg.fixed_delay_ms = data[0] & 1 ? (uint32_t)(data[1] % 200) : 0;
    cfg.max_delay_ms = data[2] == 0xFF ? 0 : 20 + (uint32_t)data[2] * 4;   /* 0: the memory's ceiling */
    cfg.stretch = data[0] & 2;
    cfg.frame_ms = 10 + (data[3] % 6) * 10;
    cfg.clock_rate = data[3] & 0x80 ? 48000 : 8000;
    FUZZ_CHECK(media_jitter_init(&jb, &cfg) == MEDIA_OK);
    i = 4;
    while (i + 1 < size) {
        uint8_t op = data[i++];
        if (op < 0xA0 && i + 8 <= size) {
            /* put: seq delta, timestamp delta, flags, size class, time step */
            media_rtp_packet p;
            int rc;
            size_t len;
            memset(&p, 0, sizeof p);
            seq = (uint16_t)(seq + (int8_t)data[i]);
            ts += (uint32_t)((int16_t)(data[i + 1] | data[i + 2] << 8)) * 8u;
            p.seq = seq;
            p.timestamp = ts;
            p.ssrc = data[i + 3] & 0xF0 ? 1u : 2u;
            p.marker = data[i + 3] & 1;
            len = (size_t)data[i + 4] * 5;
            if (data[i + 3] & 2) len = MEDIA_JITTER_MAX_PAYLOAD + (data[i + 4] & 1);
            memset(payload, (uint8_t)seq, len);
            p.payload = payload;
            p.payload_len = len;
            now += (uint64_t)((int8_t)data[i + 5]) * 1000u;     /* may step back */
            rc = media_jitter_put(&jb, &p, now);
            FUZZ_CHECK(rc >= 0 || rc == MEDIA_ENOSPC);
            i += 8;
        } else {
            media_jitter_frame f;
            int rc, guard = 0;
            now += (uint64_t)(op & 0x3F) * 1000u;
            while ((rc = media_jitter_get(&jb, now, &f)) != MEDIA_JITTER_NONE && guard++ < 1000) {
                FUZZ_CHECK(rc >= MEDIA_JITTER_FRAME && rc <= MEDIA_JITTER_GAP);
                if (rc == MEDIA_JITTER_FRAME && f.len) {
                    /* the payload is the one put with this sequence number */
                    FUZZ_CHECK(f.payload >= jb.pool && f.payload + f.len <= jb.pool + MEDIA_JITTER_BYTES);
                    FUZZ_CHECK(f.payload[0] == (uint8_t)f.seq && f.payload[f.len - 1] == (uint8_t)f.seq);
                }
                FUZZ_CHECK(f.samples > 0);
                FUZZ_CHECK(!(f.flags & MEDIA_JITTER_STRETCH) || (cfg.stretch && rc == MEDIA_JITTER_FRAME && f.stretch != 0));
                /* the caller stretches by what the op's top bits say (a third, all, or nothing of it) */
                if (f.flags & MEDIA_JITTER_STRETCH)
                    FUZZ_CHECK(media_jitter_stretched(&jb, (op & 0xC0) == 0xC0 ? f.stretch : (op & 0x40) ? f.stretch / 3 : 0) == MEDIA_OK);
            }
        }
        check_books();
    }
    return 0;
}
