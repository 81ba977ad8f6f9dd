/* bench_relay: what forwarding one RTP packet costs a media relay (an SBC),
   N calls at once on loopback. Each call has two phones that send each
   other 20 ms PCMU packets, and between the two the relay:
   either two media_sessions joined by a media_bridge (the packet is
   received, checked, counted and sent on under the other leg's SSRC,
   sequence and timestamp), or the floor, a bare loop doing nothing but
   epoll_wait + recv + send on the same sockets.

   Each round the phones send one packet per call (not timed); then the
   relay runs until every packet has gone through, and only that part is
   timed, in this thread's CPU time (user + system: the system calls are
   most of it). The sessions run on a clock advanced 20 ms a round, so their
   timers (ticks, RTCP) fire as in a real call. Reported: CPU microseconds
   per forwarded packet, the floor's, and their ratio; the median of
   alternating runs (this VM's speed drifts).

       bench_relay [N [ROUNDS [REPEATS]]]   (N = 100 and 1000, 500 rounds, 5 repeats) */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

typedef struct call {
    int phone[2];                  /* the phones' sockets */
    int leg[2];                    /* the floor's relay sockets, each connected to its phone */
    media_session *s[2];           /* or the sessions' */
    media_bridge *br;
    uint16_t seq[2];
    uint32_t ts[2];
} call;

