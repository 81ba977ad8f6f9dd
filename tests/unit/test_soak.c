/* Soak: many calls in one process on a virtual clock, every link impaired
   the G.1050 way (bursty loss, jitter with spikes that reorder, duplicates),
   each stream's numbers set near their wraps, a change of source mid-call,
   DTMF both ways, a quarter of the peers written as IPv4-mapped IPv6 with
   latching, every eighth call Opus with FEC and DTX. Then, for every
   direction of every call, exactly:
   - what the network delivered is what the receiver took plus what it
     refused as strays (a source waiting to take over);
   - sent = received + lost + strays, and lost + duplicates = what the
     network dropped (RFC 3550 A.1's figures, summed over the sources it
     heard: its lost counts a duplicate against a loss);
   - every digit with a packet delivered is heard, once, in order;
   - memory flat: nothing allocated after the calls are set up.
   Impairments pause at the edges A.1 cannot count across (a stream's first
   second, around the source change, the last two seconds): there a lost
   packet belongs to no source's count.
       make test: once (a small size, under a minute);
       SOAK_PAIRS=500 SOAK_SECONDS=600 build/test/gcc/test_soak   (1000 sessions, 10 minutes each) */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <stdint.h>
static long long live_bytes, allocations;
static void *soak_malloc(size_t n)
{
    size_t *p = (size_t *)malloc(n + 16);
    if (!p) return NULL;
    *p = n;
    live_bytes += (long long)n;
    allocations++;
    return (char *)p + 16;
}
static void soak_free(void *q)
{
    if (!q) return;
    q = (char *)q - 16;
    live_bytes -= (long long)*(size_t *)q;
    free(q);
}
#define MEDIA_MALLOC(sz, u) ((void)(u), soak_malloc(sz))
#define MEDIA_FREE(p, u) ((void)(u), soak_free(p))
#define MEDIA_REALLOC(p, sz, u) ((void)(p), (void)(u), (void *)0)
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#include "../../media.h"
#include "../../media_opus.h"
#include "../harness.h"
#include <math.h>

typedef struct side {
    media_session *s;
    int index, peer;
    char address[32];
    media_addr addr;
    uint64_t next_poll;
    int heap_at;
    /* what this side sends, as the network rewrites it for the peer */
    uint16_t seq_off;
    uint32_t ts_off, ssrc_xor;
    int changed;                     /* the source change is done */
    uint64_t change_at;
    /* the link towards the peer */
    int bad;                         /* Gilbert-Elliott state */
    uint64_t sent, dropped, duplicated, delivered, after_close;   /* after_close: delivered to a closed peer */
    /* DTMF */
    char digits_sent[256], heard[256];
    int nsent, nheard;
    uint32_t event_ts[256];          /* each digit's event timestamp as the peer sees it */
    int event_hit[256];              /* a packet of it delivered */
    uint32_t last_event_ts;
    int next_digit;
    uint64_t next_dtmf_at;
    double osc;
    int opus;
} side;

typedef struct pkt {
    uint64_t at, order;
    int to, is_rtcp;
    uint16_t len;
    media_addr from;
    uint8_t data[400];
} pkt;

static side *sides;
static int nsides;
static uint64_t vnow, order_next, soak_end;
static pkt **pq;                     /* packets in flight: a min-heap on (at, order) */
static int npq, cap_pq;
static side **sq;                    /* sides: a min-heap on next_poll */
static int nsq;
static double loss_good = 0.002, loss_bad = 0.4, p_gb = 0.01, p_bg = 0.3, dup_p = 0.005;

static uint64_t vclock(void *user) { (void)user; return vnow; }
static double rnd(void) { return (harness_rand() >> 8) / 16777216.0; }

static int pkt_before(const pkt *a, const pkt *b) { return a->at < b->at || (a->at == b->at && a->order < b->order); }
static void pq_push(pkt *p)
{
    int i = npq++;
    while (i > 0 && pkt_before(p, pq[(i - 1) / 2])) { pq[i] = pq[(i - 1) / 2]; i = (i - 1) / 2; }
    pq[i] = p;
}
static pkt *pq_pop(void)
{
    pkt *top = pq[0], *last = pq[--npq];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= npq) break;
        if (c + 1 < npq && pkt_before(pq[c + 1], pq[c])) c++;
        if (!pkt_before(pq[c], last)) break;
        pq[i] = pq[c];
        i = c;
    }
    if (npq) pq[i] = last;
    return top;
}

