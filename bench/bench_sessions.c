/* bench_sessions: N concurrent PCMU calls in one process on loopback, 20 ms
   packets both ways, driven by one epoll loop the way examples/epoll_many.c
   teaches (each poll's deadline in a min-heap, poll_ready() for the socket
   that woke the loop, one clock reading a turn), against the floor: the same
   sockets, the same heap and the same packet schedule with nothing but
   sendto + epoll_wait + recvfrom.

   Reported per RTP packet (its send and its receive, everything the session
   does for it: jitter buffer, decode and concealment state, statistics, RTCP,
   timers): CPU microseconds (user + system, getrusage) and the ratio to the
   floor; and memory per session: the bytes it allocated (one block) and the
   growth of the resident set while the sessions were created.

   Each size runs ROUNDS rounds of the floor and then the sessions, SECONDS
   each after a second of warm-up, and reports the medians.

   The floor is measured twice: as the issue defines it (sendto, recvfrom
   on unconnected sockets) and with connected sockets (send, recv), which is
   what the sessions use: the ratio to the second is the session's own cost.

   With "srtp" last, every call runs SRTP (media_srtp.h, AES_CM_128_HMAC_SHA1_80
   both ways, keys negotiated in the SDP): its CPU per packet beside the
   clear calls'.

       bench_sessions [SECONDS [N [f|s|b [ROUNDS [srtp [SUITE]]]]]]   (3 s, N = 100 and 1000, both, 3 rounds) */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <stdint.h>

/* count what the sessions allocate: a size header in front of each block */
static long long live_bytes;
static void *bench_malloc(size_t n)
{
    size_t *p = (size_t *)malloc(n + 16);
    if (!p) return NULL;
    *p = n;
    live_bytes += (long long)n;
    return (char *)p + 16;
}
static void bench_free(void *q)
{
    if (!q) return;
    q = (char *)q - 16;
    live_bytes -= (long long)*(size_t *)q;
    free(q);
}
#define MEDIA_MALLOC(sz, u) ((void)(u), bench_malloc(sz))
#define MEDIA_FREE(p, u) ((void)(u), bench_free(p))
#define MEDIA_REALLOC(p, sz, u) ((void)(p), (void)(u), (void *)0)   /* the session never reallocates */
#define MEDIA_IMPLEMENTATION
#define MEDIA_SRTP_IMPLEMENTATION
#include "../media.h"
#include "../media_srtp.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/* ---- one min-heap of deadlines for both loops: a timer is the first
   member of what it times (a floor socket, a call) ---- */
typedef struct timer { uint64_t due; int at; } timer;

static void heap_set(timer **h, int i, timer *t) { h[i] = t; t->at = i; }

static void heap_down(timer **h, int n, int i)
{
    timer *t = h[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && h[c + 1]->due < h[c]->due) c++;
        if (h[c]->due >= t->due) break;
        heap_set(h, i, h[c]);
        i = c;
    }
    heap_set(h, i, t);
}

static void heap_up(timer **h, int i)
{
    timer *t = h[i];
    while (i > 0 && h[(i - 1) / 2]->due > t->due) { heap_set(h, i, h[(i - 1) / 2]); i = (i - 1) / 2; }
    heap_set(h, i, t);
}

/* ---- the sessions' loop ---- */
typedef struct call { timer t; media_session *s; int ended; double osc[3]; media_srtp *x; } call;
static int use_srtp;   /* every call through media_srtp.h */
static const char *srtp_suite = "AES_CM_128_HMAC_SHA1_80";

static uint64_t loop_now;   /* read once a turn; every session's clock (cfg.now_us) */
static uint64_t loop_clock(void *user) { (void)user; return loop_now ? loop_now : media_now_us(); }

/* audio_out of one side of each call: a 400 Hz tone (the other side sends silence) */
static int tone(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    double *osc = (double *)user;
    size_t i;
    (void)s;
    if (osc[2] == 0) {
        double w = 2 * 3.14159265358979 * 400 / rate;
        osc[0] = 0; osc[1] = -6000 * sin(w); osc[2] = 2 * cos(w);
    }
    for (i = 0; i < n; i++) {
        double y = osc[2] * osc[0] - osc[1];
        osc[1] = osc[0];
        osc[0] = y;
        pcm[i] = (int16_t)y;
    }
    return (int)n;
}

