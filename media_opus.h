/* media_opus.h - v0.2.0 - public domain or MIT (your choice; see the end of media.h)

   Opus (RFC 6716) for media.h, carried in RTP as RFC 7587 says, through
   libopus. Optional: a program that does not include this file never needs
   libopus. It plugs into media.h's codec interface only (a media_codec the
   session negotiates like PCMU), so media.h must come first:

      // in exactly one .c file
      #define MEDIA_IMPLEMENTATION
      #define MEDIA_OPUS_IMPLEMENTATION
      #include "media.h"
      #include "media_opus.h"

   Link with `pkg-config --libs opus` (-lopus) and -lm. Define
   MEDIA_OPUS_NO_LIBOPUS to build without libopus: everything compiles and
   media_opus_init() returns MEDIA_EUNSUPPORTED, so a program can offer Opus
   where it exists and fall back to G.711 where it does not.

   ============================================================================
   USE
   ============================================================================

      media_opus_config oc;
      static media_opus opus;                 // lives as long as the sessions using it
      const media_codec *codecs[4];
      int n = 0;

      media_opus_config_init(&oc);            // 48 kHz, 20 ms, VoIP, FEC on
      oc.sample_rate = 16000;                 // what encode() takes and decode() gives
      if (media_opus_init(&opus, &oc) == MEDIA_OK) codecs[n++] = &opus.codec;
      codecs[n++] = media_codec_pcmu();
      codecs[n++] = media_codec_telephone_event();
      cfg.codecs = codecs; cfg.codec_count = n;   // media_session_config

   ============================================================================
   WHAT IT DOES
   ============================================================================

   - SDP: "a=rtpmap:<pt> opus/48000/2" whatever the PCM rate (RFC 7587 7.1);
     the RTP clock is 48 kHz. Our fmtp says what we want to receive:
     maxplaybackrate (the PCM rate, below 48 kHz), sprop-maxcapturerate,
     useinbandfec=1 with FEC on, usedtx=1 with DTX, cbr=1 with CBR,
     maxaveragebitrate when max_bitrate is set, minptime=10.
   - The peer's fmtp shapes our encoder: maxplaybackrate caps the encoded
     bandwidth, maxaveragebitrate caps the bitrate, useinbandfec=1 turns FEC
     on, usedtx=1 DTX, cbr=1 constant bitrate. stereo/sprop-stereo are read:
     we send mono (always allowed) and decode stereo streams to mono.
   - Encoder and decoder run at the configured PCM rate (8, 12, 16, 24 or
     48 kHz) with no resampling of ours; frames of 10, 20, 40 or 60 ms follow
     the negotiated ptime (media.h keeps it at or above the peer's minptime).
   - Loss: libopus' concealment, or the lost frame rebuilt from the next
     packet's in-band FEC when it carries one (recover()).
   - Adaptation: the loss the peer reports (RTCP) raises the loss FEC is tuned
     for and lowers the bitrate towards min_bitrate; both return as the loss
     goes away.
   - Memory: libopus' encoder and decoder live in the session's allocation
     (opus_*_get_size / opus_*_init); nothing is allocated per packet.

   media_opus.h uses media.h's public API only.
*/
#ifndef MEDIA_OPUS_H
#define MEDIA_OPUS_H

#ifndef MEDIA_H
#error "include media.h before media_opus.h"
#endif

#ifndef MEDIA_OPUS_DEF
#define MEDIA_OPUS_DEF MEDIADEF
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum { MEDIA_OPUS_VOIP = 0, MEDIA_OPUS_AUDIO = 1 };   /* media_opus_config.application */

typedef struct media_opus_config {
    uint32_t sample_rate;       /* PCM rate: 8000, 12000, 16000, 24000 or 48000 (48000) */
    uint16_t frame_ms;          /* packet time we offer: 10, 20, 40 or 60 (20) */
    int application;            /* MEDIA_OPUS_VOIP (speech) or MEDIA_OPUS_AUDIO (music) */
    uint32_t bitrate;           /* bits/s we start at; 0: libopus' choice for the rate */
    uint32_t min_bitrate;       /* adaptation does not go below (6000) */
    uint32_t max_bitrate;       /* nor above, and we ask the peer for no more (0: no limit) */
    int complexity;             /* 0..10 (5: a tenth of a core for a hundred calls) */
    int cbr;                    /* constant bitrate (0: VBR) */
    int fec;                    /* in-band FEC: we send it and ask the peer for it (1) */
    int dtx;                    /* discontinuous transmission in silence (0) */
    int adapt;                  /* follow the loss the peer reports (1) */
    /* written by media_opus_init() into its copy: the fmtp we offer and answer with */
    char fmtp[192];
} media_opus_config;

