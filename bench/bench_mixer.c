/* make bench: what a conference costs. Each party puts a 20 ms frame, the
   mixer mixes it, each party gets its share: the time of one such round,
   per party, for conferences of 3 to 100 parties at 8 kHz (and 10 at
   48 kHz, and 10 at 8 kHz of which half are 16 kHz parties, converted).
   Flat per-party cost as N grows is the O(N) mix; the 100-party line says
   how much of one core a 100-party conference takes. Best of ROUNDS short
   runs, interleaved (see bench_core.c). Figures only, never pass/fail. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "../media.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

typedef struct conf {
    const char *name;
    int n, wide;                 /* parties; how many of them at 16 kHz */
    uint32_t rate;
    media_mixer *m;
    double best;                 /* seconds per frame round */
} conf;

static int16_t voice[4][960 * 2];
static volatile int sink;

static double run(conf *c, int frames)
{
    int16_t out[960 * 2];
    double t0 = now_s();
    int f, i;
    for (f = 0; f < frames; f++) {
        for (i = 0; i < c->n; i++) {
            const uint32_t r = i < c->wide ? 16000 : c->rate;
            media_mixer_put(c->m, i, voice[i & 3], r / 50, r);
        }
        media_mixer_mix(c->m);
        for (i = 0; i < c->n; i++) {
            const uint32_t r = i < c->wide ? 16000 : c->rate;
            sink += media_mixer_get(c->m, i, out, r / 50, r);
        }
    }
    return (now_s() - t0) / frames;
}

int main(void)
{
    conf confs[] = {
        { "3 parties, 8 kHz", 3, 0, 8000, NULL, 1e9 },
        { "10 parties, 8 kHz", 10, 0, 8000, NULL, 1e9 },
        { "30 parties, 8 kHz", 30, 0, 8000, NULL, 1e9 },
        { "100 parties, 8 kHz", 100, 0, 8000, NULL, 1e9 },
        { "10 parties, 48 kHz", 10, 0, 48000, NULL, 1e9 },
        { "10 parties, 8 kHz, 5 of them 16 kHz", 10, 5, 8000, NULL, 1e9 },
    };
    const int nc = (int)(sizeof confs / sizeof *confs);
    int i, k, r, s;
    for (k = 0; k < 4; k++)
        for (s = 0; s < 960 * 2; s++)
            voice[k][s] = (int16_t)(6000 * sin(s * (0.05 + 0.03 * k)) + 2000 * sin(s * 0.31 * (k + 1)));
    for (k = 0; k < nc; k++) {
        media_mixer_config cfg;
        int err;
        media_mixer_config_init(&cfg);
        cfg.rate = confs[k].rate;
        cfg.max_parties = confs[k].n;
        confs[k].m = media_mixer_create(&cfg, &err);
        if (!confs[k].m) { printf("create: %s\n", media_result_string(err)); return 1; }
        for (i = 0; i < confs[k].n; i++) media_mixer_join(confs[k].m, MEDIA_MIXER_TALK);
        run(&confs[k], 50);   /* the converters' first frames */
    }
    for (r = 0; r < ROUNDS; r++)
        for (k = 0; k < nc; k++) {
            double t = run(&confs[k], confs[k].n >= 100 ? 5 : 40);
            if (t < confs[k].best) confs[k].best = t;
        }
    printf("mixer: put + mix + get of one 20 ms frame, per party\n");
    for (k = 0; k < nc; k++) {
        const double per = confs[k].best / confs[k].n;
        printf("  %-38s %7.3f us a party a frame, %6.1f us a frame: %.3f %% of a core\n", confs[k].name,
               per * 1e6, confs[k].best * 1e6, confs[k].best / 0.020 * 100);
    }
    printf("  100 parties against 10: %.2f x the cost per party\n",
           (confs[3].best / 100) / (confs[1].best / 10));
    for (k = 0; k < nc; k++) media_mixer_destroy(confs[k].m);
    return 0;
}
