/* relay: a seeded impairment relay for loopback (netem does not exist here).
     relay --listen PORT --to ADDR:PORT [--loss P] [--gilbert P_GB:P_BG]
           [--delay MS] [--jitter MS] [--reorder P] [--dup P] [--seed N]
           [--corrupt N] [--duration S] [--idle S] [--stats FILE]
   RTP arriving on 127.0.0.1:PORT goes on to ADDR:PORT from the same socket,
   impaired: dropped (independent loss P, plus Gilbert-Elliott bursts: a bad
   state entered with P_GB per packet, left with P_BG, dropping everything),
   delayed by DELAY + uniform 0..JITTER ms, with probability REORDER held 25 ms
   more (so later packets overtake it), with probability DUP sent twice (each
   copy its own delay), the N-th packet (--corrupt) with one bit of its 21st
   byte flipped. RTCP on PORT+1 is passed to ADDR:PORT+1 untouched, except
   what comes from ADDR:PORT+1 itself (the receiver's own reports, sent to
   the relay as to its peer: passed on, they would come back to it).
   Decisions depend only on the seed and the packet's arrival index, so the
   same stream meets the same fate. Ends after --duration (30 s) or --idle
   (3 s) without packets once some came, and writes its ground truth as JSON:
   received, forwarded (datagrams sent on), dropped, duplicated, reordered,
   corrupted. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define QCAP 4096

typedef struct item { uint64_t due; int rtcp; size_t len; unsigned char d[1500]; } item;

static item q[QCAP];
static int nq;
static uint64_t rng = 88172645463325252ull;

static double urand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static uint64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static int bind_udp(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("relay: bind"); exit(1); }
    return fd;
}

static void enqueue(uint64_t due, int rtcp, const unsigned char *d, size_t len)
{
    if (nq >= QCAP) return;
    q[nq].due = due; q[nq].rtcp = rtcp; q[nq].len = len;
    memcpy(q[nq].d, d, len);
    nq++;
}

int main(int argc, char **argv)
{
    int listen_port = 0, to_port = 0, i, fd[2], bad = 0;
    const char *to_host = "127.0.0.1", *stats = NULL;
    double loss = 0, p_gb = 0, p_bg = 1, delay = 0, jitter = 0, reorder = 0, dup = 0, duration = 30, idle = 3;
    long received = 0, forwarded = 0, dropped = 0, duplicated = 0, reordered = 0, corrupt_at = 0, corrupted = 0;
    struct sockaddr_in dst[2];
    uint64_t start, last = 0;
    char host[64];
    for (i = 1; i + 1 < argc; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--listen")) listen_port = atoi(v);
        else if (!strcmp(o, "--to")) {
            const char *c = strrchr(v, ':');
            size_t n = c ? (size_t)(c - v) : 0;
            if (!c || n >= sizeof host) { fprintf(stderr, "relay: --to ADDR:PORT\n"); return 2; }
            memcpy(host, v, n); host[n] = 0; to_host = host; to_port = atoi(c + 1);
        }
        else if (!strcmp(o, "--loss")) loss = atof(v);
        else if (!strcmp(o, "--gilbert")) { if (sscanf(v, "%lf:%lf", &p_gb, &p_bg) != 2) return 2; }
        else if (!strcmp(o, "--delay")) delay = atof(v);
        else if (!strcmp(o, "--jitter")) jitter = atof(v);
        else if (!strcmp(o, "--reorder")) reorder = atof(v);
        else if (!strcmp(o, "--dup")) dup = atof(v);
        else if (!strcmp(o, "--corrupt")) corrupt_at = atol(v);
        else if (!strcmp(o, "--seed")) rng = strtoull(v, NULL, 0) * 2654435761u + 1;
        else if (!strcmp(o, "--duration")) duration = atof(v);
        else if (!strcmp(o, "--idle")) idle = atof(v);
        else if (!strcmp(o, "--stats")) stats = v;
        else { fprintf(stderr, "relay: unknown option %s\n", o); return 2; }
    }
    if (!listen_port || !to_port) { fprintf(stderr, "relay: --listen and --to are needed\n"); return 2; }
    fd[0] = bind_udp(listen_port);
    fd[1] = bind_udp(listen_port + 1);
    for (i = 0; i < 2; i++) {
        memset(&dst[i], 0, sizeof dst[i]);
        dst[i].sin_family = AF_INET;
        dst[i].sin_port = htons((uint16_t)(to_port + i));
        if (inet_pton(AF_INET, to_host, &dst[i].sin_addr) != 1) { fprintf(stderr, "relay: bad address\n"); return 2; }
    }
    start = now_us();
    for (;;) {
        struct pollfd p[2];
        uint64_t t = now_us(), next = t + 20000;
        int k, timeout;
        if (t - start > (uint64_t)(duration * 1e6)) break;
        if (last && t - last > (uint64_t)(idle * 1e6) && nq == 0) break;
        /* send what is due, earliest first */
        for (;;) {
            int best = -1;
            for (k = 0; k < nq; k++) if (q[k].due <= t && (best < 0 || q[k].due < q[best].due)) best = k;
            if (best < 0) break;
            (void)sendto(fd[q[best].rtcp], q[best].d, q[best].len, 0, (struct sockaddr *)&dst[q[best].rtcp], sizeof dst[0]);
            if (!q[best].rtcp) forwarded++;
            q[best] = q[--nq];
        }
        for (k = 0; k < nq; k++) if (q[k].due < next) next = q[k].due;
        timeout = next > t ? (int)((next - t + 999) / 1000) : 0;
        for (k = 0; k < 2; k++) { p[k].fd = fd[k]; p[k].events = POLLIN; p[k].revents = 0; }
        if (poll(p, 2, timeout) < 0 && errno != EINTR) break;
        for (k = 0; k < 2; k++) {
            unsigned char d[1500];
            ssize_t n;
            if (!(p[k].revents & POLLIN)) continue;
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            while ((n = recvfrom(fd[k], d, sizeof d, MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) > 0) {
                uint64_t at = now_us();
                int copies, c, lose;
                last = at;
                fl = sizeof from;
                if (k == 1) {
                    if (from.sin_port != dst[1].sin_port || from.sin_addr.s_addr != dst[1].sin_addr.s_addr) enqueue(at, 1, d, (size_t)n);
                    continue;
                }
                received++;
                /* the same number of draws for every packet: its fate depends on its index alone */
                {
                    double u_state = urand(), u_loss = urand(), u_dup = urand(), u_re = urand();
                    double u_d1 = urand(), u_d2 = urand();
                    bad = bad ? u_state >= p_bg : u_state < p_gb;
                    lose = bad || u_loss < loss;
                    if (lose) { dropped++; continue; }
                    if (received == corrupt_at && n > 20) { d[20] ^= 0x10; corrupted++; }
                    copies = u_dup < dup ? 2 : 1;
                    duplicated += copies - 1;
                    for (c = 0; c < copies; c++) {
                        double ms = delay + jitter * (c ? u_d2 : u_d1);
                        if (c == 0 && u_re < reorder) { ms += 25; reordered++; }
                        enqueue(at + (uint64_t)(ms * 1000), 0, d, (size_t)n);
                    }
                }
            }
        }
    }
    if (stats) {
        FILE *f = fopen(stats, "w");
        if (f) {
            fprintf(f, "{\"received\":%ld,\"forwarded\":%ld,\"dropped\":%ld,\"duplicated\":%ld,\"reordered\":%ld,"
                    "\"corrupted\":%ld}\n", received, forwarded, dropped, duplicated, reordered, corrupted);
            fclose(f);
        }
    }
    return 0;
}
