/* libFuzzer target: two sessions in a call, the fuzzer in charge of the link
   between them and of what each side does. Each input byte is one step:
       bits 0-2  what: 0-1 time passes (bits 3-7: 1..32 ms), 2 the next
                 packet in flight is delivered, 3 it is dropped, 4 it is
                 delivered twice, 5 it is delivered with a byte changed,
                 6-7 an action of one side (bit 3: which; bits 4-7: which
                 action: DTMF, hold, resume, a re-offer answered, a codec
                 switch, mute on/off, close, a forged packet from the peer's
                 address)
   Whatever it does, neither session may crash, leak or report a figure
   outside its documented range, and each poll says when to come back. */
#define _POSIX_C_SOURCE 200809L
#include "../media.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_CHECK
#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)
#endif
#define FP_QUEUE 64

typedef struct fp_pkt { int to, is_rtcp; size_t len; uint8_t d[600]; } fp_pkt;
static fp_pkt q[FP_QUEUE];
static int nq;
static uint64_t vnow;
static media_session *ss[2];
static media_addr addr[2];

static uint64_t fp_clock(void *user) { (void)user; return vnow; }
static int fp_send(media_session *s, const uint8_t *d, size_t n, int is_rtcp, const media_addr *to, void *u)
{
    int from = (int)(intptr_t)u;
    (void)s; (void)to;
    if (nq == FP_QUEUE || n > sizeof q[0].d) return 0;   /* the link is full: lost */
    q[nq].to = !from;
    q[nq].is_rtcp = is_rtcp;
    q[nq].len = n;
    memcpy(q[nq].d, d, n);
    nq++;
    return 0;
}
static int fp_out(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    size_t i;
    (void)s; (void)u;
    for (i = 0; i < n; i++) pcm[i] = (int16_t)(3000 * sin((double)i * 2000.0 / rate));
    return (int)n;
}

static double played[2];   /* ms of audio each side has played (audio_in) */
static double over_at[2];   /* how much it had when its delay went over the ceiling, or -1 */

static void fp_in(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    (void)s; (void)pcm;
    played[(intptr_t)u] += 1000.0 * (double)n / rate;
}

static void fp_stats_sane(int k)
{
    media_session *s = ss[k];
    media_session_stats st;
    media_session_stats_get(s, &st);
    FUZZ_CHECK(st.loss_percent >= 0 && st.loss_percent <= 100);
    FUZZ_CHECK(st.mos == 0 || (st.mos >= 1 && st.mos <= 4.5));
    FUZZ_CHECK(st.jitter_ms >= 0 && st.jitter_ms < 3.6e6 && st.jitter_max_ms >= st.jitter_ms - 1e-9);
    FUZZ_CHECK(st.rtt_ms == -1 || (st.rtt_ms >= 0 && st.rtt_ms <= 65536000.0));
    /* Over the ceiling only until the buffer plays on: packets that come
       in a burst, or a ceiling that just fell (larger packets, a shorter
       packet time), read above it until get() drops the excess, within
       the next half second it plays. */
    FUZZ_CHECK(st.jitter_delay_ms >= 0);
    if (st.jitter_delay_ms <= st.jitter_max_delay_ms + 40) over_at[k] = -1;
    else if (over_at[k] < 0) over_at[k] = played[k];
    else FUZZ_CHECK(played[k] - over_at[k] <= 500);
    FUZZ_CHECK(st.state >= MEDIA_STATE_IDLE && st.state <= MEDIA_STATE_TERMINATED);
    FUZZ_CHECK(st.quality >= MEDIA_QUALITY_GOOD && st.quality <= MEDIA_QUALITY_CRITICAL);
}

static void fp_deliver(int copies, int corrupt, uint8_t how)
{
    fp_pkt p;
    int k;
    if (!nq) return;
    p = q[0];
    memmove(&q[0], &q[1], (size_t)(nq - 1) * sizeof q[0]);
    nq--;
    if (corrupt && p.len) p.d[how % p.len] ^= (uint8_t)(1u << (how % 8));
    for (k = 0; k < copies; k++) (void)media_session_receive_from(ss[p.to], p.d, p.len, p.is_rtcp, &addr[!p.to]);
}