/* Opus as a codec the session negotiates, and what it keeps: give
   &opus.codec to the session. It must outlive the sessions that use it;
   the config it was made from need not (it is copied in). */
typedef struct media_opus {
    media_codec codec;
    media_opus_config _config;  /* private: the copy the codec runs with */
} media_opus;

/* What the encoder runs with now (from a session's codec state). */
typedef struct media_opus_info {
    int32_t bitrate;            /* target bits/s */
    int32_t max_bandwidth;      /* audio bandwidth cap in Hz (4000 narrowband .. 20000 fullband) */
    int fec;                    /* in-band FEC on */
    int fec_loss_percent;       /* the packet loss FEC is tuned for */
    int dtx, cbr, complexity;
    int remote_loss_percent;    /* the last loss the peer reported */
} media_opus_info;

MEDIA_OPUS_DEF void media_opus_config_init(media_opus_config *cfg);

/* Makes *opus the Opus codec cfg describes (copied: cfg may be a
   temporary). MEDIA_OK, MEDIA_EINVAL (a rate, frame time or bound out of
   range), MEDIA_EUNSUPPORTED (built with MEDIA_OPUS_NO_LIBOPUS). */
MEDIA_OPUS_DEF int media_opus_init(media_opus *opus, const media_opus_config *cfg);

/* The encoder's current settings, from an encoder state this codec set up.
   MEDIA_OK, MEDIA_ESTATE (no encoder there yet), MEDIA_EINVAL. */
MEDIA_OPUS_DEF int media_opus_info_get(const void *state, media_opus_info *info);

/* The names before 0.2 (see media.h's >>aliases). */
#ifndef MEDIA_NO_OLD_NAMES
#define media_opus_codec media_opus_init
#define media_opus_get_info media_opus_info_get
#endif

#ifdef __cplusplus
}
#endif

#endif /* MEDIA_OPUS_H */

/* ========================================================================= */

#if defined(MEDIA_OPUS_IMPLEMENTATION) && !defined(MEDIA_OPUS_IMPLEMENTATION_DONE)
#define MEDIA_OPUS_IMPLEMENTATION_DONE

#ifndef MEDIA_OPUS_NO_LIBOPUS
#include <opus.h>
#endif
#include <limits.h>
#include <string.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

MEDIA_OPUS_DEF void media_opus_config_init(media_opus_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->sample_rate = 48000;
    cfg->frame_ms = 20;
    cfg->application = MEDIA_OPUS_VOIP;
    cfg->min_bitrate = 6000;
    cfg->complexity = 5;
    cfg->fec = 1;
    cfg->adapt = 1;
}

static int media__opus_rate_ok(uint32_t r)
{
    return r == 8000 || r == 12000 || r == 16000 || r == 24000 || r == 48000;
}

#ifdef MEDIA_OPUS_NO_LIBOPUS

MEDIA_OPUS_DEF int media_opus_init(media_opus *opus, const media_opus_config *cfg)
{
    (void)media__opus_rate_ok;
    if (!opus || !cfg) return MEDIA_EINVAL;
    memset(opus, 0, sizeof *opus);
    return MEDIA_EUNSUPPORTED;
}

MEDIA_OPUS_DEF int media_opus_info_get(const void *state, media_opus_info *info)
{
    (void)state;
    if (info) memset(info, 0, sizeof *info);
    return MEDIA_EUNSUPPORTED;
}

#else

/* A state holds one side, the one create() was told: the header, then
   libopus' encoder or decoder. */
enum { MEDIA__OPUS_NONE = 0, MEDIA__OPUS_ENC = 1, MEDIA__OPUS_DEC = 2 };

