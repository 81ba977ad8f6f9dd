/* A simulated network between sessions in one process: virtual clock, seeded
   loss, delay, jitter, reordering and duplication, and a driver that polls
   each session exactly when it asked to be polled (or when a datagram reached
   it). Shared by the session tests. */
#ifndef MEDIA_TEST_SESSNET_H
#define MEDIA_TEST_SESSNET_H
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <math.h>

static long alloc_count, free_count;
static long alloc_fail_in;
static size_t alloc_last;   /* size of the latest allocation */   /* > 0: the alloc_fail_in-th allocation from now fails */
static void *counting_malloc(size_t n)
{
    if (alloc_fail_in > 0 && --alloc_fail_in == 0) return NULL;
    alloc_count++;
    alloc_last = n;
    return malloc(n);
}
static void counting_free(void *p) { if (p) free_count++; free(p); }
#define MEDIA_MALLOC(sz, u) ((void)(u), counting_malloc(sz))
#define MEDIA_REALLOC(p, sz, u) ((void)(u), alloc_count++, realloc((p), (sz)))
#define MEDIA_FREE(p, u) ((void)(u), counting_free(p))
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include "harness.h"

#ifndef NET_EPS
#define NET_EPS 3
#endif
#define NET_QUEUE 8192
#define NET_LOG 20000
#define NET_CAPTURE (8000 * 130)

typedef struct wire_rec {      /* one RTP packet an endpoint sent */
    uint64_t at;
    uint8_t pt, marker;
    uint16_t seq;
    uint32_t ts, ssrc;
    uint16_t len;
    uint8_t head[4];
} wire_rec;

typedef struct ep {
    media_session *s;
    const char *name;
    media_addr rtp;            /* where it is on the simulated network */
    uint64_t next_poll;
    int zero_polls;
    /* what it sent */
    wire_rec *log;
    int nlog;
    uint16_t *arrived;         /* sequence numbers of the RTP delivered to it, in order */
    int narrived;
    int rtcp_sent, rtcp_bye;
    /* what it got through callbacks */
    int16_t *cap;              /* audio_in */
    size_t ncap;
    char digits[128];
    uint32_t dur[128];
    char dsrc[128];            /* media_session_dtmf_source_get() in the callback */
    int ndigits;
    int states[64], nstates;
    int errors[16], nerrors;
    int play_ids[16], play_res[16], nplay;
    int record_done, record_rc;
    int starts[8], nstarts, stops[8], nstops;
    int session_starts, session_stops, stop_reason;
    int requests[16], request_len[16], nrequests;   /* media_request: kind, length */
    uint8_t request_head[16][12];
    int handle_requests;       /* what media_request returns */
    int negotiated, neg_rc;
    int quality[32], nquality;
    int stats_calls;
    media_session_stats last_stats;
    double tone_hz;            /* audio_out: a sine at this frequency (0: none) */
    const char *tones;         /* audio_out: DTMF tone pairs instead, each 80 ms with 80 ms after (from phase 0) */
    double tone2_hz;           /* audio_out: a second sine with tone_hz's */
    uint32_t on_ms, off_ms;    /* audio_out: tone_hz's cadence (0: steady) */
    int heard[16], heard_region[16], nheard;   /* the tone callback */
    double amp;
    uint64_t phase;
} ep;

typedef struct net_pkt {
    uint64_t at;
    int to, is_rtcp;
    media_addr from;
    size_t len;
    uint8_t data[1500];
} net_pkt;

typedef struct net {
    double loss, dup, reorder;   /* probabilities */
    int64_t delay_us, jitter_us; /* one-way delay + uniform 0..jitter */
    int block[NET_EPS];          /* drop everything this endpoint sends */
    long rtp_sent[NET_EPS], rtp_dropped[NET_EPS], rtp_duplicated[NET_EPS];
    long misdirected;
    int nq;
    net_pkt *q;
} net;

