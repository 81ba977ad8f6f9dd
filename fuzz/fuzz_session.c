/* libFuzzer target: the session's receive path. One session, negotiated with
   a fixed peer, takes the input as a sequence of datagrams (RTP, RTCP, muxed,
   from the peer or from elsewhere) interleaved with polls on a virtual clock.
   Whatever arrives, the session must not crash, leak or stop working. */
#define _POSIX_C_SOURCE 200809L
#include "../media.h"
#include <stdlib.h>
#include <string.h>

static uint64_t vnow;
static uint64_t fz_clock(void *user) { (void)user; return vnow; }
static int fz_send(media_session *s, const uint8_t *d, size_t n, int r, const media_addr *to, void *u)
{
    (void)s; (void)d; (void)n; (void)r; (void)to; (void)u;
    return 0;
}
static int fz_out(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    (void)s; (void)rate; (void)u;
    memset(pcm, 0x11, n * sizeof *pcm);
    return (int)n;
}

static const char *offer =
    "v=0\r\no=peer 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
    "m=audio 7000 RTP/AVP 0 8 13 100\r\na=rtpmap:100 telephone-event/8000\r\na=rtcp-mux\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    media_session_config c;
    media_session *s;
    media_addr peer, other;
    char ans[2048];
    size_t at = 0;
    media_session_config_init(&c);
    c.send = fz_send;
    c.now_us = fz_clock;
    c.seed = 7;
    c.sdp_address = "10.0.0.2";
    c.latch = size > 0 && (data[0] & 1);
    c.handler.audio_out = fz_out;
    vnow = 1000000;
    s = media_session_create(&c, NULL);
    if (!s) abort();
    if (media_session_remote_sdp_set(s, offer, strlen(offer)) != MEDIA_OK ||
        media_session_answer_create(s, ans, sizeof ans) <= 0) abort();
    media_addr_parse(&peer, "10.0.0.9", 7000);
    media_addr_parse(&other, "10.0.0.66", 7000);
    if (size) { data++; size--; }
    media_session_dtmf_send(s, "12");
    /* records: [flags][len][bytes...]; flags: bit0 rtcp, bit1 foreign source, bits 2-7 ms to advance */
    while (at + 2 <= size) {
        uint8_t fl = data[at];
        size_t len = data[at + 1];
        at += 2;
        if (len > size - at) len = size - at;
        (void)media_session_receive_from(s, data + at, len, fl & 1, (fl & 2) ? &other : &peer);
        at += len;
        vnow += (uint64_t)(fl >> 2) * 1000;
        if (media_session_poll(s) < 0) abort();
    }
    vnow += 200000;
    if (media_session_poll(s) < 0) abort();
    {
        media_session_stats st;
        media_session_stats_get(s, &st);
        if (st.packets_sent == 0) abort();   /* it kept sending whatever came in */
    }
    media_session_destroy(s);
    return 0;
}