typedef struct media__opus_state {
    const media_opus_config *cfg;
    int side;
    uint32_t rate;
    int last_samples;            /* the last frame decoded: what a loss of unknown length conceals */
    /* what the peer's fmtp asks of our encoder */
    int fec, dtx, cbr;
    int32_t max_bitrate;         /* 0: no cap */
    int32_t max_bandwidth;       /* OPUS_BANDWIDTH_* */
    /* adaptation */
    int32_t bitrate;             /* the target now; 0: libopus' own */
    int fec_loss;                /* OPUS_SET_PACKET_LOSS_PERC */
    int remote_loss;
} media__opus_state;

#define MEDIA__OPUS_HDR ((sizeof(media__opus_state) + 15u) & ~(size_t)15u)

static void *media__opus_obj(void *state) { return (char *)state + MEDIA__OPUS_HDR; }

/* fmtp values are decimal numbers; anything else counts as absent */
static long media__opus_param(const char *fmtp, const char *key, long absent)
{
    uint32_t v;
    return fmtp && media_sdp_fmtp_number(&v, fmtp, key) == MEDIA_OK && v <= 999999999u ? (long)v : absent;
}

static int32_t media__opus_bandwidth(long hz)
{
    if (hz <= 8000) return OPUS_BANDWIDTH_NARROWBAND;
    if (hz <= 12000) return OPUS_BANDWIDTH_MEDIUMBAND;
    if (hz <= 16000) return OPUS_BANDWIDTH_WIDEBAND;
    if (hz <= 24000) return OPUS_BANDWIDTH_SUPERWIDEBAND;
    return OPUS_BANDWIDTH_FULLBAND;
}

static int32_t media__opus_clamp_rate(const media__opus_state *o, int32_t b)
{
    int32_t lo = (int32_t)o->cfg->min_bitrate, hi = 510000;
    if (o->cfg->max_bitrate && (int32_t)o->cfg->max_bitrate < hi) hi = (int32_t)o->cfg->max_bitrate;
    if (o->max_bitrate && o->max_bitrate < hi) hi = o->max_bitrate;
    if (lo > hi) lo = hi;
    return b < lo ? lo : b > hi ? hi : b;
}

static int media__opus_setup(media__opus_state *o, int side);

static int media__opus_create(void *state, const media_codec *codec, const char *remote_fmtp, int side)
{
    media__opus_state *o = (media__opus_state *)state;
    const media_opus_config *cfg = (const media_opus_config *)codec->user;
    long v;
    if (!o) return MEDIA_OK;
    if (side != MEDIA_CODEC_ENCODER && side != MEDIA_CODEC_DECODER) return MEDIA_EINVAL;
    memset(o, 0, sizeof *o);
    o->cfg = cfg;
    o->rate = codec->sample_rate;
    o->last_samples = (int)(o->rate / 50);
    /* RFC 7587 7.1: the peer's receive preferences bind our encoder */
    o->fec = cfg->fec || media__opus_param(remote_fmtp, "useinbandfec", 0) == 1;
    o->dtx = cfg->dtx || media__opus_param(remote_fmtp, "usedtx", 0) == 1;
    o->cbr = cfg->cbr || media__opus_param(remote_fmtp, "cbr", 0) == 1;
    v = media__opus_param(remote_fmtp, "maxaveragebitrate", 0);
    o->max_bitrate = v >= 6000 && v <= 510000 ? (int32_t)v : 0;
    v = media__opus_param(remote_fmtp, "maxplaybackrate", 48000);
    if (v < 8000) v = 8000;
    if (v > (long)o->rate) v = (long)o->rate;     /* nothing above what we capture */
    o->max_bandwidth = media__opus_bandwidth(v);
    o->bitrate = cfg->bitrate ? media__opus_clamp_rate(o, (int32_t)cfg->bitrate)
                              : (o->max_bitrate ? o->max_bitrate : 0);
    o->fec_loss = o->fec ? 5 : 0;   /* FEC sized for some loss before any report */
    return media__opus_setup(o, side == MEDIA_CODEC_ENCODER ? MEDIA__OPUS_ENC : MEDIA__OPUS_DEC);
}

static void media__opus_destroy(void *state) { (void)state; }   /* nothing allocated */

static void media__opus_apply(media__opus_state *o)
{
    OpusEncoder *e = (OpusEncoder *)media__opus_obj(o);
    opus_encoder_ctl(e, OPUS_SET_BITRATE(o->bitrate ? o->bitrate : OPUS_AUTO));
    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(o->fec));
    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(o->fec ? o->fec_loss : 0));
}