static uint64_t vnow;
static net g_net;
static ep g_ep[NET_EPS];

static uint64_t vclock(void *user) { (void)user; return vnow; }

static double net_rand01(void) { return (harness_rand() >> 8) / 16777216.0; }

static int ep_index_of(const media_addr *to, int *is_rtcp_port)
{
    int i;
    for (i = 0; i < NET_EPS; i++) {
        media_addr a = g_ep[i].rtp;
        if (!a.family) continue;
        if (media_addr_equal(&a, to)) { *is_rtcp_port = 0; return i; }
        a.port++;
        if (media_addr_equal(&a, to)) { *is_rtcp_port = 1; return i; }
    }
    return -1;
}

static void net_enqueue(int to, int is_rtcp, const media_addr *from, const uint8_t *d, size_t len, uint64_t at)
{
    net_pkt *p;
    if (g_net.nq >= NET_QUEUE || len > sizeof p->data) return;
    p = &g_net.q[g_net.nq++];
    p->at = at; p->to = to; p->is_rtcp = is_rtcp; p->from = *from; p->len = len;
    memcpy(p->data, d, len);
}

static int net_send(media_session *s, const uint8_t *d, size_t len, int is_rtcp, const media_addr *to, void *user)
{
    ep *e = (ep *)user;
    int self = (int)(e - g_ep), dst, rtcp_port = 0, copies = 1, i;
    media_addr from = e->rtp;
    (void)s;
    if (is_rtcp) {
        e->rtcp_sent++;
        for (i = 0; i + 4 <= (int)len; ) {   /* look for a BYE in the compound */
            unsigned words = (unsigned)((d[i + 2] << 8) | d[i + 3]);
            if (d[i + 1] == 203) e->rtcp_bye++;
            i += 4 + 4 * (int)words;
        }
    } else if (e->nlog < NET_LOG && len >= 12) {
        wire_rec *w = &e->log[e->nlog++];
        w->at = vnow; w->pt = d[1] & 0x7F; w->marker = d[1] >> 7;
        w->seq = (uint16_t)((d[2] << 8) | d[3]);
        w->ts = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
        w->ssrc = (uint32_t)d[8] << 24 | (uint32_t)d[9] << 16 | (uint32_t)d[10] << 8 | d[11];
        w->len = (uint16_t)(len - 12);
        memcpy(w->head, d + 12, len >= 16 ? 4 : len - 12);
    }
    dst = ep_index_of(to, &rtcp_port);
    if (dst < 0) { g_net.misdirected++; return 0; }
    if (is_rtcp && !rtcp_port) from = e->rtp; else if (is_rtcp) from.port++;
    if (!is_rtcp) g_net.rtp_sent[self]++;
    if (g_net.block[self] || net_rand01() < g_net.loss) {
        if (!is_rtcp) g_net.rtp_dropped[self]++;
        return 0;
    }
    if (g_net.dup > 0 && net_rand01() < g_net.dup) { copies = 2; if (!is_rtcp) g_net.rtp_duplicated[self]++; }
    for (i = 0; i < copies; i++) {
        uint64_t at = vnow + (uint64_t)g_net.delay_us;
        if (g_net.jitter_us) at += (uint64_t)(net_rand01() * (double)g_net.jitter_us);
        if (g_net.reorder > 0 && net_rand01() < g_net.reorder) at += 30000;   /* overtaken by the next one */
        net_enqueue(dst, rtcp_port, &from, d, len, at);
    }
    return 0;
}

