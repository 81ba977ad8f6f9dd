/* make bench: SDP figures, printed, never pass/fail. A typical phone offer
   (~300 bytes, PCMU/PCMA/G.729/telephone-event) and a ~6 KB WebRTC offer
   (audio, video, data; ICE candidates, rtcp-fb, extmap, ssrc) from tests/data/sdp:
   parse, write, and offer -> answer (parse the offer, build the answer, write
   it). Best of ROUNDS interleaved short runs, as in bench_core.c. The floor is
   splitting the same text into lines with memchr, measured the same way.
   Allocations are counted through MEDIA_MALLOC: there must be none. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static unsigned long allocations;
static void *count_malloc(size_t n) { allocations++; return malloc(n); }
static void *count_realloc(void *p, size_t n) { allocations++; return realloc(p, n); }
#define MEDIA_MALLOC(sz, u) count_malloc(sz)
#define MEDIA_REALLOC(p, sz, u) count_realloc(p, sz)
#define MEDIA_FREE(p, u) free(p)
#define MEDIA_IMPLEMENTATION
#include "../media.h"

#include "bench.h"

static char phone[4096], webrtc[16384], outbuf[32768];
static size_t phone_len, webrtc_len;
static media_sdp sdp, answer;
static media_sdp_oa_config cfg;
static volatile size_t sink;

static size_t load(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) { fprintf(stderr, "bench_sdp: cannot read %s (run from the repository root)\n", path); exit(1); }
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* seconds per operation for one short run */
static double run_parse(const char *t, size_t n, int reps)
{
    double t0 = now_s();
    int k;
    for (k = 0; k < reps; k++) if (media_sdp_parse(&sdp, t, n)) exit(1);
    return (now_s() - t0) / reps;
}
static double run_write(const char *t, size_t n, int reps)
{
    double t0;
    int k;
    if (media_sdp_parse(&sdp, t, n)) exit(1);
    t0 = now_s();
    for (k = 0; k < reps; k++) sink += (size_t)media_sdp_write(outbuf, sizeof outbuf, &sdp);
    return (now_s() - t0) / reps;
}
static double run_answer(const char *t, size_t n, int reps, int with_parse_write)
{
    media_sdp_result res;
    double t0;
    int k;
    if (media_sdp_parse(&sdp, t, n)) exit(1);
    t0 = now_s();
    for (k = 0; k < reps; k++) {
        if (with_parse_write && media_sdp_parse(&sdp, t, n)) exit(1);
        if (media_sdp_answer_create(&answer, &sdp, &cfg, &res) < MEDIA_ENEGOTIATION) exit(1);
        if (with_parse_write) sink += (size_t)media_sdp_write(outbuf, sizeof outbuf, &answer);
    }
    return (now_s() - t0) / reps;
}
static double run_floor(const char *t, size_t n, int reps)
{
    double t0 = now_s();
    int k;
    for (k = 0; k < reps; k++) {
        const char *p = t, *e = t + n;
        size_t lines = 0;
        while (p < e) {
            const char *nl = (const char *)memchr(p, '\n', (size_t)(e - p));
            lines++;
            p = nl ? nl + 1 : e;
        }
        sink += lines;
    }
    return (now_s() - t0) / reps;
}

enum { P_PARSE, P_WRITE, P_FLOOR, W_PARSE, W_WRITE, W_FLOOR, P_ANSWER, P_OA, W_OA, N };

int main(void)
{
    double best[N];
    int r, i;
    (void)count_malloc; (void)count_realloc;   /* nothing in this version allocates yet */
    phone_len = load("tests/data/sdp/phone_offer.sdp", phone, sizeof phone);
    webrtc_len = load("tests/data/sdp/webrtc_chrome.sdp", webrtc, sizeof webrtc);
    media_sdp_oa_config_init(&cfg);
    cfg.address = "192.0.2.1";
    cfg.port = 4000;
    for (i = 0; i < N; i++) best[i] = 1e9;
    for (r = 0; r < ROUNDS; r++) {
        double t[N];
        t[P_PARSE] = run_parse(phone, phone_len, 2000);
        t[P_WRITE] = run_write(phone, phone_len, 2000);
        t[P_FLOOR] = run_floor(phone, phone_len, 2000);
        t[W_PARSE] = run_parse(webrtc, webrtc_len, 200);
        t[W_WRITE] = run_write(webrtc, webrtc_len, 200);
        t[W_FLOOR] = run_floor(webrtc, webrtc_len, 200);
        t[P_ANSWER] = run_answer(phone, phone_len, 2000, 0);
        t[P_OA] = run_answer(phone, phone_len, 2000, 1);
        t[W_OA] = run_answer(webrtc, webrtc_len, 200, 1);
        for (i = 0; i < N; i++) if (t[i] < best[i]) best[i] = t[i];
    }
    printf("media.h %s SDP benchmarks (best of %d interleaved rounds; media_sdp is %u bytes)\n",
           MEDIA_VERSION_STRING, ROUNDS, (unsigned)sizeof(media_sdp));
    printf("  phone offer (%u bytes, 4 formats)\n", (unsigned)phone_len);
    printf("    parse            %7.3f us  %6.0f MB/s  (%.1fx memchr line split %.3f us)\n", best[P_PARSE] * 1e6,
           phone_len / best[P_PARSE] / 1e6, best[P_PARSE] / best[P_FLOOR], best[P_FLOOR] * 1e6);
    printf("    write            %7.3f us  %6.0f MB/s\n", best[P_WRITE] * 1e6, phone_len / best[P_WRITE] / 1e6);
    printf("    answer           %7.3f us  (build the answer from the parsed offer)\n", best[P_ANSWER] * 1e6);
    printf("    offer -> answer  %7.3f us  (parse offer + build answer + write answer)\n", best[P_OA] * 1e6);
    printf("  WebRTC offer (%u bytes, audio+video+data)\n", (unsigned)webrtc_len);
    printf("    parse            %7.3f us  %6.0f MB/s  (%.1fx memchr line split %.3f us)\n", best[W_PARSE] * 1e6,
           webrtc_len / best[W_PARSE] / 1e6, best[W_PARSE] / best[W_FLOOR], best[W_FLOOR] * 1e6);
    printf("    write            %7.3f us  %6.0f MB/s\n", best[W_WRITE] * 1e6, webrtc_len / best[W_WRITE] / 1e6);
    printf("    offer -> answer  %7.3f us\n", best[W_OA] * 1e6);
    printf("  allocations during all of the above: %lu\n", allocations);
    return 0;
}
