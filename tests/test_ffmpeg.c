/* A real sender: ffmpeg streams a 440 Hz tone as PCMU (and PCMA) over loopback;
   media.h must parse every RTP packet and every RTCP compound it sends, the
   receiver statistics must see a clean stream, and the decoded audio must be
   the tone. Bounded: ffmpeg plays 2 s of audio, the loop gives up after 15 s,
   and ffmpeg is ended by its PID whatever happens. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include "harness.h"
#include <math.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <poll.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static int have_ffmpeg(void) { return system("ffmpeg -version >/dev/null 2>&1") == 0; }

/* an even RTP port with RTCP on the next one, both on 127.0.0.1 */
static int bind_pair(int *rtp, int *rtcp, int *port)
{
    int tries;
    for (tries = 0; tries < 100; tries++) {
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0), p;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (s1 >= 0 && s2 >= 0 && bind(s1, (struct sockaddr *)&a, sizeof a) == 0 &&
            getsockname(s1, (struct sockaddr *)&a, &al) == 0 && (p = ntohs(a.sin_port)) % 2 == 0 && p < 65535) {
            a.sin_port = htons((uint16_t)(p + 1));
            if (bind(s2, (struct sockaddr *)&a, sizeof a) == 0) {
                *rtp = s1; *rtcp = s2; *port = p;
                return 0;
            }
        }
        if (s1 >= 0) close(s1);
        if (s2 >= 0) close(s2);
    }
    return -1;
}

static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *nul = freopen("/dev/null", "w", stdout);
        nul = freopen("/dev/null", "w", stderr);
        (void)nul;
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* share of the signal's energy at freq (Goertzel over the whole signal) */
static double tone_share(const int16_t *x, int n, double freq, double rate)
{
    double w = 2 * 3.14159265358979323846 * freq / rate, c = 2 * cos(w), s1 = 0, s2 = 0, e = 0, p;
    int i;
    for (i = 0; i < n; i++) {
        double s = x[i] + c * s1 - s2;
        s2 = s1; s1 = s;
        e += (double)x[i] * x[i];
    }
    p = s1 * s1 + s2 * s2 - c * s1 * s2;      /* |X(freq)|^2 */
    return e > 0 ? 2 * p / ((double)n * e) : 0;
}