/* a and b on 127.0.0.1, a offering, b answering */
static int pair_up(call *a, call *b)
{
    media_session_config cfg;
    char offer[MEDIA_SESSION_SDP_SIZE], answer[MEDIA_SESSION_SDP_SIZE];
    int err, n;
    media_session_config_init(&cfg);
    cfg.now_us = loop_clock;
    cfg.local_address = "127.0.0.1";
    if (use_srtp) {
        const char *suite[1];
        media_srtp_config sc;
        suite[0] = srtp_suite;
        media_srtp_config_init(&sc);
        sc.suites = suite;
        sc.suite_count = 1;
        if (!(a->x = (media_srtp *)malloc(sizeof *a->x)) || !(b->x = (media_srtp *)malloc(sizeof *b->x))) return MEDIA_ENOMEM;
        if ((err = media_srtp_init(b->x, &sc)) != MEDIA_OK || (err = media_srtp_init(a->x, &sc)) != MEDIA_OK) return err;
        media_srtp_attach(b->x, &cfg);
    }
    if (!(b->s = media_session_create(&cfg, &err))) return err;
    cfg.handler.user = a->osc;
    cfg.handler.audio_out = tone;
    if (use_srtp) media_srtp_attach(a->x, &cfg);
    if (!(a->s = media_session_create(&cfg, &err))) return err;
    if ((n = media_session_offer_create(a->s, offer, sizeof offer)) < 0) return n;
    if ((err = media_session_remote_sdp_set(b->s, offer, (size_t)n)) != MEDIA_OK) return err;
    if ((n = media_session_answer_create(b->s, answer, sizeof answer)) < 0) return n;
    return media_session_remote_sdp_set(a->s, answer, (size_t)n);
}

typedef struct loop { int ep, n; call *calls; timer **heap; } loop;

/* polls c (ready: MEDIA_READY_* of what woke it, 0 for its deadline) and files its next deadline */
static void call_poll(loop *l, call *c, unsigned ready)
{
    int ms = media_session_poll_ready(c->s, ready);
    uint64_t due = ms < 0 ? UINT64_MAX : loop_now + (uint64_t)ms * 1000;
    if (ms < 0) c->ended = 1;
    if (!ready || ms < 0) { c->t.due = due; heap_down(l->heap, l->n, c->t.at); }
    else if (due < c->t.due) { c->t.due = due; heap_up(l->heap, c->t.at); }   /* a later one: polled early, no harm */
}

static void loop_turn(loop *l)
{
    struct epoll_event ev[64];
    uint64_t now = media_now_us(), first = l->heap[0]->due;
    int timeout = first == UINT64_MAX ? 100 : first <= now ? 0 : (int)((first - now + 999) / 1000), k, got;
    got = epoll_wait(l->ep, ev, 64, timeout);
    loop_now = media_now_us();
    for (k = 0; k < got; k++) {
        call *c = &l->calls[ev[k].data.u64 / 2];
        if (!c->ended) call_poll(l, c, ev[k].data.u64 % 2 ? MEDIA_READY_RTCP : MEDIA_READY_RTP);
    }
    while (l->heap[0]->due <= loop_now) call_poll(l, (call *)l->heap[0], 0);
}

/* n sessions (n / 2 calls), negotiated and registered */
static int calls_start(loop *l, int n)
{
    int i, k;
    loop_now = 0;   /* the real clock until the loop turns */
    l->n = n;
    for (i = 0; i + 1 < n; i += 2)
        if (pair_up(&l->calls[i], &l->calls[i + 1]) != MEDIA_OK) return -1;
    for (i = 0; i < n; i++) {
        call *c = &l->calls[i];
        for (k = 0; k < 2; k++) {
            struct epoll_event ev;
            int fd = media_session_fd_get(c->s, k);
            if (fd < 0) continue;
            memset(&ev, 0, sizeof ev);
            ev.events = EPOLLIN;
            ev.data.u64 = (uint64_t)i * 2 + (uint64_t)k;
            if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
        }
        c->t.due = media_now_us();
        heap_set(l->heap, i, &c->t);
    }
    return 0;
}

/* hangs every call up and turns the loop until each has said BYE (2 s at most) */
static void calls_end(loop *l)
{
    uint64_t until = media_now_us() + 2000000;
    int i, open;
    for (i = 0; i < l->n; i++) {
        media_session_close(l->calls[i].s);
        if (!l->calls[i].ended) { l->calls[i].t.due = 0; heap_up(l->heap, l->calls[i].t.at); }
    }
    do {
        loop_turn(l);
        for (open = 0, i = 0; i < l->n; i++) open += !l->calls[i].ended;
    } while (open && media_now_us() < until);
}

/* user + system seconds; *user gets the user part (the process's own code:
   what a session adds shows there, the system calls are the same in both) */
static double cpu_seconds_split(double *user)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    return *user + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static uint64_t sent_total(const call *calls, int n)
{
    uint64_t t = 0;
    int i;
    for (i = 0; i < n; i++) {
        media_session_stats st;
        media_session_stats_get(calls[i].s, &st);
        t += st.packets_sent;
    }
    return t;
}

typedef struct result { double us, user_us, bytes, rss; uint64_t packets, sent, received, concealed; int64_t lost; } result;

