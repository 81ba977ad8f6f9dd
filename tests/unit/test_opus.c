/* media_opus.h: the codec against libopus called directly (the oracle: the
   same encoder settings must give the same bytes and the same audio), SNR
   on tones and a speech-like signal at every rate and frame time, FEC
   against concealment alone, the fmtp we write and what the peer's fmtp does
   to our encoder, adaptation to reported loss, DTX.
   Built with -DMEDIA_OPUS_NO_LIBOPUS it checks that media_opus_init() says
   unsupported and reports the rest as not applicable. */
#define MEDIA_OPUS_IMPLEMENTATION
#include "../../media.h"
#include "../../media_opus.h"
#include "../harness.h"
#include <limits.h>
#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#ifdef MEDIA_OPUS_NO_LIBOPUS

static void test_unsupported_without_libopus(void)
{
    media_opus_config oc;
    media_opus op;
    media_opus_info info;
    media_opus_config_init(&oc);
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_EUNSUPPORTED);
    CHECK(op.codec.name == NULL && op.codec.encode == NULL);   /* nothing a session could pick up */
    CHECK_EQ_INT(media_opus_info_get(NULL, &info), MEDIA_EUNSUPPORTED);
    CHECK_EQ_INT(media_opus_init(NULL, &oc), MEDIA_EINVAL);
}

int main(void)
{
    RUN(test_unsupported_without_libopus);
    /* the 10 cases of the libopus build: not applicable here, so neither
       passed nor skipped (a skip fails under MEDIA_STRICT=1) */
    printf("%d passed, %d failed, 10 not applicable (built with MEDIA_OPUS_NO_LIBOPUS)\n", harness_passed, harness_failed);
    return harness_failed ? 1 : 0;
}

#else
#include <opus.h>

#define SECONDS 2

/* ---- signals ---- */

static void make_tone(int16_t *x, int n, uint32_t rate)
{
    int i;
    for (i = 0; i < n; i++) x[i] = (int16_t)(9000 * sin(2 * M_PI * 440.0 * i / rate) + 4000 * sin(2 * M_PI * 1270.0 * i / rate));
}

/* voiced speech, roughly: a gliding pitch (100-150 Hz) with harmonics shaped
   by three formants, at a syllable rate of 4 Hz */
static void make_speech(int16_t *x, int n, uint32_t rate)
{
    static const double fm[3] = { 700, 1200, 2500 }, bw[3] = { 130, 200, 300 };
    double ph = 0, top = rate * 0.45 < 3800 ? rate * 0.45 : 3800;
    int i, k;
    for (i = 0; i < n; i++) {
        double t = (double)i / rate, f0 = 125 + 25 * sin(2 * M_PI * 1.3 * t), v = 0;
        ph += 2 * M_PI * f0 / rate;
        for (k = 1; k * f0 < top; k++) {
            double f = k * f0, a = 0;
            int j;
            for (j = 0; j < 3; j++) a += 1.0 / (1.0 + ((f - fm[j]) / bw[j]) * ((f - fm[j]) / bw[j]));
            v += (0.15 + a) / k * sin(k * ph);
        }
        x[i] = (int16_t)(v * 5000 * (0.55 + 0.45 * sin(2 * M_PI * 4 * t)));
    }
}

/* SNR (dB) of y against x delayed by d samples, over [from, n) of x */
static double snr_at(const int16_t *x, const int16_t *y, int n, int d, int from)
{
    double s = 0, e = 0;
    int i;
    for (i = from; i + d < n; i++) {
        double a = x[i], b = y[i + d];
        s += a * a;
        e += (a - b) * (a - b);
    }
    return 10 * log10(s / (e + 1e-9));
}

/* RMS level in dB of x[from, n) */
static double level_db(const int16_t *x, int n, int from)
{
    double s = 0;
    int i;
    for (i = from; i < n; i++) s += (double)x[i] * x[i];
    return 10 * log10(s / (n - from) + 1e-9);
}

/* the best delay within a window around the encoder's lookahead */
static double snr_best(const int16_t *x, const int16_t *y, int n, int lookahead, int from, int *delay)
{
    double best = -1e9;
    int d;
    for (d = lookahead - 8 > 0 ? lookahead - 8 : 0; d <= lookahead + 8; d++) {
        double v = snr_at(x, y, n, d, from);
        if (v > best) { best = v; if (delay) *delay = d; }
    }
    return best;
}