static int media__opus_setup(media__opus_state *o, int side)
{
    int err;
    if (o->side != MEDIA__OPUS_NONE || !o->cfg) return MEDIA_ESTATE;   /* a state serves one side */
    if (side == MEDIA__OPUS_ENC) {
        OpusEncoder *e = (OpusEncoder *)media__opus_obj(o);
        err = opus_encoder_init(e, (opus_int32)o->rate, 1,
                                o->cfg->application == MEDIA_OPUS_AUDIO ? OPUS_APPLICATION_AUDIO : OPUS_APPLICATION_VOIP);
        if (err != OPUS_OK) return MEDIA_ERROR;
        opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(o->cfg->complexity));
        opus_encoder_ctl(e, OPUS_SET_VBR(!o->cbr));
        opus_encoder_ctl(e, OPUS_SET_DTX(o->dtx));
        opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(o->max_bandwidth));
        if (o->cfg->application != MEDIA_OPUS_AUDIO) opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
        o->side = MEDIA__OPUS_ENC;
        media__opus_apply(o);
    } else {
        err = opus_decoder_init((OpusDecoder *)media__opus_obj(o), (opus_int32)o->rate, 1);
        if (err != OPUS_OK) return MEDIA_ERROR;
        o->side = MEDIA__OPUS_DEC;
    }
    return MEDIA_OK;
}

static int media__opus_encode(void *state, uint8_t *dst, size_t cap, const int16_t *pcm, size_t samples)
{
    media__opus_state *o = (media__opus_state *)state;
    int n;
    if (!o || !dst || !pcm || samples > (size_t)INT_MAX) return MEDIA_EINVAL;
    if (o->side != MEDIA__OPUS_ENC) return MEDIA_ESTATE;   /* a decoder's state */
    if (cap > 4000) cap = 4000;   /* more than any Opus packet needs */
    n = opus_encode((OpusEncoder *)media__opus_obj(o), (const opus_int16 *)pcm, (int)samples, dst, (opus_int32)cap);
    if (n < 0) return n == OPUS_BUFFER_TOO_SMALL ? MEDIA_ENOSPC : MEDIA_EINVAL;
    /* with DTX, 1-2 bytes mean "nothing to send this frame" */
    return o->dtx && n <= 2 ? 0 : n;
}

static int media__opus_decode(void *state, int16_t *pcm, size_t cap, const uint8_t *payload, size_t len)
{
    media__opus_state *o = (media__opus_state *)state;
    int n;
    if (!o || !pcm || !payload || len == 0 || len > (size_t)INT_MAX) return MEDIA_EINVAL;
    if (o->side != MEDIA__OPUS_DEC) return MEDIA_ESTATE;   /* an encoder's state */
    /* asked for exactly the packet's duration: libopus sizes its scratch by
       what it is asked for (120 ms of it cost 10 % at 8 kHz) */
    n = opus_packet_get_nb_samples(payload, (opus_int32)len, (opus_int32)o->rate);
    if (n <= 0) return MEDIA_EPARSE;
    if ((size_t)n > cap) return MEDIA_ENOSPC;
    n = opus_decode((OpusDecoder *)media__opus_obj(o), payload, (opus_int32)len, (opus_int16 *)pcm, n, 0);
    if (n < 0) return n == OPUS_BUFFER_TOO_SMALL ? MEDIA_ENOSPC : MEDIA_EPARSE;
    o->last_samples = n;
    return n;
}

/* libopus conceals in multiples of 2.5 ms: whole ones first, then the rest
   from a 2.5 ms piece (a session's frames are whole multiples anyway) */
static int media__opus_conceal(void *state, int16_t *pcm, size_t samples)
{
    media__opus_state *o = (media__opus_state *)state;
    size_t step, done = 0;
    if (!o || (!pcm && samples) || samples > (size_t)INT_MAX) return MEDIA_EINVAL;
    if (samples == 0) return 0;   /* a seam: libopus blends the next frame itself */
    if (o->side != MEDIA__OPUS_DEC) return MEDIA_ESTATE;   /* an encoder's state */
    step = o->rate / 400;
    while (done < samples) {
        opus_int16 tmp[120];   /* 2.5 ms at 48 kHz */
        size_t want = samples - done, k = want / step * step;
        int n;
        if (k > (size_t)o->rate * 120 / 1000) k = (size_t)o->rate * 120 / 1000;
        if (k > 0) {
            n = opus_decode((OpusDecoder *)media__opus_obj(o), NULL, 0, (opus_int16 *)pcm + done, (int)k, 0);
            if (n <= 0) break;
            done += (size_t)n;
        } else {
            n = opus_decode((OpusDecoder *)media__opus_obj(o), NULL, 0, tmp, (int)step, 0);
            if (n <= 0) break;
            memcpy(pcm + done, tmp, want * sizeof *pcm);
            done += want;
        }
    }
    if (done < samples) memset(pcm + done, 0, (samples - done) * sizeof *pcm);
    return (int)samples;
}