/* ---- callbacks recording what happened ---- */
static void cb_state(media_session *s, int o, int n, void *u) { ep *e = (ep *)u; (void)s; (void)o; if (e->nstates < 64) e->states[e->nstates++] = n; }
static void cb_dtmf(media_session *s, char d, uint32_t ms, void *u)
{
    ep *e = (ep *)u;
    if (e->ndigits < 127) {
        e->dsrc[e->ndigits] = (char)media_session_dtmf_source_get(s);
        e->dur[e->ndigits] = ms;
        e->digits[e->ndigits++] = d;
        e->digits[e->ndigits] = 0;
    }
}
static int cb_error(media_session *s, int err, void *u) { ep *e = (ep *)u; (void)s; if (e->nerrors < 16) e->errors[e->nerrors++] = err; return MEDIA_ERROR_CONTINUE; }
static void cb_play(media_session *s, int id, int rc, void *u)
{
    ep *e = (ep *)u; (void)s;
    if (e->nplay < 16) { e->play_ids[e->nplay] = id; e->play_res[e->nplay++] = rc; }
}
static void cb_record(media_session *s, int rc, void *u) { ep *e = (ep *)u; (void)s; e->record_done++; e->record_rc = rc; }
static void cb_audio_in(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    ep *e = (ep *)u; (void)s; (void)rate;
    if (e->ncap + n <= NET_CAPTURE) { memcpy(e->cap + e->ncap, pcm, n * sizeof *pcm); e->ncap += n; }
}
static int cb_audio_out(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *u)
{
    ep *e = (ep *)u;
    size_t i;
    (void)s;
    if (e->tones) {
        static const char keys[] = "123A456B789C*0#D";
        static const double fr[8] = { 697, 770, 852, 941, 1209, 1336, 1477, 1633 };
        for (i = 0; i < n; i++, e->phase++) {
            uint64_t t = e->phase * 1000000u / rate, k = t / 160000u;
            const char *key;
            pcm[i] = 0;
            if (t % 160000u >= 80000u) continue;
            if (k >= strlen(e->tones) || !(key = strchr(keys, e->tones[k]))) continue;
            pcm[i] = (int16_t)(6000 * sin(2 * 3.14159265358979 * fr[(key - keys) / 4] * (double)e->phase / rate) +
                               6000 * sin(2 * 3.14159265358979 * fr[4 + (key - keys) % 4] * (double)e->phase / rate));
        }
        return (int)n;
    }
    if (e->tone_hz <= 0) return 0;
    for (i = 0; i < n; i++, e->phase++) {
        double t = (double)e->phase / rate;
        pcm[i] = (int16_t)(e->amp * (sin(2 * 3.14159265358979 * e->tone_hz * t) +
                                     (e->tone2_hz > 0 ? sin(2 * 3.14159265358979 * e->tone2_hz * t) : 0)));
        if (e->on_ms && e->phase * 1000u / rate % (e->on_ms + e->off_ms) >= e->on_ms) pcm[i] = 0;
    }
    return (int)n;
}
static void cb_tone(media_session *s, int tone, int region, void *u)
{
    ep *e = (ep *)u;
    (void)s;
    if (e->nheard < 16) { e->heard_region[e->nheard] = region; e->heard[e->nheard++] = tone; }
}
static void cb_start(media_session *s, int dir, void *u) { ep *e = (ep *)u; (void)s; if (e->nstarts < 8) e->starts[e->nstarts++] = dir; }
static void cb_stop(media_session *s, int dir, void *u) { ep *e = (ep *)u; (void)s; if (e->nstops < 8) e->stops[e->nstops++] = dir; }
static void cb_session_start(media_session *s, void *u) { ep *e = (ep *)u; (void)s; e->session_starts++; }
static void cb_session_stop(media_session *s, int reason, void *u) { ep *e = (ep *)u; (void)s; e->session_stops++; e->stop_reason = reason; }
static int cb_request(media_session *s, int kind, const uint8_t *d, size_t len, void *u)
{
    ep *e = (ep *)u;
    (void)s;
    if (e->nrequests < 16) {
        e->requests[e->nrequests] = kind;
        e->request_len[e->nrequests] = (int)len;
        memcpy(e->request_head[e->nrequests++], d, len < 12 ? len : 12);
    }
    return e->handle_requests;
}
static void cb_negotiated(media_session *s, int rc, const media_sdp_result *r, void *u) { ep *e = (ep *)u; (void)s; (void)r; e->negotiated++; e->neg_rc = rc; }
static void cb_quality(media_session *s, int level, const media_session_stats *st, void *u)
{
    ep *e = (ep *)u; (void)s; (void)st;
    if (e->nquality < 32) e->quality[e->nquality++] = level;
}
static void cb_stats(media_session *s, const media_session_stats *st, void *u) { ep *e = (ep *)u; (void)s; e->stats_calls++; e->last_stats = *st; }