static int run_sessions(int n, double seconds, result *r)
{
    loop l;
    long long bytes0 = live_bytes;
    long rss0 = rss_kb();
    uint64_t end, p0, p1, received = 0;
    double c0, c1, u0, u1;
    int i, rc;
    l.calls = (call *)calloc((size_t)n, sizeof *l.calls);
    l.heap = (timer **)calloc((size_t)n, sizeof *l.heap);
    l.ep = epoll_create1(0);
    if (!l.calls || !l.heap || l.ep < 0 || calls_start(&l, n) != 0) return -1;
    r->bytes = (double)(live_bytes - bytes0) / n;
    r->rss = (double)(rss_kb() - rss0) * 1024.0 / n;
    end = media_now_us() + 1000000;                 /* a second to settle (first RTCP, buffers) */
    while (media_now_us() < end) loop_turn(&l);
    p0 = sent_total(l.calls, n);
    c0 = cpu_seconds_split(&u0);
    end = media_now_us() + (uint64_t)(seconds * 1e6);
    while (media_now_us() < end) loop_turn(&l);
    c1 = cpu_seconds_split(&u1);
    p1 = sent_total(l.calls, n);
    calls_end(&l);
    r->lost = 0;
    r->sent = 0;
    r->concealed = 0;
    for (i = 0; i < n; i++) {
        media_session_stats st;
        media_session_stats_get(l.calls[i].s, &st);
        received += st.packets_received;
        r->sent += st.packets_sent;
        r->concealed += st.concealed;
        r->lost += st.lost;
        media_session_destroy(l.calls[i].s);
        if (l.calls[i].x) { media_srtp_free(l.calls[i].x); free(l.calls[i].x); }
    }
    r->packets = p1 - p0;
    r->received = received;
    r->us = (c1 - c0) * 1e6 / (double)(p1 - p0);
    r->user_us = (u1 - u0) * 1e6 / (double)(p1 - p0);
    rc = received > 0 ? 0 : -1;
    close(l.ep);
    free(l.calls);
    free(l.heap);
    return rc;
}

/* ---- the floor: same sockets, same schedule, nothing else ----
   As the issue defines it: sendto + epoll_wait + recvfrom on unconnected
   sockets. The sessions connect theirs to the peer (send and recv, cheaper
   in the kernel), so the floor is also measured that way ("connected"): the
   ratio to it is what the session's own work costs. */
typedef struct sock { timer t; int fd; struct sockaddr_in peer; } sock;

