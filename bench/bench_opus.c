/* bench_opus: what media_opus.h costs on top of libopus. The same 20 ms frames
   of a speech-like signal are encoded and decoded through media_opus.h's codec
   (the functions a session calls) and through libopus directly with the same
   settings, in interleaved rounds, each starting from fresh states (their
   set-up timed with the frames: media_opus.h sets a side up on its first
   frame); each figure is the best round. Reported:
   microseconds per frame both ways and the overhead (target <= 1 %).
   Without libopus (MEDIA_OPUS_NO_LIBOPUS) it says so and exits. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#include "../media.h"
#include "../media_opus.h"
#include "bench.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MEDIA_OPUS_NO_LIBOPUS
int main(void)
{
    printf("bench_opus: built without libopus (MEDIA_OPUS_NO_LIBOPUS): nothing to measure\n");
    return 0;
}
#else
#include <opus.h>

#define FRAMES 100         /* 2 s of audio a round */
#define OPUS_ROUNDS 100
#define MAXRATE 48000

static int16_t pcm[FRAMES * MAXRATE / 50];
static uint8_t pkt[FRAMES][1500];
static int pkt_len[FRAMES];
static int16_t out[MAXRATE / 50 * 6];

static void make_speech(int16_t *x, int n, uint32_t rate)
{
    double ph = 0;
    int i, k;
    for (i = 0; i < n; i++) {
        double t = (double)i / rate, f0 = 125 + 25 * sin(2 * 3.14159265 * 1.3 * t), v = 0;
        ph += 2 * 3.14159265 * f0 / rate;
        for (k = 1; k * f0 < 3800 && k * f0 < rate * 0.45; k++) v += sin(k * ph) / k;
        x[i] = (int16_t)(v * 6000 * (0.55 + 0.45 * sin(2 * 3.14159265 * 4 * t)));
    }
}

/* one round of each, timed, in the order given (alternating which goes first
   cancels what the first leaves in the caches for the second); the states
   start afresh each round */
typedef struct round_t { double enc_media, enc_direct, dec_media, dec_direct; } round_t;

static int round_media(const media_codec *c, void *enc_st, void *dec_st, int frame, round_t *r)
{
    double t0, t1;
    int i;
    memset(enc_st, 0, c->encoder_state_size);
    memset(dec_st, 0, c->state_size);
    c->create(enc_st, c, NULL, MEDIA_CODEC_ENCODER);
    c->create(dec_st, c, NULL, MEDIA_CODEC_DECODER);
    t0 = now_s();
    for (i = 0; i < FRAMES; i++) pkt_len[i] = c->encode(enc_st, pkt[i], sizeof pkt[i], pcm + i * frame, (size_t)frame);
    t1 = now_s();
    r->enc_media = (t1 - t0) / FRAMES;
    t0 = now_s();
    for (i = 0; i < FRAMES; i++) if (c->decode(dec_st, out, sizeof out / sizeof out[0], pkt[i], (size_t)pkt_len[i]) != frame) return -1;
    t1 = now_s();
    r->dec_media = (t1 - t0) / FRAMES;
    return 0;
}

static int round_direct(const media_opus_config *oc, OpusEncoder *e, OpusDecoder *d, int frame, round_t *r)
{
    double t0, t1;
    int i;
    /* set-up timed too: media_opus.h sets each side up on its first frame */
    t0 = now_s();
    opus_encoder_init(e, (opus_int32)oc->sample_rate, 1, OPUS_APPLICATION_VOIP);
    opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(oc->complexity));
    opus_encoder_ctl(e, OPUS_SET_VBR(1));
    opus_encoder_ctl(e, OPUS_SET_DTX(0));
    opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    opus_encoder_ctl(e, OPUS_SET_BITRATE(OPUS_AUTO));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(5));
    for (i = 0; i < FRAMES; i++) pkt_len[i] = opus_encode(e, pcm + i * frame, frame, pkt[i], (opus_int32)sizeof pkt[i]);
    t1 = now_s();
    r->enc_direct = (t1 - t0) / FRAMES;
    t0 = now_s();
    opus_decoder_init(d, (opus_int32)oc->sample_rate, 1);
    for (i = 0; i < FRAMES; i++) if (opus_decode(d, pkt[i], pkt_len[i], out, frame, 0) != frame) return -1;
    t1 = now_s();
    r->dec_direct = (t1 - t0) / FRAMES;
    return 0;
}

int main(int argc, char **argv)
{
    static const uint32_t rates[3] = { 8000, 16000, 48000 };
    int k, rounds = argc > 1 ? atoi(argv[1]) : OPUS_ROUNDS;
    if (rounds < 1) rounds = OPUS_ROUNDS;
    printf("Opus through media_opus.h vs libopus %s directly, 20 ms frames, mono, VoIP, complexity 5, FEC on;\n"
           "best of %d interleaved rounds of %d frames\n", opus_get_version_string(), rounds, FRAMES);
    printf("%-8s %14s %14s %9s %14s %14s %9s\n", "rate", "encode us", "libopus us", "overhead", "decode us", "libopus us", "overhead");
    for (k = 0; k < 3; k++) {
        media_opus_config oc;
        media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
        media_codec c;
        round_t best, r;
        void *enc_st, *dec_st;
        OpusEncoder *e;
        OpusDecoder *d;
        void *e_blk, *d_blk;
        int frame = (int)rates[k] / 50, i;
        media_opus_config_init(&oc);
        oc.sample_rate = rates[k];
        if (media_opus_init(&op, &oc) != MEDIA_OK) return 1;
        c = op.codec;
        enc_st = malloc(c.encoder_state_size);
        dec_st = malloc(c.state_size);
        /* libopus' own states at the same offset in a block as media_opus.h
           puts them (after its header): the same cache-line and page
           placement, or the comparison measures alignment, not code */
        e_blk = malloc(c.encoder_state_size);
        d_blk = malloc(c.state_size);
        if (!enc_st || !dec_st || !e_blk || !d_blk) return 1;
        e = (OpusEncoder *)(void *)((char *)e_blk + (c.encoder_state_size - (size_t)opus_encoder_get_size(1)));
        d = (OpusDecoder *)(void *)((char *)d_blk + (c.state_size - (size_t)opus_decoder_get_size(1)));
        make_speech(pcm, FRAMES * frame, rates[k]);
        best.enc_media = best.enc_direct = best.dec_media = best.dec_direct = 1e9;
        for (i = 0; i < rounds; i++) {
            int rc = i & 1 ? round_direct(&oc, e, d, frame, &r) | round_media(&c, enc_st, dec_st, frame, &r)
                           : round_media(&c, enc_st, dec_st, frame, &r) | round_direct(&oc, e, d, frame, &r);
            if (rc != 0) { printf("decode failed\n"); return 1; }
            if (r.enc_media < best.enc_media) best.enc_media = r.enc_media;
            if (r.enc_direct < best.enc_direct) best.enc_direct = r.enc_direct;
            if (r.dec_media < best.dec_media) best.dec_media = r.dec_media;
            if (r.dec_direct < best.dec_direct) best.dec_direct = r.dec_direct;
        }
        printf("%-8u %14.2f %14.2f %+8.2f%% %14.2f %14.2f %+8.2f%%\n", (unsigned)rates[k], best.enc_media * 1e6,
               best.enc_direct * 1e6, 100 * (best.enc_media / best.enc_direct - 1), best.dec_media * 1e6,
               best.dec_direct * 1e6, 100 * (best.dec_media / best.dec_direct - 1));
        free(enc_st); free(dec_st); free(e_blk); free(d_blk);
    }
    return 0;
}
#endif