static void net_reset(void)
{
    int i;
    for (i = 0; i < NET_EPS; i++) {
        if (g_ep[i].s) media_session_destroy(g_ep[i].s);
        free(g_ep[i].log);
        free(g_ep[i].arrived);
        free(g_ep[i].cap);
    }
    free(g_net.q);
    memset(&g_net, 0, sizeof g_net);
    memset(g_ep, 0, sizeof g_ep);
    g_net.q = (net_pkt *)calloc(NET_QUEUE, sizeof *g_net.q);
    vnow = 1000000000ull;
    harness_seed(12345);
}

/* A session config on the simulated network at ip:port. */
static void ep_config(media_session_config *c, int i, const char *ip, uint16_t port)
{
    ep *e = &g_ep[i];
    media_session_config_init(c);
    c->send = net_send;
    c->now_us = vclock;
    c->sdp_address = ip;
    c->port_min = port;
    c->seed = 1000 + (uint64_t)i;
    c->handler.user = e;
    c->handler.state_change = cb_state;
    c->handler.dtmf = cb_dtmf;
    c->handler.stream_error = cb_error;
    c->handler.play_complete = cb_play;
    c->handler.record_complete = cb_record;
    c->handler.audio_in = cb_audio_in;
    c->handler.audio_out = cb_audio_out;
    c->handler.stream_start = cb_start;
    c->handler.stream_stop = cb_stop;
    c->handler.negotiation_complete = cb_negotiated;
    c->handler.quality_alert = cb_quality;
    c->handler.stats = cb_stats;
    c->handler.session_start = cb_session_start;
    c->handler.session_stop = cb_session_stop;
    c->handler.media_request = cb_request;
    c->handler.tone = cb_tone;
    media_addr_parse(&e->rtp, ip, port);
    e->log = (wire_rec *)calloc(NET_LOG, sizeof *e->log);
    e->arrived = (uint16_t *)calloc(NET_LOG, sizeof *e->arrived);
    e->cap = (int16_t *)calloc(NET_CAPTURE, sizeof *e->cap);
    e->amp = 8000;
}

static media_session *ep_create(int i, const media_session_config *c)
{
    int err = 0;
    g_ep[i].s = media_session_create(c, &err);
    g_ep[i].next_poll = vnow;
    return g_ep[i].s;
}

/* offer from a, answer from b */
static int net_negotiate(int a, int b)
{
    char offer[4096], answer[4096];
    int n = media_session_offer_create(g_ep[a].s, offer, sizeof offer), rc;
    if (n < 0) return n;
    if ((rc = media_session_remote_sdp_set(g_ep[b].s, offer, (size_t)n)) != MEDIA_OK) return rc;
    if ((n = media_session_answer_create(g_ep[b].s, answer, sizeof answer)) < 0) return n;
    rc = media_session_remote_sdp_set(g_ep[a].s, answer, (size_t)n);
    g_ep[a].next_poll = g_ep[b].next_poll = vnow;
    return rc;
}

static int net_failed_polls;