static int run_floor(int n, double seconds, result *r, int connected)
{
    sock *s = (sock *)calloc((size_t)n, sizeof *s);
    timer **h = (timer **)calloc((size_t)n, sizeof *h);
    int ep = epoll_create1(0), i;
    uint64_t sent = 0, got = 0, end, t0;
    unsigned char pkt[172], buf[1500];
    double c0 = 0, c1, u0 = 0, u1;
    int measuring = 0;
    if (!s || !h || ep < 0) return -1;
    memset(pkt, 0xFF, sizeof pkt);
    for (i = 0; i < n; i++) {
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        struct epoll_event ev;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (s[i].fd < 0 || bind(s[i].fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
        getsockname(s[i].fd, (struct sockaddr *)&a, &al);
        s[i].peer = a;   /* its own address for now: the pairs swap them below */
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.ptr = &s[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, s[i].fd, &ev);
    }
    t0 = media_now_us();
    for (i = 0; i < n; i++) {
        s[i].t.due = t0 + (uint64_t)(i % 20) * 1000;   /* spread like the sessions' start times */
        heap_set(h, i, &s[i].t);
    }
    for (i = 0; i + 1 < n; i += 2) { struct sockaddr_in t = s[i].peer; s[i].peer = s[i + 1].peer; s[i + 1].peer = t; }
    if (connected)
        for (i = 0; i < n; i++)
            if (connect(s[i].fd, (struct sockaddr *)&s[i].peer, sizeof s[i].peer) != 0) return -1;
    for (i = n / 2 - 1; i >= 0; i--) heap_down(h, n, i);
    end = t0 + 1000000 + (uint64_t)(seconds * 1e6);
    for (;;) {
        struct epoll_event ev[64];
        uint64_t now = media_now_us();
        int k, got_n, timeout;
        if (!measuring && now >= t0 + 1000000) { measuring = 1; c0 = cpu_seconds_split(&u0); sent = 0; }
        if (now >= end) break;
        timeout = h[0]->due <= now ? 0 : (int)((h[0]->due - now + 999) / 1000);
        got_n = epoll_wait(ep, ev, 64, timeout);
        for (k = 0; k < got_n; k++) {
            sock *x = (sock *)ev[k].data.ptr;
            struct sockaddr_storage from;   /* as a session reads: it checks who sent */
            socklen_t fl = sizeof from;
            if ((connected ? recv(x->fd, buf, sizeof buf, 0) : recvfrom(x->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) > 0)
                got++;
        }
        now = media_now_us();
        while (h[0]->due <= now) {
            sock *x = (sock *)h[0];
            if (connected) (void)send(x->fd, pkt, sizeof pkt, 0);
            else (void)sendto(x->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&x->peer, sizeof x->peer);
            sent++;
            x->t.due += 20000;
            heap_down(h, n, 0);
        }
    }
    c1 = cpu_seconds_split(&u1);
    r->packets = sent;
    r->us = (c1 - c0) * 1e6 / (double)sent;
    r->user_us = (u1 - u0) * 1e6 / (double)sent;
    for (i = 0; i < n; i++) close(s[i].fd);
    close(ep);
    free(s);
    free(h);
    return got > 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static const int sizes[] = { 100, 1000 };
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    int only_n = argc > 2 ? atoi(argv[2]) : 0;   /* profiling: one size, */
    int only = argc > 3 ? argv[3][0] : 0;        /* and 'f'loor or 's'essions alone */
    int rounds = argc > 4 ? atoi(argv[4]) : 3;
    use_srtp = argc > 5 && !strcmp(argv[5], "srtp");
    if (argc > 6) srtp_suite = argv[6];
    struct rlimit rl;
    size_t k;
    if (rounds < 1 || rounds > 15) rounds = 3;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
#ifdef MEDIA_SRTP_NO_LIBSRTP
    if (use_srtp) { printf("bench_sessions: built without libsrtp2 (MEDIA_SRTP_NO_LIBSRTP): no SRTP calls\n"); return 0; }
#endif
    if (use_srtp) printf("every call through SRTP (media_srtp.h, %s)\n", srtp_suite);
    printf("%-6s %10s %10s %6s %12s %6s %14s %12s\n", "calls", "us/packet", "floor", "ratio", "floor conn.", "ratio",
           "bytes/session", "RSS/session");
    for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        result a, b, c;
        double us[15], fl[15], flc[15], ratio[15], ratio_c[15];
        int r, failed = 0;
        if (only_n && sizes[k] != only_n) continue;
        /* rounds of floor, connected floor, sessions, the median of each:
           this VM's speed drifts by 10 % and more within a minute, and
           alternating puts all three under the same drift */
        for (r = 0; r < rounds && !failed; r++) {
            memset(&a, 0, sizeof a);
            memset(&b, 0, sizeof b);
            memset(&c, 0, sizeof c);
            if ((only != 's' && (run_floor(sizes[k], seconds, &b, 0) != 0 || run_floor(sizes[k], seconds, &c, 1) != 0)) ||
                (only != 'f' && run_sessions(sizes[k], seconds, &a) != 0))
                failed = 1;
            us[r] = a.us;
            fl[r] = b.us;
            flc[r] = c.us;
            ratio[r] = b.us > 0 ? a.us / b.us : 0;
            ratio_c[r] = c.us > 0 ? a.us / c.us : 0;
            printf("  round %d: %d calls %.2f us/packet, floor %.2f (ratio %.2f), connected floor %.2f (ratio %.2f);"
                   " user space %.2f, floors %.2f %.2f (%llu sent, %llu received, %lld lost, %llu concealed)\n",
                   r + 1, sizes[k], a.us, b.us, ratio[r], c.us, ratio_c[r], a.user_us, b.user_us, c.user_us,
                   (unsigned long long)a.sent, (unsigned long long)a.received, (long long)a.lost,
                   (unsigned long long)a.concealed);
        }
        if (failed) {
            printf("%-6d failed (sockets? ulimit -n)\n", sizes[k]);
            continue;
        }
        qsort(us, (size_t)rounds, sizeof *us, cmp_double);
        qsort(fl, (size_t)rounds, sizeof *fl, cmp_double);
        qsort(flc, (size_t)rounds, sizeof *flc, cmp_double);
        qsort(ratio, (size_t)rounds, sizeof *ratio, cmp_double);
        qsort(ratio_c, (size_t)rounds, sizeof *ratio_c, cmp_double);
        printf("%-6d %10.2f %10.2f %6.2f %12.2f %6.2f %14.0f %12.0f   (medians of %d rounds; ratios %.2f..%.2f, to the"
               " connected floor %.2f..%.2f)\n",
               sizes[k], us[rounds / 2], fl[rounds / 2], ratio[rounds / 2], flc[rounds / 2], ratio_c[rounds / 2], a.bytes,
               a.rss, rounds, ratio[0], ratio[rounds - 1], ratio_c[0], ratio_c[rounds - 1]);
        fflush(stdout);
    }
    return 0;
}