static int media__opus_recover(void *state, int16_t *pcm, size_t samples, const uint8_t *next, size_t next_len)
{
    media__opus_state *o = (media__opus_state *)state;
    int n;
    if (!o || !pcm || !next || next_len == 0 || next_len > (size_t)INT_MAX || samples == 0) return MEDIA_EINVAL;
    if (o->side != MEDIA__OPUS_DEC) return MEDIA_ESTATE;   /* an encoder's state */
    if (samples > (size_t)o->rate * 120 / 1000) return MEDIA_EINVAL;
    /* frame_size is the lost duration; without redundancy in next (a CELT
       packet, or FEC off at the sender) libopus conceals instead, which is
       what conceal() would have done */
    n = opus_decode((OpusDecoder *)media__opus_obj(o), next, (opus_int32)next_len, (opus_int16 *)pcm, (int)samples, 1);
    if (n < 0) return MEDIA_EPARSE;
    return n;
}

static int media__opus_control(void *state, int request, int value)
{
    media__opus_state *o = (media__opus_state *)state;
    if (!o) return MEDIA_EINVAL;
    switch (request) {
    case MEDIA_CODEC_CTL_REMOTE_LOSS: {
        int loss = value < 0 ? 0 : value > 100 ? 100 : value;
        int32_t base;
        o->remote_loss = loss;
        if (!o->cfg->adapt || o->side != MEDIA__OPUS_ENC) return 0;
        /* FEC tuned for what the peer sees (a floor of 5 % keeps it ready
           for the next burst), the bitrate lowered by the loss's share, so
           the redundancy comes out of the same budget */
        if (o->fec) o->fec_loss = loss < 5 ? 5 : loss > 40 ? 40 : loss;
        base = o->cfg->bitrate ? (int32_t)o->cfg->bitrate : (o->max_bitrate ? o->max_bitrate : 0);
        if (base == 0) {
            /* libopus' own choice, for a mono VoIP stream of this rate */
            base = o->rate <= 8000 ? 16000 : o->rate <= 16000 ? 24000 : 32000;
        }
        o->bitrate = loss == 0 && !o->cfg->bitrate && !o->max_bitrate ? 0
                   : media__opus_clamp_rate(o, base - base * (loss > 50 ? 50 : loss) / 100);
        media__opus_apply(o);
        return 0;
    }
    case MEDIA_CODEC_CTL_GET_BITRATE: {
        opus_int32 b = 0;
        if (o->side != MEDIA__OPUS_ENC) return MEDIA_ESTATE;
        opus_encoder_ctl((OpusEncoder *)media__opus_obj(o), OPUS_GET_BITRATE(&b));
        return (int)b;
    }
    case MEDIA_CODEC_CTL_GET_FEC:
        return o->side == MEDIA__OPUS_ENC && o->fec ? o->fec_loss : 0;
    default:
        return MEDIA_EUNSUPPORTED;
    }
}

