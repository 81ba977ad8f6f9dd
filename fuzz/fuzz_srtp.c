/* libFuzzer target: media_srtp.h's receive path. One side protects an RTP
   or RTCP packet built from the input with its key; the fuzzer may change
   one bit of it on the way (the input says which, or none); the other side,
   holding that key from "the SDP", unprotects it. Unchanged it must open
   into exactly what was sent; changed it must be refused and counted, never
   opened. Other inputs go in raw: refused, counted, no crash. Each input
   starts from fresh contexts (same keys), so runs repeat. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_SRTP_IMPLEMENTATION
#include "../media.h"
#include "../media_srtp.h"
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_CHECK
#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)
#endif

static media_srtp tx, rx;
static media_session_config ctx_cfg, crx_cfg;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pkt[1600], sent[1600];
    media_sdp_crypto_key k;
    media_srtp_stats before, after;
    int suite, is_rtcp, n, r, flip;
    size_t len;
    if (!ready) {
        if (media_srtp_init(&tx, NULL) != MEDIA_OK || media_srtp_init(&rx, NULL) != MEDIA_OK) abort();
        media_session_config_init(&ctx_cfg);
        media_session_config_init(&crx_cfg);
        media_srtp_attach(&tx, &ctx_cfg);
        media_srtp_attach(&rx, &crx_cfg);
        ready = 1;
    }
    if (size < 3 || size > 1400) return 0;
    suite = data[0] & 3;
    is_rtcp = (data[0] >> 2) & 1;
    /* fresh contexts: each side keyed with the other's key for the suite */
    media__srtp_drop(&tx._tx); media__srtp_drop(&tx._rx); tx._st.suite = -2;
    media__srtp_drop(&rx._tx); media__srtp_drop(&rx._rx); rx._st.suite = -2;
    memset(&k, 0, sizeof k);
    k.key_len = (uint8_t)media__srtp_size(rx._names[suite]);
    memcpy(k.key, rx._keys[suite], k.key_len);
    FUZZ_CHECK(tx._sdes.keys(&tx, suite, &k, NULL) == 0);
    memcpy(k.key, tx._keys[suite], k.key_len);
    FUZZ_CHECK(rx._sdes.keys(&rx, suite, &k, NULL) == 0);
    media_srtp_stats_get(&rx, &before);
    if (data[0] & 8) {
        /* raw bytes into the receiver */
        len = size - 1;
        memcpy(pkt, data + 1, len);
        r = crx_cfg.filter.unprotect(&rx, pkt, len, is_rtcp);
        media_srtp_stats_get(&rx, &after);
        if (r < 0) FUZZ_CHECK(after.auth_failures + after.replay_failures + after.other_failures ==
                              before.auth_failures + before.replay_failures + before.other_failures + 1);
        else FUZZ_CHECK((size_t)r <= len);
        return 0;
    }
    /* a packet from the input: version 2, the rest as given */
    len = size - 2;
    if (len < (is_rtcp ? 8u : 12u)) return 0;
    memcpy(pkt, data + 2, len);
    pkt[0] = (uint8_t)((pkt[0] & 0x3F) | 0x80);
    if (is_rtcp) pkt[0] &= 0xE0, pkt[1] = 200;   /* an SR header, no padding or counts to trust */
    else pkt[0] &= 0xC0;                         /* no padding, extension or CSRCs */
    memcpy(sent, pkt, len);
    n = ctx_cfg.filter.protect(&tx, pkt, len, sizeof pkt, is_rtcp);
    FUZZ_CHECK(n > (int)len && n <= (int)len + MEDIA_SRTP_OVERHEAD);
    flip = data[1] == 0xFF ? -1 : (int)(data[1] % (unsigned)n);
    if (flip >= 0) pkt[flip] ^= (uint8_t)(1u << (data[1] & 7));
    r = crx_cfg.filter.unprotect(&rx, pkt, (size_t)n, is_rtcp);
    if (flip < 0) {
        FUZZ_CHECK(r == (int)len && memcmp(pkt, sent, len) == 0);
    } else {
        media_srtp_stats_get(&rx, &after);
        FUZZ_CHECK(r < 0 && after.auth_failures + after.other_failures == before.auth_failures + before.other_failures + 1);
    }
    return 0;
}