/* ---- the two paths ---- */

typedef struct path {
    uint8_t *pkt[3000];
    int len[3000];
    int frames;
} path;

static void path_free(path *p)
{
    int i;
    for (i = 0; i < p->frames; i++) free(p->pkt[i]);
    p->frames = 0;
}

/* media_opus.h: encode the whole signal frame by frame into p */
static int media_encode(const media_codec *c, void *st, const int16_t *x, int n, int frame, path *p)
{
    int i;
    p->frames = 0;
    for (i = 0; i + frame <= n; i += frame) {
        uint8_t buf[1500];
        int k = c->encode(st, buf, sizeof buf, x + i, (size_t)frame);
        if (k < 0) return k;
        p->pkt[p->frames] = (uint8_t *)malloc(k ? (size_t)k : 1);
        memcpy(p->pkt[p->frames], buf, (size_t)k);
        p->len[p->frames++] = k;
    }
    return 0;
}

/* libopus directly, with the settings media_opus.h documents for this config */
static int direct_encode(const media_opus_config *oc, const int16_t *x, int n, int frame, path *p)
{
    int err, i;
    OpusEncoder *e = opus_encoder_create((opus_int32)oc->sample_rate, 1, OPUS_APPLICATION_VOIP, &err);
    if (!e) return -1;
    opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(oc->complexity));
    opus_encoder_ctl(e, OPUS_SET_VBR(!oc->cbr));
    opus_encoder_ctl(e, OPUS_SET_DTX(oc->dtx));
    opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_FULLBAND));
    opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    opus_encoder_ctl(e, OPUS_SET_BITRATE(oc->bitrate ? (opus_int32)oc->bitrate : OPUS_AUTO));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(oc->fec));
    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(oc->fec ? 5 : 0));
    p->frames = 0;
    for (i = 0; i + frame <= n; i += frame) {
        uint8_t buf[1500];
        int k = opus_encode(e, x + i, frame, buf, sizeof buf);
        if (k < 0) { opus_encoder_destroy(e); return k; }
        p->pkt[p->frames] = (uint8_t *)malloc((size_t)k);
        memcpy(p->pkt[p->frames], buf, (size_t)k);
        p->len[p->frames++] = k;
    }
    opus_encoder_destroy(e);
    return 0;
}

static void *state_new(const media_codec *c, int encoder, const char *remote_fmtp)
{
    void *st = calloc(1, encoder ? c->encoder_state_size : c->state_size);
    if (st && c->create(st, c, remote_fmtp, encoder ? MEDIA_CODEC_ENCODER : MEDIA_CODEC_DECODER) != MEDIA_OK) { free(st); return NULL; }
    return st;
}

/* decodes p with media_opus.h; lost[i] set: frame i is concealed (or
   recovered from i + 1 when fec) */
static int media_decode(const media_codec *c, const path *p, int frame, int16_t *y, const char *lost, int fec)
{
    void *st = state_new(c, 0, NULL);
    int i, out = 0;
    if (!st) return -1;
    for (i = 0; i < p->frames; i++) {
        int k;
        if (lost && lost[i]) {
            if (fec && i + 1 < p->frames && !lost[i + 1]) k = c->recover(st, y + out, (size_t)frame, p->pkt[i + 1], (size_t)p->len[i + 1]);
            else k = c->conceal(st, y + out, (size_t)frame);
        } else {
            k = c->decode(st, y + out, (size_t)frame, p->pkt[i], (size_t)p->len[i]);
        }
        if (k != frame) { free(st); return -1; }
        out += k;
    }
    free(st);
    return out;
}

static int direct_decode(uint32_t rate, const path *p, int frame, int16_t *y)
{
    int err, i, out = 0;
    OpusDecoder *d = opus_decoder_create((opus_int32)rate, 1, &err);
    if (!d) return -1;
    for (i = 0; i < p->frames; i++) {
        int k = opus_decode(d, p->pkt[i], p->len[i], y + out, frame, 0);
        if (k != frame) { opus_decoder_destroy(d); return -1; }
        out += k;
    }
    opus_decoder_destroy(d);
    return out;
}

static int lookahead_of(uint32_t rate)
{
    int err;
    opus_int32 la = 0;
    OpusEncoder *e = opus_encoder_create((opus_int32)rate, 1, OPUS_APPLICATION_VOIP, &err);
    opus_encoder_ctl(e, OPUS_GET_LOOKAHEAD(&la));
    opus_encoder_destroy(e);
    return (int)la;
}