static uint64_t vnow = 1000000;
static uint64_t vclock(void *user) { (void)user; return vnow; }

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int udp(uint16_t *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 1 << 20;
    if (fd < 0) return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static int connect_to(int fd, uint16_t port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    return connect(fd, (struct sockaddr *)&sa, sizeof sa);
}

/* a leg answering a phone at port: PCMU, rtcp-mux, on 127.0.0.1 */
static media_session *leg(uint16_t phone_port, uint16_t *leg_port)
{
    media_session_config cfg;
    media_session *s;
    media_addr a;
    char offer[512], answer[2048];
    int err, n;
    media_session_config_init(&cfg);
    cfg.now_us = vclock;
    cfg.local_address = "127.0.0.1";
    if (!(s = media_session_create(&cfg, &err))) return NULL;
    n = snprintf(offer, sizeof offer,
                 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                 "m=audio %u RTP/AVP 0\r\na=rtcp-mux\r\na=sendrecv\r\n", (unsigned)phone_port);
    if (media_session_remote_sdp_set(s, offer, (size_t)n) != MEDIA_OK ||
        media_session_answer_create(s, answer, sizeof answer) < 0 || media_session_local_addr_get(s, &a) != MEDIA_OK) {
        media_session_destroy(s);
        return NULL;
    }
    *leg_port = a.port;
    return s;
}

static int setup(call *c, int n, int sessions, int ep)
{
    int i, k;
    for (i = 0; i < n; i++) {
        uint16_t pp[2], lp[2];
        memset(&c[i], 0, sizeof c[i]);
        c[i].leg[0] = c[i].leg[1] = -1;
        for (k = 0; k < 2; k++) if ((c[i].phone[k] = udp(&pp[k])) < 0) return -1;
        for (k = 0; k < 2; k++) {
            struct epoll_event ev;
            int fd;
            if (sessions) {
                if (!(c[i].s[k] = leg(pp[k], &lp[k]))) return -1;
                fd = media_session_fd_get(c[i].s[k], 0);
            } else {
                if ((c[i].leg[k] = udp(&lp[k])) < 0 || connect_to(c[i].leg[k], pp[k]) != 0) return -1;
                fd = c[i].leg[k];
            }
            ev.events = EPOLLIN;
            ev.data.u64 = (uint64_t)i << 1 | (uint64_t)k;
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
            if (connect_to(c[i].phone[k], lp[k]) != 0) return -1;
            c[i].seq[k] = (uint16_t)(i * 7919 + k);
            c[i].ts[k] = (uint32_t)i * 104729u + (uint32_t)k;
        }
        if (sessions) {
            int err;
            if (!(c[i].br = media_bridge_create(c[i].s[0], c[i].s[1], NULL, &err))) return -1;
        }
    }
    return 0;
}

/* packets the bridges relayed (the sessions' own audio would arrive too) */
static long relayed(const call *c, int n)
{
    long total = 0;
    int i, k;
    for (i = 0; i < n; i++)
        for (k = 0; k < 2 && c[i].br; k++) {
            media_bridge_stats st;
            if (media_bridge_stats_get(c[i].br, k, &st) == MEDIA_OK) total += (long)st.relayed;
        }
    return total;
}

static void teardown(call *c, int n)
{
    int i, k;
    for (i = 0; i < n; i++) {
        media_bridge_destroy(c[i].br);
        for (k = 0; k < 2; k++) {
            media_session_destroy(c[i].s[k]);
            close(c[i].phone[k]);
            if (c[i].leg[k] >= 0) close(c[i].leg[k]);
        }
    }
}

/* one run: seconds of relay CPU per packet, or -1 */
static double run(int n, int rounds, int sessions)
{
    call *c = (call *)calloc((size_t)n, sizeof *c);
    int ep = epoll_create1(0), r, i;
    double cpu = 0;
    long forwarded = 0, sent = 0;
    uint8_t pkt[172], buf[1500];
    if (!c || ep < 0 || setup(c, n, sessions, ep) != 0) { printf("set-up failed: %s\n", strerror(errno)); return -1; }
    memset(pkt, 0xFF, sizeof pkt);
    for (r = 0; r < rounds; r++) {
        double t0;
        int left = 2 * n, spins = 0, k;
        vnow += 20000;
        for (i = 0; i < n; i++)   /* the phones speak */
            for (k = 0; k < 2; k++) {
                pkt[0] = 0x80; pkt[1] = 0;
                pkt[2] = (uint8_t)(c[i].seq[k] >> 8); pkt[3] = (uint8_t)c[i].seq[k];
                pkt[4] = (uint8_t)(c[i].ts[k] >> 24); pkt[5] = (uint8_t)(c[i].ts[k] >> 16);
                pkt[6] = (uint8_t)(c[i].ts[k] >> 8); pkt[7] = (uint8_t)c[i].ts[k];
                pkt[8] = 0x12; pkt[9] = (uint8_t)k; pkt[10] = (uint8_t)(i >> 8); pkt[11] = (uint8_t)i;
                c[i].seq[k]++;
                c[i].ts[k] += 160;
                if (send(c[i].phone[k], pkt, sizeof pkt, 0) == (ssize_t)sizeof pkt) sent++;
            }
        t0 = thread_cpu();
        while (left > 0 && spins < 1000) {   /* the relay: until every packet has gone through */
            struct epoll_event ev[64];
            int got = epoll_wait(ep, ev, 64, 0), e;
            if (got <= 0) { spins++; continue; }
            for (e = 0; e < got; e++) {
                call *x = &c[ev[e].data.u64 >> 1];
                int from = (int)(ev[e].data.u64 & 1);
                if (sessions) {
                    (void)media_session_poll_ready(x->s[from], MEDIA_READY_RTP);
                    left--;   /* one readable socket, one packet (checked at the phones below) */
                } else {
                    ssize_t m;
                    while ((m = recv(x->leg[from], buf, sizeof buf, MSG_DONTWAIT)) > 0) {
                        (void)send(x->leg[!from], buf, (size_t)m, 0);
                        left--;
                    }
                }
            }
        }
        cpu += thread_cpu() - t0;
        for (i = 0; i < n; i++)   /* the phones hear each other (not timed) */
            for (k = 0; k < 2; k++) {
                ssize_t m;
                while ((m = recv(c[i].phone[k], buf, sizeof buf, MSG_DONTWAIT)) > 0) forwarded += m == (ssize_t)sizeof pkt;
            }
    }
    if (sessions && relayed(c, n) < sent * 99 / 100) { printf("only %ld of %ld packets relayed\n", relayed(c, n), sent); return -1; }
    teardown(c, n);
    close(ep);
    free(c);
    if (forwarded < sent * 99 / 100) { printf("only %ld of %ld packets arrived\n", forwarded, sent); return -1; }
    return cpu / (double)forwarded;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static const int sizes[] = { 100, 1000 };
    int only = argc > 1 ? atoi(argv[1]) : 0, rounds = argc > 2 ? atoi(argv[2]) : 500, reps = argc > 3 ? atoi(argv[3]) : 5;
    struct rlimit rl;
    size_t k;
    if (rounds < 10) rounds = 10;
    if (reps < 1 || reps > 15) reps = 5;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192) {
        rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    printf("relay: CPU per forwarded RTP packet (PCMU, 20 ms), median of %d runs of %d rounds\n", reps, rounds);
    printf("%-6s %14s %12s %7s\n", "calls", "bridged us", "floor us", "ratio");
    for (k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        double s[15], f[15], ratio[15];
        int r;
        if (only && sizes[k] != only) continue;
        for (r = 0; r < reps; r++) {
            if ((f[r] = run(sizes[k], rounds, 0)) < 0 || (s[r] = run(sizes[k], rounds, 1)) < 0) return 1;
            ratio[r] = s[r] / f[r];
        }
        qsort(s, (size_t)reps, sizeof *s, cmp);
        qsort(f, (size_t)reps, sizeof *f, cmp);
        qsort(ratio, (size_t)reps, sizeof *ratio, cmp);
        printf("%-6d %14.2f %12.2f %7.2f\n", sizes[k], s[reps / 2] * 1e6, f[reps / 2] * 1e6, ratio[reps / 2]);
    }
    return 0;
}