MEDIA_OPUS_DEF int media_opus_info_get(const void *state, media_opus_info *info)
{
    const media__opus_state *o = (const media__opus_state *)state;
    OpusEncoder *e;
    opus_int32 v = 0;
    if (!o || !info) return MEDIA_EINVAL;
    memset(info, 0, sizeof *info);
    if (o->side != MEDIA__OPUS_ENC) return MEDIA_ESTATE;
    e = (OpusEncoder *)media__opus_obj((void *)(uintptr_t)o);
    opus_encoder_ctl(e, OPUS_GET_BITRATE(&v)); info->bitrate = v;
    opus_encoder_ctl(e, OPUS_GET_MAX_BANDWIDTH(&v));
    info->max_bandwidth = v == OPUS_BANDWIDTH_NARROWBAND ? 4000 : v == OPUS_BANDWIDTH_MEDIUMBAND ? 6000
                        : v == OPUS_BANDWIDTH_WIDEBAND ? 8000 : v == OPUS_BANDWIDTH_SUPERWIDEBAND ? 12000 : 20000;
    opus_encoder_ctl(e, OPUS_GET_INBAND_FEC(&v)); info->fec = v;
    opus_encoder_ctl(e, OPUS_GET_PACKET_LOSS_PERC(&v)); info->fec_loss_percent = v;
    opus_encoder_ctl(e, OPUS_GET_DTX(&v)); info->dtx = v;
    opus_encoder_ctl(e, OPUS_GET_VBR(&v)); info->cbr = !v;
    opus_encoder_ctl(e, OPUS_GET_COMPLEXITY(&v)); info->complexity = v;
    info->remote_loss_percent = o->remote_loss;
    return MEDIA_OK;
}

MEDIA_OPUS_DEF int media_opus_init(media_opus *opus, const media_opus_config *config)
{
    media_codec *codec;
    media_opus_config *cfg;
    size_t enc, dec;
    int n;
    if (!opus || !config) return MEDIA_EINVAL;
    memmove(&opus->_config, config, sizeof *config);   /* (config may be &opus->_config itself) */
    codec = &opus->codec;
    cfg = &opus->_config;
    memset(codec, 0, sizeof *codec);
    if (!media__opus_rate_ok(cfg->sample_rate)) return MEDIA_EINVAL;
    if (cfg->frame_ms != 10 && cfg->frame_ms != 20 && cfg->frame_ms != 40 && cfg->frame_ms != 60) return MEDIA_EINVAL;
    if (cfg->complexity < 0 || cfg->complexity > 10 || cfg->min_bitrate < 6000 || cfg->min_bitrate > 510000 ||
        (cfg->max_bitrate && (cfg->max_bitrate < cfg->min_bitrate || cfg->max_bitrate > 510000)) ||
        (cfg->bitrate && (cfg->bitrate < 6000 || cfg->bitrate > 510000)))
        return MEDIA_EINVAL;
    enc = (size_t)opus_encoder_get_size(1);
    dec = (size_t)opus_decoder_get_size(1);
    if (!enc || !dec) return MEDIA_EUNSUPPORTED;
    /* what we want to receive (RFC 7587 7.1); defaults left out */
    n = snprintf(cfg->fmtp, sizeof cfg->fmtp, "minptime=10%s%s%s",
                 cfg->fec ? ";useinbandfec=1" : "", cfg->dtx ? ";usedtx=1" : "", cfg->cbr ? ";cbr=1" : "");
    if (cfg->sample_rate < 48000)
        n += snprintf(cfg->fmtp + n, sizeof cfg->fmtp - (size_t)n, ";maxplaybackrate=%u;sprop-maxcapturerate=%u",
                      (unsigned)cfg->sample_rate, (unsigned)cfg->sample_rate);
    if (cfg->max_bitrate)
        n += snprintf(cfg->fmtp + n, sizeof cfg->fmtp - (size_t)n, ";maxaveragebitrate=%u", (unsigned)cfg->max_bitrate);
    if (n < 0 || (size_t)n >= sizeof cfg->fmtp) return MEDIA_ENOSPC;
    codec->name = "opus";
    codec->clock_rate = 48000;
    codec->sample_rate = cfg->sample_rate;
    codec->channels = 2;               /* always 2 in a=rtpmap (RFC 7587 7) */
    codec->static_pt = -1;
    codec->frame_ms = cfg->frame_ms;
    codec->flags = 0;
    codec->fmtp = cfg->fmtp;
    codec->state_size = MEDIA__OPUS_HDR + dec;
    codec->encoder_state_size = MEDIA__OPUS_HDR + enc;
    codec->create = media__opus_create;
    codec->destroy = media__opus_destroy;
    codec->encode = media__opus_encode;
    codec->decode = media__opus_decode;
    codec->conceal = media__opus_conceal;
    codec->recover = media__opus_recover;
    codec->control = media__opus_control;
    codec->user = cfg;
    return MEDIA_OK;
}

#endif /* MEDIA_OPUS_NO_LIBOPUS */

#ifdef __cplusplus
}
#endif

#endif /* MEDIA_OPUS_IMPLEMENTATION */