/* ---- cases ---- */

static void test_round_trip_matches_libopus(void)
{
    static const uint32_t rates[3] = { 8000, 16000, 48000 };
    static const int frames_ms[4] = { 10, 20, 40, 60 };
    int r, f, sig;
    for (r = 0; r < 3; r++) {
        uint32_t rate = rates[r];
        int n = (int)rate * SECONDS, la = lookahead_of(rate);
        int16_t *x = (int16_t *)malloc((size_t)n * 2), *y1 = (int16_t *)calloc((size_t)n, 2), *y2 = (int16_t *)calloc((size_t)n, 2);
        for (sig = 0; sig < 2; sig++) {
            if (sig == 0) make_tone(x, n, rate); else make_speech(x, n, rate);
            for (f = 0; f < 4; f++) {
                media_opus_config oc;
                media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
                media_codec c;
                path a, b;
                a.frames = b.frames = 0;
                void *enc;
                int frame = (int)rate * frames_ms[f] / 1000, na, nb, same_bytes = 1, i, d = 0;
                long bytes;
                double lvl;
                double s_media, s_direct;
                media_opus_config_init(&oc);
                oc.sample_rate = rate;
                oc.frame_ms = (uint16_t)frames_ms[f];
                CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
                c = op.codec;
                enc = state_new(&c, 1, NULL);
                CHECK(enc != NULL);
                if (!enc) continue;
                CHECK_EQ_INT(media_encode(&c, enc, x, n, frame, &a), 0);
                CHECK_EQ_INT(direct_encode(&oc, x, n, frame, &b), 0);
                CHECK_EQ_INT(a.frames, b.frames);
                for (i = 0; i < a.frames && i < b.frames; i++)
                    if (a.len[i] != b.len[i] || memcmp(a.pkt[i], b.pkt[i], (size_t)a.len[i])) same_bytes = 0;
                CHECKF(same_bytes, "%u Hz %d ms %s: packets differ from libopus with the same settings", (unsigned)rate, frames_ms[f], sig ? "speech" : "tone");
                na = media_decode(&c, &a, frame, y1, NULL, 0);
                nb = direct_decode(rate, &b, frame, y2);
                CHECK(na == nb && na > 0);
                if (na > 0 && na == nb) CHECK(memcmp(y1, y2, (size_t)na * 2) == 0);
                for (i = 0, bytes = 0; i < a.frames; i++) bytes += a.len[i];
                s_media = snr_best(x, y1, na, la, (int)rate / 5, &d);
                s_direct = snr_best(x, y2, nb, la, (int)rate / 5, NULL);
                /* the same audio as libopus on its own, and a faithful one: the
                   floors are a few dB under what libopus 1.3 reaches here */
                CHECK_NEAR(s_media, s_direct, 0.01);
                CHECKF(s_media >= (sig == 0 ? 9.0 : 6.0), "%u Hz %d ms %s: SNR %.1f dB", (unsigned)rate, frames_ms[f], sig ? "speech" : "tone", s_media);
                CHECKF(d >= la - 8 && d <= la + 8, "delay %d, lookahead %d", d, la);
                /* a perceptual codec keeps the level of a tone more than its waveform */
                lvl = level_db(y1 + d, na - d, (int)rate / 5) - level_db(x, na - d, (int)rate / 5);
                /* (narrowband at 9-14 kbit/s keeps it within 1.2 dB, wider within 1) */
                if (sig == 0) CHECKF(fabs(lvl) < (rate == 8000 ? 1.2 : 1.0), "%u Hz %d ms: level off by %.2f dB", (unsigned)rate, frames_ms[f], lvl);
                fprintf(stderr, "    %5u Hz %2d ms %-6s SNR %5.1f dB (libopus alone %5.1f), level %+.2f dB, %4.1f kbit/s\n", (unsigned)rate,
                        frames_ms[f], sig ? "speech" : "tone", s_media, s_direct, lvl, bytes * 8.0 / SECONDS / 1000);
                path_free(&a);
                path_free(&b);
                free(enc);
            }
        }
        free(x); free(y1); free(y2);
    }
}