static void fp_reoffer(int who)
{
    char sdp[MEDIA_SESSION_SDP_SIZE];
    int n = media_session_offer_create(ss[who], sdp, sizeof sdp);
    if (n < 0) return;
    if (media_session_remote_sdp_set(ss[!who], sdp, (size_t)n) != MEDIA_OK) return;
    n = media_session_answer_create(ss[!who], sdp, sizeof sdp);
    if (n > 0) (void)media_session_remote_sdp_set(ss[who], sdp, (size_t)n);
}

static void fp_action(int who, int what, const uint8_t *next, size_t left)
{
    media_session *s = ss[who];
    switch (what) {
    case 0: (void)media_session_dtmf_send(s, "1#"); break;
    case 1: (void)media_session_hold(s); fp_reoffer(who); break;
    case 2: (void)media_session_resume(s); fp_reoffer(who); break;
    case 3: fp_reoffer(who); break;
    case 4: (void)media_session_codec_set(s, media_codec_pcma()); break;
    case 5: (void)media_session_codec_set(s, media_codec_pcmu()); break;
    case 6: (void)media_session_mute(s, 1); break;
    case 7: (void)media_session_mute(s, 0); break;
    case 8: (void)media_session_close(s); break;
    default: {
        /* a forged packet at the peer's address: the next bytes, up to 40 */
        size_t n = left < 40 ? left : 40;
        uint8_t b[40 + 12];
        memset(b, 0, sizeof b);
        b[0] = 0x80;
        memcpy(b + (what & 1 ? 0 : 12), next, n);
        (void)media_session_receive_from(s, b, n + (what & 1 ? 0 : 12), what == 15, &addr[!who]);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    media_session_config c;
    char sdp[MEDIA_SESSION_SDP_SIZE];
    size_t i;
    int k, n;
    nq = 0;
    vnow = 1000000;
    played[0] = played[1] = 0;
    over_at[0] = over_at[1] = -1;
    for (k = 0; k < 2; k++) {
        media_session_config_init(&c);
        c.send = fp_send;
        c.now_us = fp_clock;
        c.seed = 11u + (uint64_t)k;
        c.sdp_address = k ? "10.0.0.2" : "10.0.0.1";
        c.port_min = 4000;
        c.latch = size > 0 ? (data[0] >> k) & 1 : 0;
        c.rtcp_mux = size > 0 ? (data[0] >> 2) & 1 : 1;
        c.handler.audio_out = fp_out;
        c.handler.audio_in = fp_in;
        c.handler.user = (void *)(intptr_t)k;
        ss[k] = media_session_create(&c, NULL);
        FUZZ_CHECK(ss[k] != NULL);
        media_addr_parse(&addr[k], c.sdp_address, 4000);
    }
    n = media_session_offer_create(ss[0], sdp, sizeof sdp);
    FUZZ_CHECK(n > 0 && media_session_remote_sdp_set(ss[1], sdp, (size_t)n) == MEDIA_OK);
    n = media_session_answer_create(ss[1], sdp, sizeof sdp);
    FUZZ_CHECK(n > 0 && media_session_remote_sdp_set(ss[0], sdp, (size_t)n) == MEDIA_OK);
    for (i = 1; i < size; i++) {
        uint8_t b = data[i];
        switch (b & 7) {
        case 0: case 1: vnow += (uint64_t)((b >> 3) + 1) * 1000; break;
        case 2: fp_deliver(1, 0, 0); break;
        case 3: if (nq) { memmove(&q[0], &q[1], (size_t)(nq - 1) * sizeof q[0]); nq--; } break;
        case 4: fp_deliver(2, 0, 0); break;
        case 5: fp_deliver(1, 1, (uint8_t)(b >> 3)); break;
        default: fp_action((b >> 3) & 1, b >> 4, data + i + 1, size - i - 1); break;
        }
        for (k = 0; k < 2; k++) {
            int ms = media_session_poll(ss[k]);
            FUZZ_CHECK(ms == MEDIA_ESTATE || (ms >= 0 && ms <= 1000));
            fp_stats_sane(k);
        }
    }
    for (k = 0; k < 2; k++) media_session_destroy(ss[k]);
    return 0;
}