/* Runs the network and the sessions until virtual time end. */
static void net_run_until(uint64_t end)
{
    for (;;) {
        uint64_t t = end;
        int i, k;
        for (i = 0; i < NET_EPS; i++) if (g_ep[i].s && g_ep[i].next_poll < t) t = g_ep[i].next_poll;
        for (k = 0; k < g_net.nq; k++) if (g_net.q[k].at < t) t = g_net.q[k].at;
        /* time never goes back: what fell due while a test moved the clock
           on by hand (a stalled loop) is handled late, as a real loop would */
        if (t > vnow) vnow = t;
        /* deliver what is due, in arrival order (stable for equal times) */
        for (;;) {
            int best = -1;
            for (k = 0; k < g_net.nq; k++)
                if (g_net.q[k].at <= vnow && (best < 0 || g_net.q[k].at < g_net.q[best].at)) best = k;
            if (best < 0) break;
            {
                net_pkt p = g_net.q[best];
                memmove(&g_net.q[best], &g_net.q[best + 1], (size_t)(g_net.nq - best - 1) * sizeof p);
                g_net.nq--;
                if (g_ep[p.to].s) {
                    ep *e = &g_ep[p.to];
                    if (!p.is_rtcp && p.len >= 12 && (p.data[1] < 192 || p.data[1] > 223) && e->arrived && e->narrived < NET_LOG)
                        e->arrived[e->narrived++] = (uint16_t)((p.data[2] << 8) | p.data[3]);
                    media_session_receive_from(g_ep[p.to].s, p.data, p.len, p.is_rtcp, &p.from);
                    g_ep[p.to].next_poll = vnow;   /* as if its socket became readable */
                }
            }
        }
        for (i = 0; i < NET_EPS; i++) {
            ep *e = &g_ep[i];
            int r;
            if (!e->s || e->next_poll > vnow) continue;
            r = media_session_poll(e->s);
            if (r < 0) { e->next_poll = UINT64_MAX; continue; }
            if (r == 0) {
                if (++e->zero_polls > 3) { net_failed_polls++; r = 1; }
            } else {
                e->zero_polls = 0;
            }
            e->next_poll = vnow + (uint64_t)r * 1000;
        }
        if (t >= end) break;
    }
}

static void net_run_ms(uint64_t ms) { net_run_until(vnow + ms * 1000); }

/* The sine of frequency f that fits x best (least squares: a sin + b cos);
   its amplitude, a and b where wanted. */
static double sine_fit(const int16_t *x, size_t n, double f, double rate, double *pa, double *pb)
{
    double ss = 0, sc = 0, cc = 0, xs = 0, xc = 0, a, b, det;
    size_t i;
    for (i = 0; i < n; i++) {
        double w = 2 * 3.14159265358979 * f * (double)i / rate, s = sin(w), c = cos(w);
        ss += s * s; cc += c * c; sc += s * c; xs += x[i] * s; xc += x[i] * c;
    }
    det = ss * cc - sc * sc;
    a = det == 0 ? 0 : (xs * cc - xc * sc) / det;
    b = det == 0 ? 0 : (xc * ss - xs * sc) / det;
    if (pa) *pa = a;
    if (pb) *pb = b;
    return sqrt(a * a + b * b);
}

/* SNR (dB) of x against the best-fitting sine of frequency f (amplitude and phase fitted). */
static double sine_snr(const int16_t *x, size_t n, double f, double rate)
{
    double a, b, e = 0;
    size_t i;
    if (sine_fit(x, n, f, rate, &a, &b) == 0) return -100;
    for (i = 0; i < n; i++) {
        double w = 2 * 3.14159265358979 * f * (double)i / rate, r = x[i] - a * sin(w) - b * cos(w);
        e += r * r;
    }
    return 10 * log10(((a * a + b * b) / 2 * (double)n) / (e > 1e-9 ? e : 1e-9));
}

/* Share of whole frames (n samples each) whose own sine fit is above thr dB. */
static double frames_above(const int16_t *x, size_t len, size_t n, double f, double rate, double thr)
{
    size_t i, good = 0, all = 0;
    for (i = 0; i + n <= len; i += n, all++) good += sine_snr(x + i, n, f, rate) > thr;
    return all ? (double)good / (double)all : 0;
}
#endif