static void test_fec_beats_concealment(void)
{
    uint32_t rate = 16000;
    int n = (int)rate * SECONDS, frame = (int)rate / 50, la = lookahead_of(rate), i, k, dropped = 0;
    int16_t *x = (int16_t *)malloc((size_t)n * 2), *plc = (int16_t *)calloc((size_t)n, 2), *fec = (int16_t *)calloc((size_t)n, 2);
    media_opus_config oc;
    media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
    media_codec c;
    path a;
    a.frames = 0;
    char lost[3000];
    void *enc;
    double e_plc = 0, e_fec = 0, sig = 0;
    make_speech(x, n, rate);
    media_opus_config_init(&oc);
    oc.sample_rate = rate;
    oc.bitrate = 32000;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
    c = op.codec;
    enc = state_new(&c, 1, NULL);
    CHECK(enc != NULL);
    if (!enc) return;
    CHECK_EQ_INT(c.control(enc, MEDIA_CODEC_CTL_REMOTE_LOSS, 0), 0);   /* (sets the encoder up first: none yet) */
    CHECK_EQ_INT(media_encode(&c, enc, x, n, frame, &a), 0);
    memset(lost, 0, sizeof lost);
    for (i = 10; i + 2 < a.frames; i += 4) { lost[i] = 1; dropped++; }   /* single losses */
    CHECK_EQ_INT(media_decode(&c, &a, frame, plc, lost, 0), a.frames * frame);
    CHECK_EQ_INT(media_decode(&c, &a, frame, fec, lost, 1), a.frames * frame);
    /* error on the lost frames only, against the input delayed by the lookahead */
    for (i = 0; i < a.frames; i++) {
        if (!lost[i]) continue;
        for (k = i * frame; k < (i + 1) * frame && k - la >= 0; k++) {
            double ref = x[k - la];
            sig += ref * ref;
            e_plc += (plc[k] - ref) * (plc[k] - ref);
            e_fec += (fec[k] - ref) * (fec[k] - ref);
        }
    }
    fprintf(stderr, "    %d single losses: SNR on them %.1f dB with FEC, %.1f dB concealed\n", dropped,
            10 * log10(sig / (e_fec + 1e-9)), 10 * log10(sig / (e_plc + 1e-9)));
    CHECK(dropped > 20);
    CHECKF(e_fec < e_plc / 2, "FEC error %.3g, concealment %.3g", e_fec, e_plc);   /* at least 3 dB better */
    path_free(&a);
    free(enc); free(x); free(plc); free(fec);
}

static void test_fmtp_written(void)
{
    static const struct { uint32_t rate; int fec, dtx, cbr; uint32_t maxbr; const char *want; } t[] = {
        { 48000, 1, 0, 0, 0, "minptime=10;useinbandfec=1" },
        { 48000, 0, 0, 0, 0, "minptime=10" },
        { 16000, 1, 0, 0, 0, "minptime=10;useinbandfec=1;maxplaybackrate=16000;sprop-maxcapturerate=16000" },
        { 8000, 1, 1, 1, 24000, "minptime=10;useinbandfec=1;usedtx=1;cbr=1;maxplaybackrate=8000;sprop-maxcapturerate=8000;maxaveragebitrate=24000" },
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        media_opus_config oc;
        media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
        media_codec c;
        media_opus_config_init(&oc);
        oc.sample_rate = t[i].rate; oc.fec = t[i].fec; oc.dtx = t[i].dtx; oc.cbr = t[i].cbr; oc.max_bitrate = t[i].maxbr;
        CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
        c = op.codec;
        CHECKF(c.fmtp && strcmp(c.fmtp, t[i].want) == 0, "fmtp \"%s\", want \"%s\"", c.fmtp ? c.fmtp : "(null)", t[i].want);
        /* RFC 7587 7: opus/48000/2 whatever the PCM rate */
        CHECK(strcmp(c.name, "opus") == 0 && c.clock_rate == 48000 && c.channels == 2 && c.static_pt == -1);
        CHECK_EQ_INT(c.sample_rate, t[i].rate);
        CHECK(c.state_size > 0 && c.encoder_state_size > c.state_size);   /* libopus' encoder is the larger */
    }
}