static void sq_set(int i, side *s) { sq[i] = s; s->heap_at = i; }
static void sq_fix(side *s)
{
    int i = s->heap_at;
    while (i > 0 && sq[(i - 1) / 2]->next_poll > s->next_poll) { sq_set(i, sq[(i - 1) / 2]); i = (i - 1) / 2; }
    for (;;) {
        int c = 2 * i + 1;
        if (c >= nsq) break;
        if (c + 1 < nsq && sq[c + 1]->next_poll < sq[c]->next_poll) c++;
        if (sq[c]->next_poll >= s->next_poll) break;
        sq_set(i, sq[c]);
        i = c;
    }
    sq_set(i, s);
}

/* impairments pause where A.1 cannot count: a stream's start, its change, its end */
static int calm(const side *s)
{
    if (vnow < 1000000 || vnow + 2000000 >= soak_end) return 1;
    return vnow + 300000 >= s->change_at && vnow < s->change_at + 1000000;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

static int soak_send(media_session *ms, const uint8_t *d, size_t len, int is_rtcp, const media_addr *to, void *user)
{
    side *s = (side *)user, *peer = &sides[s->peer];
    pkt *p;
    int copies = 1, k, quiet;
    (void)ms;
    CHECK(media_addr_equal(to, &peer->addr));   /* rtcp-mux: RTCP too */
    if (len > sizeof p->data) return -1;
    quiet = calm(s);
    if (!is_rtcp) {
        uint8_t pt = d[1] & 0x7F;
        if (!s->sent++) {
            /* the first packet: the stream's numbers set so that its
               sequence and its timestamp both wrap a third of the way in */
            uint64_t third = soak_end / 3;
            uint32_t clock = s->opus ? 48000u : 8000u;
            s->seq_off = (uint16_t)(0u - be16(d + 2) - (uint16_t)(third / 20000));
            s->ts_off = 0u - be32(d + 4) - (uint32_t)(third / 1000 * clock / 1000);
        }
        if (!s->changed && vnow >= s->change_at) {
            /* a new source: SSRC, numbering and timestamps all new */
            s->changed = 1;
            s->ssrc_xor = harness_rand() | 1u;
            s->seq_off = (uint16_t)(s->seq_off + 20000 + (harness_rand() & 0x3FFF));
            s->ts_off += 0x40000000u + (harness_rand() & 0xFFFFF);
        }
        if (pt == 101 || pt == 100 || pt == 102) {   /* telephone-event: one digit per event timestamp */
            uint32_t ets = be32(d + 4) + s->ts_off;
            if (ets != s->last_event_ts && s->nsent < 255) {
                s->last_event_ts = ets;
                s->event_ts[s->nsent] = ets;
                s->event_hit[s->nsent] = 0;
                s->digits_sent[s->nsent++] = "0123456789*#ABCD"[d[12] & 15];
            }
        }
        if (!quiet) {
            s->bad = s->bad ? rnd() >= p_bg : rnd() < p_gb;
            if (rnd() < (s->bad ? loss_bad : loss_good)) { s->dropped++; return 0; }
            if (rnd() < dup_p) { copies = 2; s->duplicated++; }
        }
    }
    for (k = 0; k < copies; k++) {
        uint64_t delay = 40000;
        if (!quiet) {
            delay += (uint64_t)(rnd() * 30000);                 /* jitter: reorders now and then */
            if (rnd() < 0.002) delay += 150000 + (uint64_t)(rnd() * 150000);   /* a spike */
        }
        p = (pkt *)malloc(sizeof *p);
        if (!p) return -1;
        p->at = vnow + delay;
        p->order = order_next++;
        p->to = s->peer;
        p->is_rtcp = is_rtcp;
        p->len = (uint16_t)len;
        p->from = s->addr;
        memcpy(p->data, d, len);
        if (!is_rtcp) {
            put16(p->data + 2, (uint16_t)(be16(d + 2) + s->seq_off));
            put32(p->data + 4, be32(d + 4) + s->ts_off);
            put32(p->data + 8, be32(d + 8) ^ s->ssrc_xor);
        }
        if (npq == cap_pq) {
            pkt **n = (pkt **)realloc(pq, (size_t)(cap_pq * 2 + 1024) * sizeof *pq);
            if (!n) { free(p); return -1; }
            pq = n;
            cap_pq = cap_pq * 2 + 1024;
        }
        pq_push(p);
    }
    return 0;
}

static void on_digit(media_session *ms, char d, uint32_t ms_dur, void *user)
{
    side *s = (side *)user;
    (void)ms; (void)ms_dur;
    if (s->nheard < 255) { s->heard[s->nheard++] = d; s->heard[s->nheard] = 0; }
}

/* 2 s of tone, 1 s of silence (Opus's DTX sends nothing in it) */
static int audio(media_session *ms, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    side *s = (side *)user;
    size_t i;
    (void)ms;
    if ((vnow / 1000000) % 3 == 2) { memset(pcm, 0, n * sizeof *pcm); return (int)n; }
    for (i = 0; i < n; i++) {
        pcm[i] = (int16_t)(6000 * sin(s->osc));
        s->osc += 2 * 3.14159265358979 * (300 + 40 * (s->index % 10)) / rate;
    }
    if (s->osc > 1e6) s->osc = fmod(s->osc, 2 * 3.14159265358979);
    return (int)n;
}

static media_opus opus;

static int make_call(int a, int b)
{
    media_session_config cfg;
    static const media_codec *with_opus[3];
    char offer[MEDIA_SESSION_SDP_SIZE], answer[MEDIA_SESSION_SDP_SIZE];
    int n, k, err;
    for (k = 0; k < 2; k++) {
        side *s = &sides[k ? b : a];
        media_session_config_init(&cfg);
        cfg.send = soak_send;
        cfg.now_us = vclock;
        cfg.seed = 1000u + (uint64_t)s->index;
        cfg.sdp_address = s->address;
        cfg.port_min = 4000;
        cfg.handler.user = s;
        cfg.handler.dtmf = on_digit;
        cfg.handler.audio_out = audio;
        cfg.rtp_timeout_ms = 0;
        if (s->index % 4 == 1) cfg.latch = MEDIA_LATCH_ON;
        if (s->opus) {
            with_opus[0] = &opus.codec;
            with_opus[1] = media_codec_pcmu();
            with_opus[2] = media_codec_telephone_event();
            cfg.codecs = with_opus;
            cfg.codec_count = 3;
        }
        if (!(s->s = media_session_create(&cfg, &err))) return err;
    }
    if ((n = media_session_offer_create(sides[a].s, offer, sizeof offer)) < 0) return n;
    if ((err = media_session_remote_sdp_set(sides[b].s, offer, (size_t)n)) != MEDIA_OK) return err;
    if ((n = media_session_answer_create(sides[b].s, answer, sizeof answer)) < 0) return n;
    return media_session_remote_sdp_set(sides[a].s, answer, (size_t)n);
}

static void deliver(pkt *p)
{
    side *to = &sides[p->to], *from = &sides[to->peer];
    int rc;
    if (!p->is_rtcp) {
        uint8_t pt = p->data[1] & 0x7F;
        from->delivered++;
        if (pt == 101 || pt == 100 || pt == 102) {
            uint32_t ets = be32(p->data + 4);
            int k;
            for (k = from->nsent - 1; k >= 0 && k >= from->nsent - 4; k--)
                if (from->event_ts[k] == ets) { from->event_hit[k] = 1; break; }
        }
    }
    rc = media_session_receive_from(to->s, p->data, p->len, p->is_rtcp, &p->from);
    if (rc == MEDIA_ESTATE && !p->is_rtcp) from->after_close++;
    CHECKF(rc == MEDIA_OK || rc == MEDIA_EREJECTED || rc == MEDIA_ENOTFOUND || (rc == MEDIA_ESTATE && vnow >= soak_end), "receive: %s at %.3f s", media_result_string(rc), vnow / 1e6);
    to->next_poll = vnow;
    sq_fix(to);
}

static void run_until(uint64_t end)
{
    for (;;) {
        uint64_t t = end;
        if (npq && pq[0]->at < t) t = pq[0]->at;
        if (nsq && sq[0]->next_poll < t) t = sq[0]->next_poll;
        if (t > vnow) vnow = t;
        while (npq && pq[0]->at <= vnow) { pkt *p = pq_pop(); deliver(p); free(p); }
        while (nsq && sq[0]->next_poll <= vnow) {
            side *s = sq[0];
            int r;
            if (s->nsent < 200 && vnow >= s->next_dtmf_at && !calm(s)) {
                char d[2] = { "0123456789*#ABCD"[s->next_digit++ & 15], 0 };
                (void)media_session_dtmf_send(s->s, d);
                s->next_dtmf_at = vnow + 2000000 + (uint64_t)(rnd() * 3000000);
            }
            r = media_session_poll_ready(s->s, 0);
            s->next_poll = r < 0 ? UINT64_MAX : vnow + (uint64_t)(r ? r : 1) * 1000;
            sq_fix(s);
        }
        if (t >= end) break;
    }
}

static void test_soak(void)
{
    const char *ep = getenv("SOAK_PAIRS"), *es = getenv("SOAK_SECONDS");
    int pairs = ep ? atoi(ep) : 50, seconds = es ? atoi(es) : 60, i, bad_acct = 0, bad_digits = 0, bad_net = 0;
    long long live_set_up, allocs_set_up;
    uint64_t total_sent = 0, total_lost = 0, total_dup = 0, total_strays = 0, total_digits = 0, recovered = 0;
    media_opus_config oc;
    if (pairs < 1 || pairs > 5000 || seconds < 10) { CHECK(0); return; }
    harness_seed(19);
    media_opus_config_init(&oc);
    oc.sample_rate = 16000;
    oc.dtx = 1;
    CHECK_EQ_INT(media_opus_init(&opus, &oc), MEDIA_OK);
    nsides = 2 * pairs;
    soak_end = (uint64_t)seconds * 1000000;
    sides = (side *)calloc((size_t)nsides, sizeof *sides);
    sq = (side **)calloc((size_t)nsides, sizeof *sq);
    if (!sides || !sq) { CHECK(0); return; }
    vnow = 0;
    for (i = 0; i < nsides; i++) {
        side *s = &sides[i];
        s->index = i;
        s->peer = i ^ 1;
        /* a quarter write their address IPv4-mapped in SDP and send from the
           IPv4 form (and latch): the same address either way */
        snprintf(s->address, sizeof s->address, "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
        media_addr_parse(&s->addr, s->address, 4000);
        if (i % 4 == 1) snprintf(s->address, sizeof s->address, "::ffff:10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
        s->opus = (i / 2) % 8 == 3;
        s->change_at = soak_end / 2 + (uint64_t)(rnd() * 2000000);
        s->next_dtmf_at = 1500000 + (uint64_t)(rnd() * 2000000);
    }
    for (i = 0; i < pairs; i++) {
        int rc = make_call(2 * i, 2 * i + 1);
        if (rc != MEDIA_OK) { CHECKF(0, "call %d: %s", i, media_result_string(rc)); return; }
    }
    for (i = 0; i < nsides; i++) sq_set(nsq++, &sides[i]);
    /* from here on media.h allocates nothing: the baseline is taken as media starts */
    run_until(60000);
    live_set_up = live_bytes;
    allocs_set_up = allocations;
    run_until(soak_end);
    CHECKF(live_bytes == live_set_up && allocations == allocs_set_up, "memory: %lld bytes, %lld allocations after set-up"
           " (then %lld, %lld)", live_bytes, allocations, live_set_up, allocs_set_up);
    for (i = 0; i < nsides; i++) media_session_close(sides[i].s);
    run_until(soak_end + 3000000);       /* BYEs out, everything in flight delivered */
    CHECK_EQ_INT(npq, 0);
    for (i = 0; i < nsides; i++) {
        side *tx = &sides[i], *rx = &sides[tx->peer];
        media_session_stats a, b;
        int k, m = 0, expect_heard = 0;
        char want[256];
        media_session_stats_get(tx->s, &a);
        media_session_stats_get(rx->s, &b);
        /* the network: what it delivered, the receiver took or refused */
        if (tx->delivered != tx->sent - tx->dropped + tx->duplicated || a.packets_sent != tx->sent ||
            b.packets_received + b.strays + b.unknown_pt + b.foreign + tx->after_close != tx->delivered) {
            if (bad_net++ < 5)
                CHECKF(0, "side %d: sent %llu (stats %llu), dropped %llu, duplicated %llu, delivered %llu; the peer took %llu,"
                       " refused %u", i, (unsigned long long)tx->sent, (unsigned long long)a.packets_sent,
                       (unsigned long long)tx->dropped, (unsigned long long)tx->duplicated,
                       (unsigned long long)tx->delivered, (unsigned long long)b.packets_received, (unsigned)b.strays);
        }
        /* RFC 3550 A.1 accounting over the receiver's sources: lost is
           A.1's (expected - received, duplicates included in received), so
           what was sent is what arrived, duplicates and all, plus lost;
           the real losses are lost + duplicates */
        if ((int64_t)tx->sent != (int64_t)b.packets_received + b.lost + (int64_t)b.strays + (int64_t)tx->after_close ||
            b.lost + (int64_t)b.duplicates != (int64_t)tx->dropped) {
            if (bad_acct++ < 5)
                CHECKF(0, "side %d -> %d: sent %llu != received %llu + lost %lld + strays %u + after close %llu,"
                       " or lost + duplicates %llu != dropped %llu (duplicated %llu; %u source changes)", i, tx->peer,
                       (unsigned long long)tx->sent, (unsigned long long)b.packets_received, (long long)b.lost,
                       (unsigned)b.strays, (unsigned long long)tx->after_close,
                       (unsigned long long)(b.lost + (int64_t)b.duplicates), (unsigned long long)tx->dropped,
                       (unsigned long long)tx->duplicated, (unsigned)b.ssrc_changes);
        }
        /* digits: each with a packet delivered, heard once, in order */
        for (k = 0; k < tx->nsent; k++) if (tx->event_hit[k]) want[m++] = tx->digits_sent[k];
        want[m] = 0;
        expect_heard = m;
        if (strcmp(want, rx->heard) != 0) {
            if (bad_digits++ < 5)
                CHECKF(0, "side %d -> %d: digits delivered \"%s\", heard \"%s\" (%d sent)", i, tx->peer, want, rx->heard,
                       tx->nsent);
        }
        total_sent += tx->sent;
        total_lost += (uint64_t)(b.lost > 0 ? b.lost : 0);
        total_dup += b.duplicates;
        total_strays += b.strays;
        total_digits += (uint64_t)expect_heard;
        recovered += b.recovered;
        CHECK(b.ssrc_changes == 1 && b.clock_steps_back == 0);
    }
    CHECKF(recovered > 0, "Opus FEC recovered %llu frames", (unsigned long long)recovered);
    printf("    soak: %d calls (%d sessions), %d s each: %llu packets sent, %llu lost, %llu duplicated, %llu strays,"
           " %llu digits heard; %lld bytes in %lld allocations, flat\n", pairs, nsides, seconds,
           (unsigned long long)total_sent, (unsigned long long)total_lost, (unsigned long long)total_dup,
           (unsigned long long)total_strays, (unsigned long long)total_digits, live_bytes, allocations);
    for (i = 0; i < nsides; i++) media_session_destroy(sides[i].s);
    CHECK_EQ_INT(live_bytes, 0);
    free(sides);
    free(sq);
    free(pq);
}

int main(void)
{
    RUN(test_soak);
    return harness_summary();
}