static void run_stream(const char *codec, int pt)
{
    enum { MAXS = 8000 * 4 };
    static int16_t audio[MAXS];
    int rtp, rtcp, port, nsamp = 0, packets = 0, bad = 0, seq_err = 0, ts_err = 0, markers = 0, srs = 0, rtcp_bad = 0;
    int status = 0, exited = 0, sdes_items = 0, sr_ssrc_ok = 1, sr_fields_ok = 1;
    uint32_t ssrc = 0, last_ts = 0;
    uint16_t last_seq = 0;
    uint64_t t_end, idle_since = 0;
    char url[64];
    char *argv[32];
    int k = 0;
    pid_t pid;
    media_rtp_stats st;
    if (bind_pair(&rtp, &rtcp, &port) != 0) { CHECK(!"no UDP port pair on 127.0.0.1"); return; }
    snprintf(url, sizeof url, "rtp://127.0.0.1:%d", port);
    argv[k++] = (char *)"ffmpeg"; argv[k++] = (char *)"-hide_banner"; argv[k++] = (char *)"-nostdin";
    argv[k++] = (char *)"-loglevel"; argv[k++] = (char *)"error"; argv[k++] = (char *)"-re";
    argv[k++] = (char *)"-f"; argv[k++] = (char *)"lavfi";
    argv[k++] = (char *)"-i"; argv[k++] = (char *)"sine=frequency=440:sample_rate=8000:duration=2,asetnsamples=n=160:p=0";
    argv[k++] = (char *)"-c:a"; argv[k++] = (char *)codec; argv[k++] = (char *)"-ac"; argv[k++] = (char *)"1";
    argv[k++] = (char *)"-f"; argv[k++] = (char *)"rtp"; argv[k++] = url; argv[k] = NULL;
    media_rtp_stats_init(&st, 8000);
    pid = spawn(argv);
    CHECK(pid > 0);
    t_end = media_now_us() + 15000000u;
    while (pid > 0 && media_now_us() < t_end) {
        struct pollfd fds[2];
        uint8_t buf[2048];
        int i, r;
        fds[0].fd = rtp; fds[0].events = POLLIN; fds[1].fd = rtcp; fds[1].events = POLLIN;
        r = poll(fds, 2, 100);
        if (r == 0) {
            if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = 1;
            if (exited) {
                if (!idle_since) idle_since = media_now_us();
                else if (media_now_us() - idle_since > 300000) break;   /* ffmpeg done, socket drained */
            }
            continue;
        }
        idle_since = 0;
        for (i = 0; i < 2; i++) {
            ssize_t n;
            if (!(fds[i].revents & POLLIN)) continue;
            n = recv(fds[i].fd, buf, sizeof buf, 0);
            if (n <= 0) continue;
            if (i == 0) {
                media_rtp_packet p;
                if (media_rtp_parse(&p, buf, (size_t)n) != MEDIA_OK || p.payload_type != pt) { bad++; continue; }
                if (packets == 0) ssrc = p.ssrc;
                else {
                    if (p.ssrc != ssrc) bad++;
                    if (p.seq != (uint16_t)(last_seq + 1)) seq_err++;
                    if (p.timestamp - last_ts != 160) ts_err++;
                }
                if (p.marker) markers++;
                if (p.payload_len != 160) bad++;
                last_seq = p.seq;
                last_ts = p.timestamp;
                packets++;
                media_rtp_stats_update(&st, &p, media_now_us());
                if (nsamp + (int)p.payload_len <= MAXS) {
                    if (pt == 0) media_pcmu_decode(audio + nsamp, p.payload, p.payload_len);
                    else media_pcma_decode(audio + nsamp, p.payload, p.payload_len);
                    nsamp += (int)p.payload_len;
                }
            } else {
                static media_rtcp c;
                int j;
                if (media_rtcp_parse(&c, buf, (size_t)n, 0) < 1) { rtcp_bad++; continue; }
                if (c.packets[0].type == MEDIA_RTCP_SR) {
                    const media_rtcp_packet *sr = &c.packets[0];
                    int64_t skew = (int64_t)(sr->ntp >> 32) - (int64_t)(media_ntp_now() >> 32);
                    srs++;
                    /* ffmpeg's first SR precedes the first RTP packet; compare afterwards */
                    if (packets && sr->ssrc != ssrc) sr_ssrc_ok = 0;
                    /* its NTP time is the wall clock; its counts cover what was sent */
                    if (skew < -86400 || skew > 86400 || sr->packet_count > (uint32_t)packets ||
                        sr->octet_count != 160u * sr->packet_count || sr->n != 0) sr_fields_ok = 0;
                }
                for (j = 0; j < c.item_count; j++) sdes_items++;
            }
        }
    }
    if (pid > 0 && !exited && waitpid(pid, &status, WNOHANG) != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        CHECK(!"ffmpeg did not finish within 15 s");
    }
    close(rtp);
    close(rtcp);
    printf("  %s: %d RTP packets, %d SR, stats lost %lld, jitter %.2f ms, tone share %.4f\n", codec, packets, srs,
           (long long)media_rtp_stats_lost(&st), media_rtp_stats_jitter_ms(&st), tone_share(audio, nsamp, 440, 8000));
    CHECK_EQ_INT(packets, 100);          /* 2 s of 20 ms frames */
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(seq_err, 0);
    CHECK_EQ_INT(ts_err, 0);
    CHECK_EQ_INT(markers, 0);            /* ffmpeg never sets it for G.711 */
    CHECK_EQ_INT(media_rtp_stats_lost(&st), 0);
    CHECK_EQ_INT(media_rtp_stats_expected(&st), 99);   /* the first packet is probation (RFC 3550 A.1) */
    CHECK_EQ_INT(st.duplicates, 0);
    CHECK(srs >= 1);
    CHECK_EQ_INT(rtcp_bad, 0);
    CHECK(sr_ssrc_ok);
    CHECK(sr_fields_ok);
    /* ffmpeg sends a bare SR, no SDES (RFC 3550 6.1 wants a CNAME in every
       compound): a real-world deviation the parser must and does accept */
    CHECK_EQ_INT(sdes_items, 0);
    CHECK(tone_share(audio, nsamp, 440, 8000) > 0.99);
}

static void test_ffmpeg_pcmu(void)
{
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    run_stream("pcm_mulaw", 0);
}

static void test_ffmpeg_pcma(void)
{
    if (!have_ffmpeg()) TEST_SKIP("ffmpeg not installed");
    run_stream("pcm_alaw", 8);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_ffmpeg_pcmu);
    RUN(test_ffmpeg_pcma);
    return harness_summary();
}