static void test_remote_fmtp_shapes_encoder(void)
{
    static const struct { int fec_cfg; const char *fmtp; int32_t bw_hz; int fec, dtx, cbr; int32_t max_bitrate; } t[] = {
        { 0, NULL, 20000, 0, 0, 0, 0 },
        { 0, "useinbandfec=1", 20000, 1, 0, 0, 0 },
        { 1, "useinbandfec=0", 20000, 1, 0, 0, 0 },             /* our own FEC setting stays */
        { 0, "maxplaybackrate=8000", 4000, 0, 0, 0, 0 },
        { 0, "maxplaybackrate=12000", 6000, 0, 0, 0, 0 },
        { 0, "maxplaybackrate=16000; sprop-maxcapturerate=48000", 8000, 0, 0, 0, 0 },
        { 0, "maxplaybackrate=24000", 12000, 0, 0, 0, 0 },
        { 0, "usedtx=1;cbr=1", 20000, 0, 1, 1, 0 },
        { 0, "maxaveragebitrate=20000", 20000, 0, 0, 0, 20000 },
        { 0, "stereo=1;sprop-stereo=1;minptime=10", 20000, 0, 0, 0, 0 },   /* we send mono: allowed */
        { 0, "maxplaybackrate=x;maxaveragebitrate=99999999;useinbandfec=yes", 20000, 0, 0, 0, 0 },   /* ignored */
        { 0, "maxaveragebitrate=1000", 20000, 0, 0, 0, 0 },      /* below Opus' range: ignored */
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        media_opus_config oc;
        media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
        media_codec c;
        media_opus_info info;
        int16_t pcm[960];
        uint8_t out[1500];
        void *st;
        int f;
        media_opus_config_init(&oc);
        oc.fec = t[i].fec_cfg;
        CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
        c = op.codec;
        st = state_new(&c, 1, t[i].fmtp);
        CHECK(st != NULL);
        if (!st) continue;
        CHECK_EQ_INT(media_opus_info_get(st, &info), MEDIA_OK);   /* create() was told: the encoder is there at once */
        make_tone(pcm, 960, 48000);
        for (f = 0; f < 5; f++) CHECK(c.encode(st, out, sizeof out, pcm, 960) > 0 || t[i].dtx);
        CHECK_EQ_INT(media_opus_info_get(st, &info), MEDIA_OK);
        CHECKF(info.max_bandwidth == t[i].bw_hz, "[%zu] bandwidth %d, want %d", i, (int)info.max_bandwidth, (int)t[i].bw_hz);
        CHECKF(info.fec == t[i].fec, "[%zu] fec %d", i, info.fec);
        CHECKF(info.dtx == t[i].dtx && info.cbr == t[i].cbr, "[%zu] dtx %d cbr %d", i, info.dtx, info.cbr);
        if (t[i].max_bitrate) CHECKF(info.bitrate == t[i].max_bitrate, "[%zu] bitrate %d", i, (int)info.bitrate);
        else CHECKF(info.bitrate > 0, "[%zu] bitrate %d", i, (int)info.bitrate);
        free(st);
    }
}

static int pick_last(const media_sdp_match *m, int count, int *order, void *user)
{
    (void)m; (void)user;
    order[0] = count - 1;
    return 1;
}

/* media.h's negotiation strategies with Opus in the list: an offer of
   PCMU, Opus and telephone-event at 8000 and 48000, answered by [opus, PCMU] */
