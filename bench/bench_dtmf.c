/* make bench: in-band DTMF detection per 20 ms frame at 8 kHz, ours and
   spandsp's (when linked: -DHAVE_SPANDSP -lspandsp) on the same frames: a
   minute of a speech-like signal with digits in it. Best of ROUNDS short
   runs, interleaved (see bench_core.c). Figures only, never pass/fail. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include <math.h>
#include <stdio.h>
#ifdef HAVE_SPANDSP
#include <spandsp.h>
#endif

#include "bench.h"

#define SECONDS 10
#define N (8000 * SECONDS)
static int16_t pcm[N];
static volatile int sink;

static void fill(void)
{
    int i, h;
    for (i = 0; i < N; i++) {
        double t = i / 8000.0, v = 0, f0 = 120 * (1 + 0.2 * sin(2 * 3.14159265 * 0.5 * t));
        for (h = 1; h * f0 < 3500; h++) v += 2000.0 / h * sin(2 * 3.14159265 * f0 * h * t);
        if (fmod(t, 1.0) < 0.1) v = 6000 * sin(2 * 3.14159265 * 770 * t) + 6000 * sin(2 * 3.14159265 * 1336 * t);   /* a '5' a second */
        pcm[i] = (int16_t)v;
    }
}

static double run_ours(void)
{
    static media_dtmf_detector d;
    media_dtmf_digit out[4];
    int i;
    double t0 = now_s();
    media_dtmf_detector_init(&d, 8000);
    for (i = 0; i < N; i += 160) sink += media_dtmf_detect(&d, pcm + i, 160, out, 4);
    return (now_s() - t0) / (N / 160);
}

#ifdef HAVE_SPANDSP
static void nop(void *u, const char *d, int len) { (void)u; (void)d; sink += len; }
static double run_spandsp(void)
{
    static dtmf_rx_state_t *s;
    int i;
    double t0;
    if (!s) s = dtmf_rx_init(NULL, nop, NULL);   /* (its state is opaque: allocated once) */
    t0 = now_s();
    dtmf_rx_init(s, nop, NULL);
    for (i = 0; i < N; i += 160) dtmf_rx(s, pcm + i, 160);
    return (now_s() - t0) / (N / 160);
}
#endif

int main(void)
{
    double ours = 1e9, sp = 1e9;
    int r;
    fill();
    for (r = 0; r < ROUNDS / 10; r++) {
        double t = run_ours();
        if (t < ours) ours = t;
#ifdef HAVE_SPANDSP
        t = run_spandsp();
        if (t < sp) sp = t;
#endif
    }
    printf("in-band DTMF detection, one 20 ms frame at 8 kHz: %.3f us", ours * 1e6);
#ifdef HAVE_SPANDSP
    printf(" (spandsp %.3f us, %.2fx)", sp * 1e6, ours / sp);
#endif
    printf("\n");
    return 0;
}
