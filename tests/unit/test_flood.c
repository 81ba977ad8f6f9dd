/* make test: once -- real sockets. Many calls on 127.0.0.1 driven as an
   epoll loop drives them (media_session_poll_ready told which socket is
   readable, a deadline per session), every session's RTP port flooded
   from a stranger's socket at 1000 datagrams a second (junk, and RTP with
   made-up SSRCs): twenty times the call's own rate. Half the calls latch
   (their sockets stay unconnected, so the flood reaches them and is
   refused and counted), half do not (connected: the kernel drops it).
   Every call's every packet must still arrive and play, on a virtual clock
   so the loop's speed does not decide it. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../../media.h"
#include "../harness.h"
#include <math.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define FL_PAIRS 8
#define FL_N (2 * FL_PAIRS)

static uint64_t vnow = 5000000;
static uint64_t fl_clock(void *user) { (void)user; return vnow; }

typedef struct fl_side { media_session *s; uint64_t due; double osc; long heard_frames; } fl_side;
static fl_side sides[FL_N];

static int fl_tone(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    fl_side *f = (fl_side *)user;
    size_t i;
    (void)s;
    for (i = 0; i < n; i++) { pcm[i] = (int16_t)(7000 * sin(f->osc)); f->osc += 2 * 3.14159265358979 * 700 / rate; }
    return (int)n;
}

static void fl_heard(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    fl_side *f = (fl_side *)user;
    double e = 0;
    size_t i;
    (void)s; (void)rate;
    for (i = 0; i < n; i++) e += (double)pcm[i] * pcm[i];
    if (n && e / (double)n > 1e6) f->heard_frames++;   /* the tone, not silence or concealment fading out */
}

static void fl_poll(int i, unsigned ready)
{
    int ms = media_session_poll_ready(sides[i].s, ready);
    if (ms >= 0 && (!ready || vnow + (uint64_t)ms * 1000 < sides[i].due)) sides[i].due = vnow + (uint64_t)ms * 1000;
}

static void test_flood(void)
{
    int ep = epoll_create1(0), stranger = socket(AF_INET, SOCK_DGRAM, 0), i, k, step;
    struct sockaddr_in to[FL_N];
    uint8_t junk[172];
    uint32_t r = 12345;
    long flooded = 0;
    CHECK(ep >= 0 && stranger >= 0);
    for (i = 0; i < FL_N; i++) {
        media_session_config c;
        media_addr a;
        media_session_config_init(&c);
        c.local_address = "127.0.0.1";
        c.now_us = fl_clock;
        c.seed = 500u + (uint64_t)i;
        c.latch = (i / 2) % 2 ? MEDIA_LATCH_ON : MEDIA_LATCH_OFF;
        c.handler.user = &sides[i];
        c.handler.audio_in = fl_heard;
        if (i % 2 == 0) c.handler.audio_out = fl_tone;
        sides[i].s = media_session_create(&c, NULL);
        if (!sides[i].s) { CHECK(0); return; }
        CHECK_EQ_INT(media_session_local_addr_get(sides[i].s, &a), MEDIA_OK);
        memset(&to[i], 0, sizeof to[i]);
        to[i].sin_family = AF_INET;
        to[i].sin_port = htons(a.port);
        memcpy(&to[i].sin_addr, a.ip, 4);
        for (k = 0; k < 2; k++) {
            struct epoll_event ev;
            int fd = media_session_fd_get(sides[i].s, k);
            if (fd < 0) continue;
            memset(&ev, 0, sizeof ev);
            ev.events = EPOLLIN;
            ev.data.u32 = (uint32_t)(i * 2 + k);
            CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
        }
    }
    for (i = 0; i < FL_N; i += 2) {
        char offer[MEDIA_SESSION_SDP_SIZE], answer[MEDIA_SESSION_SDP_SIZE];
        int n = media_session_offer_create(sides[i].s, offer, sizeof offer), m;
        CHECK(n > 0 && media_session_remote_sdp_set(sides[i + 1].s, offer, (size_t)n) == MEDIA_OK);
        m = media_session_answer_create(sides[i + 1].s, answer, sizeof answer);
        CHECK(m > 0 && media_session_remote_sdp_set(sides[i].s, answer, (size_t)m) == MEDIA_OK);
    }
    for (step = 0; step < 3000; step++) {
        struct epoll_event ev[64];
        int got, rounds;
        /* the flood: a datagram a millisecond to every session's RTP port */
        for (i = 0; i < FL_N; i++) {
            r = r * 1103515245u + 12345u;
            memset(junk, (int)(r >> 24), sizeof junk);
            if (r & 0x100) { junk[0] = 0x80; junk[1] = 0; junk[8] = (uint8_t)(r >> 8); }   /* RTP-looking, another SSRC */
            if (sendto(stranger, junk, 12 + (r >> 16) % 160, 0, (struct sockaddr *)&to[i], sizeof to[i]) > 0) flooded++;
        }
        for (rounds = 0; rounds < 1000 && (got = epoll_wait(ep, ev, 64, 0)) > 0; rounds++)
            for (k = 0; k < got; k++) fl_poll((int)(ev[k].data.u32 / 2), ev[k].data.u32 % 2 ? MEDIA_READY_RTCP : MEDIA_READY_RTP);
        for (i = 0; i < FL_N; i++) if (sides[i].due <= vnow) fl_poll(i, 0);
        vnow += 1000;
    }
    for (i = 0; i < FL_N; i += 2) {
        media_session_stats a, b;
        media_session_stats_get(sides[i].s, &a);
        media_session_stats_get(sides[i + 1].s, &b);
        CHECKF(a.packets_sent >= 149 && b.packets_received == a.packets_sent && b.lost == 0,
               "call %d: %llu sent, %llu received, %lld lost", i / 2, (unsigned long long)a.packets_sent,
               (unsigned long long)b.packets_received, (long long)b.lost);
        CHECKF(sides[i + 1].heard_frames >= 140, "call %d: %ld frames of the tone played", i / 2, sides[i + 1].heard_frames);
        if ((i / 2) % 2)
            CHECKF(b.foreign + b.malformed_rtp + b.malformed_rtcp >= 2900, "call %d (latching): %llu of the flood refused",
                   i / 2, (unsigned long long)(b.foreign + b.malformed_rtp + b.malformed_rtcp));
        CHECK(b.ssrc_changes == 0 && b.strays == 0);
    }
    printf("    %d calls, %ld datagrams of flood, every packet of every call delivered\n", FL_PAIRS, flooded);
    for (i = 0; i < FL_N; i++) media_session_destroy(sides[i].s);
    close(stranger);
    close(ep);
}

int main(void)
{
    RUN(test_flood);
    return harness_summary();
}