static void test_strategies_with_opus(void)
{
    static const char offer_text[] =
        "v=0\r\no=peer 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
        "m=audio 5000 RTP/AVP 0 111 101 102\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1;maxplaybackrate=16000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:102 telephone-event/48000\r\n";
    static const struct { media_sdp_strategy st; int req_opus; const char *codec; int pt, te_pt; } t[] = {
        { MEDIA_SDP_OFFERER_ORDER, 0, "PCMU", 0, 101 },
        { MEDIA_SDP_LOCAL_ORDER, 0, "opus", 111, 102 },
        { MEDIA_SDP_REQUIRED, 1, "opus", 111, 102 },
        { MEDIA_SDP_SELECT, 0, "opus", 111, 102 },   /* pick_last: the last match in the offer's order */
    };
    static media_sdp offer, answer;
    media_opus_config oc;
    media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
    media_codec c;
    const media_codec *ours[3], *req[1];
    size_t i;
    media_opus_config_init(&oc);
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
    c = op.codec;
    ours[0] = &c; ours[1] = media_codec_pcmu(); ours[2] = media_codec_telephone_event();
    req[0] = &c;
    CHECK_EQ_INT(media_sdp_parse(&offer, offer_text, sizeof offer_text - 1), MEDIA_OK);
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        media_sdp_oa_config cfg;
        media_sdp_result r;
        media_sdp_oa_config_init(&cfg);
        cfg.codecs = ours; cfg.codec_count = 3;
        cfg.strategy = t[i].st;
        cfg.required = req; cfg.required_count = 1;
        cfg.select = pick_last;
        cfg.address = "192.0.2.2"; cfg.port = 6000;
        CHECK_EQ_INT(media_sdp_answer_create(&answer, &offer, &cfg, &r), MEDIA_OK);
        CHECKF(r.codec && strcmp(r.codec->name, t[i].codec) == 0, "[%zu] %s", i, r.codec ? r.codec->name : "-");
        CHECK_EQ_INT(r.payload_type, t[i].pt);
        CHECK_EQ_INT(r.telephone_event_pt, t[i].te_pt);   /* DTMF at the chosen codec's clock */
        if (r.payload_type == 111) CHECK(strstr(r.remote_fmtp, "maxplaybackrate=16000") != NULL);
    }
    /* REQUIRED opus against an offer without it: refused */
    {
        static const char pcmu_only[] = "v=0\r\no=p 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
        media_sdp_oa_config cfg;
        media_sdp_result r;
        media_sdp_oa_config_init(&cfg);
        cfg.codecs = ours; cfg.codec_count = 3;
        cfg.strategy = MEDIA_SDP_REQUIRED;
        cfg.required = req; cfg.required_count = 1;
        cfg.address = "192.0.2.2"; cfg.port = 6000;
        CHECK_EQ_INT(media_sdp_parse(&offer, pcmu_only, sizeof pcmu_only - 1), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_answer_create(&answer, &offer, &cfg, &r), MEDIA_ENEGOTIATION);
    }
}

/* the config is copied: the codec runs as it said after the caller's copy
   is gone (overwritten here) */
static void test_config_copied(void)
{
    media_opus op;
    media_opus_info info;
    int16_t pcm[320];
    uint8_t out[1500];
    void *st;
    {
        media_opus_config oc;
        media_opus_config_init(&oc);
        oc.sample_rate = 16000;
        oc.bitrate = 20000;
        CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
        memset(&oc, 0xA5, sizeof oc);   /* what a reused stack slot would hold */
    }
    CHECK(op.codec.sample_rate == 16000 && op.codec.fmtp && strstr(op.codec.fmtp, "maxplaybackrate=16000") != NULL);
    st = state_new(&op.codec, 1, NULL);
    if (!st) { CHECK(st != NULL); return; }
    make_tone(pcm, 320, 16000);
    CHECK(op.codec.encode(st, out, sizeof out, pcm, 320) > 0);
    CHECK_EQ_INT(media_opus_info_get(st, &info), MEDIA_OK);
    CHECK_EQ_INT(info.bitrate, 20000);
    free(st);
}

static void test_config_checked(void)
{
    media_opus_config oc;
    media_opus op;
    media_opus_config_init(&oc);
    oc.sample_rate = 44100;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_EINVAL);
    media_opus_config_init(&oc);
    oc.frame_ms = 30;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_EINVAL);
    media_opus_config_init(&oc);
    oc.complexity = 11;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_EINVAL);
    media_opus_config_init(&oc);
    oc.max_bitrate = 5000;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_EINVAL);
    media_opus_config_init(&oc);
    oc.bitrate = 600000;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_EINVAL);
    CHECK_EQ_INT(media_opus_init(NULL, &oc), MEDIA_EINVAL);
    CHECK_EQ_INT(media_opus_init(&op, NULL), MEDIA_EINVAL);
}

static void test_state_serves_one_side(void)
{
    media_opus_config oc;
    media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
    media_codec c;
    int16_t pcm[960];
    uint8_t out[1500];
    void *st;
    int n;
    media_opus_config_init(&oc);
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
    c = op.codec;
    st = state_new(&c, 1, NULL);
    if (!st) { CHECK(st != NULL); return; }
    make_tone(pcm, 960, 48000);
    n = c.encode(st, out, sizeof out, pcm, 960);
    CHECK(n > 0);
    /* an encoder state decoding would overrun a decoder-sized block elsewhere: refused */
    CHECK_EQ_INT(c.decode(st, pcm, 960, out, (size_t)n), MEDIA_ESTATE);
    CHECK(c.encode(st, out, sizeof out, pcm, 480 + 1) < 0);          /* not an Opus frame size */
    CHECK(c.encode(st, out, 0, pcm, 960) < 0);                       /* no room at all */
    CHECK_EQ_INT(c.encode(st, out, sizeof out, pcm, (size_t)-1), MEDIA_EINVAL);   /* lengths beyond an int */
    free(st);
    st = state_new(&c, 0, NULL);
    if (!st) return;
    CHECK(c.decode(st, pcm, 960, out, 0) < 0);
    {
        static const uint8_t junk[3] = { 0xFF, 0xFF, 0xFF };          /* code 3, invalid frame count */
        CHECK(c.decode(st, pcm, 960, junk, sizeof junk) < 0);
    }
    CHECK_EQ_INT(c.conceal(st, pcm, 960), 960);                       /* before any packet: silence */
    CHECK_EQ_INT(c.conceal(st, pcm, 100), 100);                       /* not a 2.5 ms multiple */
    CHECK_EQ_INT(c.decode(st, pcm, 960, out, (size_t)INT_MAX + 1u), MEDIA_EINVAL);
    CHECK_EQ_INT(c.conceal(st, pcm, (size_t)-1), MEDIA_EINVAL);
    CHECK_EQ_INT(c.recover(st, pcm, 960, out, (size_t)-1), MEDIA_EINVAL);
    free(st);
}

static void test_adaptation_follows_reported_loss(void)
{
    media_opus_config oc;
    media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
    media_codec c;
    media_opus_info info;
    int16_t pcm[320];
    uint8_t out[1500];
    void *st;
    media_opus_config_init(&oc);
    oc.sample_rate = 16000;
    oc.bitrate = 32000;
    oc.min_bitrate = 12000;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
    c = op.codec;
    st = state_new(&c, 1, NULL);
    if (!st) { CHECK(st != NULL); return; }
    make_speech(pcm, 320, 16000);
    CHECK(c.encode(st, out, sizeof out, pcm, 320) > 0);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_GET_BITRATE, 0), 32000);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_GET_FEC, 0), 5);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_REMOTE_LOSS, 20), 0);
    CHECK_EQ_INT(media_opus_info_get(st, &info), MEDIA_OK);
    CHECK_EQ_INT(info.fec_loss_percent, 20);
    CHECK_EQ_INT(info.bitrate, 25600);                 /* 32000 less its 20 % */
    CHECK_EQ_INT(info.remote_loss_percent, 20);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_REMOTE_LOSS, 90), 0);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_GET_BITRATE, 0), 16000);   /* halved at most */
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_GET_FEC, 0), 40);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_REMOTE_LOSS, 0), 0);
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_GET_BITRATE, 0), 32000);   /* back */
    CHECK_EQ_INT(c.control(st, MEDIA_CODEC_CTL_GET_FEC, 0), 5);
    CHECK(c.control(st, 999, 0) < 0);
    free(st);
}

static void test_dtx_sends_nothing_in_silence(void)
{
    media_opus_config oc;
    media_opus op;   /* what the codec keeps (c: a copy of op.codec) */
    media_codec c;
    int16_t pcm[960];
    uint8_t out[1500];
    void *st;
    int i, empty = 0, sent = 0;
    media_opus_config_init(&oc);
    oc.dtx = 1;
    CHECK_EQ_INT(media_opus_init(&op, &oc), MEDIA_OK);
    c = op.codec;
    st = state_new(&c, 1, NULL);
    if (!st) { CHECK(st != NULL); return; }
    memset(pcm, 0, sizeof pcm);
    for (i = 0; i < 100; i++) {   /* 2 s of silence */
        int n = c.encode(st, out, sizeof out, pcm, 960);
        CHECK(n >= 0);
        if (n == 0) empty++; else sent++;
    }
    fprintf(stderr, "    2 s of silence under DTX: %d packets, %d frames not sent\n", sent, empty);
    CHECK(empty > 80);   /* libopus keeps a packet every 400 ms */
    CHECK(sent >= 4);
    free(st);
}

int main(void)
{
    RUN(test_round_trip_matches_libopus);
    RUN(test_fec_beats_concealment);
    RUN(test_fmtp_written);
    RUN(test_remote_fmtp_shapes_encoder);
    RUN(test_strategies_with_opus);
    RUN(test_config_checked);
    RUN(test_config_copied);
    RUN(test_state_serves_one_side);
    RUN(test_adaptation_follows_reported_loss);
    RUN(test_dtx_sends_nothing_in_silence);
    return harness_summary();
}
#endif
