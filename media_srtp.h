/* media_srtp.h - v0.2.0 - public domain or MIT (your choice; see the end of media.h)

   SRTP and SRTCP (RFC 3711) for media.h sessions through libsrtp2, with the
   keys offered and answered in the SDP (RFC 4568 SDES). Optional: a program
   that does not include this file never needs libsrtp2. It plugs into two
   seams of media.h's session, the packet filter (every RTP and RTCP packet
   in and out) and cfg.sdes (the keys in the SDP), so media.h must come
   first:

      // in exactly one .c file
      #define MEDIA_IMPLEMENTATION
      #define MEDIA_SRTP_IMPLEMENTATION
      #include "media.h"
      #include "media_srtp.h"

   Link with `pkg-config --libs libsrtp2` (-lsrtp2). Define
   MEDIA_SRTP_NO_LIBSRTP to build without libsrtp2: everything compiles and
   every call returns MEDIA_EUNSUPPORTED, so a program can offer SRTP where
   it exists.

   ============================================================================
   USE
   ============================================================================

      static media_srtp srtp;                 // lives as long as the session
      media_srtp_config sc;
      media_srtp_config_init(&sc);            // RTP/SAVP required, all four suites
      if (media_srtp_init(&srtp, &sc) != MEDIA_OK) ...   // fresh keys: no CSPRNG, no libsrtp2
      media_srtp_attach(&srtp, &cfg);         // cfg: the media_session_config
      ...                                     // create the session, offer/answer as always
      media_srtp_free(&srtp);                 // after media_session_destroy()

   ============================================================================
   WHAT IT DOES
   ============================================================================

   - Suites: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32 (its SRTCP
     keeps the 80-bit tag, RFC 4568 6.2.2), AEAD_AES_128_GCM and
     AEAD_AES_256_GCM (RFC 7714), offered in that order unless cfg.suites
     says otherwise. What the SDP side does (policies, which lines are
     usable) is media.h's: its manual, >>sdp, "SRTP keys".
   - Keys: one master key and salt per suite, from the system's CSPRNG
     (getrandom(), else /dev/urandom) at media_srtp_init(); a re-offer keeps
     them, media_srtp_rekey() makes new ones for the next offer. The peer's
     key comes from its a=crypto line. A re-negotiation with the same keys
     changes nothing (the rollover counters and replay windows go on). A
     key's lifetime in the SDP is read, not enforced: libsrtp2 holds every
     key to its own limits (2^48 SRTP, 2^31 SRTCP packets); a peer that
     gives a shorter one re-keys by a re-offer before it runs out.
   - Protected: each RTP payload (encrypted) and the whole RTP packet
     (authenticated); RTCP after its first 8 bytes (encrypted) and the whole
     of it with its index (authenticated). Not protected: the RTP header is
     authenticated but readable on the wire (SSRC, sequence number,
     timestamp, payload type, marker, header extensions), as are packet
     sizes and timing. Keys travel in the SDP in clear: SDES is only as safe
     as the signalling (SIP over TLS).
   - Receiving: any SSRC of the peer, new ones picked up without a
     re-offer; the rollover counter follows sequence wraps (libsrtp2's index
     estimate); replays and packets older than the window are dropped. A
     peer that restarts its sequence under the same SSRC and key (which
     would reuse keystream: RFC 3711 forbids it) is refused as replays
     until a new key or a new SSRC; after a re-key it opens from its first
     packet.
     What fails is dropped before media.h parses it: counted by the session
     (st.unprotect_errors) and here by reason (media_srtp_stats_get).
   - Memory: media_srtp is yours to place; libsrtp2 allocates its two
     contexts when a negotiation agrees keys, never per packet. The session
     keeps its one allocation.
   - Threads: media_srtp_init() initialises libsrtp2 once per process; call
     the first one before starting threads that use others.

   media_srtp.h uses media.h's public API only.
*/
#ifndef MEDIA_SRTP_H
#define MEDIA_SRTP_H

#ifndef MEDIA_H
#error "include media.h before media_srtp.h"
#endif

#ifndef MEDIA_SRTP_DEF
#define MEDIA_SRTP_DEF MEDIADEF
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define MEDIA_SRTP_MAX_SUITES 4
#define MEDIA_SRTP_OVERHEAD 20           /* most bytes protect adds: a 16-byte tag, SRTCP's 4-byte index */

typedef struct media_srtp_config {
    media_srtp_policy policy;            /* MEDIA_SRTP_REQUIRED (RTP/SAVP), _OPTIONAL (best effort), _OFF */
    const char *const *suites;           /* offered and accepted, in preference order (NULL: the four above) */
    size_t suite_count;
    uint32_t replay_window;              /* packets the replay check remembers, 64..32768 (128); a
                                            larger WSH from the peer is taken */
} media_srtp_config;

typedef struct media_srtp_stats {
    int suite;                           /* the agreed one, an index in the suites; -1: clear RTP;
                                            -2: nothing negotiated yet */
    const char *suite_name;              /* its name ("" for clear RTP or none yet) */
    uint64_t protected_rtp, protected_rtcp;
    uint64_t unprotected_rtp, unprotected_rtcp;
    uint64_t auth_failures;              /* packets whose tag did not verify: dropped */
    uint64_t replay_failures;            /* packets already received or older than the window: dropped */
    uint64_t other_failures;             /* in or out: no keys yet, too short, no room, libsrtp2 errors */
} media_srtp_stats;

typedef struct media_srtp {
    /* private */
    media_srtp_config _cfg;
    const char *_names[MEDIA_SRTP_MAX_SUITES];
    uint8_t _keys[MEDIA_SRTP_MAX_SUITES][MEDIA_SDP_CRYPTO_KEY_MAX];
    media_sdp_srtp_suite _suites[MEDIA_SRTP_MAX_SUITES];
    media_sdes _sdes;
    void *_tx, *_rx;                     /* libsrtp2's srtp_t */
    uint32_t _gen, _tx_gen;              /* our keys' generation, and the one _tx was made with */
    uint8_t _remote[MEDIA_SDP_CRYPTO_KEY_MAX], _remote_len;
    uint32_t _window;                    /* the one _rx was made with */
    media_srtp_stats _st;
} media_srtp;

/* Defaults: MEDIA_SRTP_REQUIRED, the four suites, a 128-packet window. */
MEDIA_SRTP_DEF void media_srtp_config_init(media_srtp_config *cfg);
/* Fresh keys for each suite. MEDIA_OK; MEDIA_EINVAL (a suite it does not
   know, twice, more than MEDIA_SRTP_MAX_SUITES, a window out of range);
   MEDIA_EIO when the system has no CSPRNG to read; MEDIA_EUNSUPPORTED
   without libsrtp2 (or when it fails to start). */
MEDIA_SRTP_DEF int media_srtp_init(media_srtp *x, const media_srtp_config *cfg);
/* Puts it into a session's configuration: cfg->filter and cfg->sdes. */
MEDIA_SRTP_DEF int media_srtp_attach(media_srtp *x, media_session_config *cfg);
/* New keys for the next offer or answer (the current ones stay until the
   negotiation that carries the new ones agrees). MEDIA_EIO as for init. */
MEDIA_SRTP_DEF int media_srtp_rekey(media_srtp *x);
/* Frees libsrtp2's contexts and wipes the keys (after the session is gone). */
MEDIA_SRTP_DEF void media_srtp_free(media_srtp *x);
MEDIA_SRTP_DEF int media_srtp_stats_get(const media_srtp *x, media_srtp_stats *st);
/* n bytes from the system's CSPRNG: MEDIA_OK or MEDIA_EIO (MEDIA_EUNSUPPORTED without libsrtp2). */
MEDIA_SRTP_DEF int media_srtp_random(uint8_t *dst, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* MEDIA_SRTP_H */

#ifdef MEDIA_SRTP_IMPLEMENTATION
#ifndef MEDIA_SRTP_IMPLEMENTED
#define MEDIA_SRTP_IMPLEMENTED

#include <string.h>
#include <stdio.h>
#if defined(__linux__)
#include <sys/random.h>
#endif
#ifndef MEDIA_SRTP_NO_LIBSRTP
#include <srtp2/srtp.h>
#endif

static const char *const media__srtp_default[MEDIA_SRTP_MAX_SUITES] = {
    "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"
};

MEDIA_SRTP_DEF void media_srtp_config_init(media_srtp_config *cfg)
{
    if (!cfg) return;
    memset(cfg, 0, sizeof *cfg);
    cfg->policy = MEDIA_SRTP_REQUIRED;
    cfg->replay_window = 128;
}

MEDIA_SRTP_DEF int media_srtp_random(uint8_t *dst, size_t n)
{
#ifdef MEDIA_SRTP_NO_LIBSRTP
    (void)dst; (void)n;
    return MEDIA_EUNSUPPORTED;   /* (as every call here without libsrtp2) */
#else
    FILE *f;
    size_t got = 0;
    if (!dst && n) return MEDIA_EINVAL;
#if defined(__linux__)
    while (got < n) {
        ssize_t r = getrandom(dst + got, n - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    if (got == n) return MEDIA_OK;
#endif
    /* no getrandom (an old kernel, another system): the device */
    f = fopen("/dev/urandom", "rb");
    if (!f) return MEDIA_EIO;
    got = fread(dst, 1, n, f);
    fclose(f);
    return got == n ? MEDIA_OK : MEDIA_EIO;
#endif
}

/* the key and salt size of a suite we do; 0 for one we do not */
static size_t media__srtp_size(const char *name)
{
    media_sdp_span sp;
    size_t kl, sl, i;
    sp.ptr = name;
    sp.len = strlen(name);
    for (i = 0; i < MEDIA_SRTP_MAX_SUITES; i++)
        if (media_sdp_span_equal(sp, media__srtp_default[i])) break;
    if (i == MEDIA_SRTP_MAX_SUITES || media_sdp_crypto_suite_info(sp, &kl, &sl) != MEDIA_OK) return 0;
    return kl + sl;
}

#ifndef MEDIA_SRTP_NO_LIBSRTP

static int media__srtp_fresh(media_srtp *x)
{
    size_t i;
    for (i = 0; i < x->_cfg.suite_count; i++)
        if (media_srtp_random(x->_keys[i], media__srtp_size(x->_names[i])) != MEDIA_OK) return MEDIA_EIO;
    x->_gen++;
    return MEDIA_OK;
}

static int media__srtp_started;

/* libsrtp2's policy for a suite, and the key it takes (master key then salt) */
static int media__srtp_policy(srtp_policy_t *p, const char *name, const uint8_t *key, int inbound, uint32_t window)
{
    media_sdp_span sp;
    memset(p, 0, sizeof *p);
    sp.ptr = name;
    sp.len = strlen(name);
    if (media_sdp_span_equal(sp, "AES_CM_128_HMAC_SHA1_80")) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
    } else if (media_sdp_span_equal(sp, "AES_CM_128_HMAC_SHA1_32")) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);   /* SRTCP keeps the 80-bit tag */
    } else if (media_sdp_span_equal(sp, "AEAD_AES_128_GCM")) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
    } else if (media_sdp_span_equal(sp, "AEAD_AES_256_GCM")) {
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
    } else {
        return MEDIA_EINVAL;
    }
    p->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    p->key = (unsigned char *)(uintptr_t)key;
    p->window_size = window;
    p->allow_repeat_tx = 0;
    return MEDIA_OK;
}

static void media__srtp_drop(void **ctx)
{
    if (*ctx) srtp_dealloc((srtp_t)*ctx);
    *ctx = NULL;
}

static int media__srtp_make(void **ctx, const char *name, const uint8_t *key, int inbound, uint32_t window)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    if (media__srtp_policy(&p, name, key, inbound, window) != MEDIA_OK) return MEDIA_EINVAL;
    if (srtp_create(&s, &p) != srtp_err_status_ok) return MEDIA_ENOMEM;
    media__srtp_drop(ctx);
    *ctx = s;
    return MEDIA_OK;
}

static int media__srtp_protect(void *ctx, uint8_t *packet, size_t len, size_t cap, int is_rtcp)
{
    media_srtp *x = (media_srtp *)ctx;
    int n = (int)len;
    srtp_err_status_t e;
    if (x->_st.suite == -1) return (int)len;   /* clear RTP, as negotiated */
    if (!x->_tx || len > (size_t)INT_MAX - MEDIA_SRTP_OVERHEAD || cap < len + MEDIA_SRTP_OVERHEAD) {
        x->_st.other_failures++;
        return -1;
    }
    e = is_rtcp ? srtp_protect_rtcp((srtp_t)x->_tx, packet, &n) : srtp_protect((srtp_t)x->_tx, packet, &n);
    if (e != srtp_err_status_ok) { x->_st.other_failures++; return -1; }
    if (is_rtcp) x->_st.protected_rtcp++; else x->_st.protected_rtp++;
    return n;
}

static int media__srtp_unprotect(void *ctx, uint8_t *packet, size_t len, int is_rtcp)
{
    media_srtp *x = (media_srtp *)ctx;
    int n = (int)len;
    srtp_err_status_t e;
    if (x->_st.suite == -1) return (int)len;
    if (!x->_rx || len > (size_t)INT_MAX) { x->_st.other_failures++; return -1; }
    e = is_rtcp ? srtp_unprotect_rtcp((srtp_t)x->_rx, packet, &n) : srtp_unprotect((srtp_t)x->_rx, packet, &n);
    if (e == srtp_err_status_ok) {
        if (is_rtcp) x->_st.unprotected_rtcp++; else x->_st.unprotected_rtp++;
        return n;
    }
    if (e == srtp_err_status_auth_fail) x->_st.auth_failures++;
    else if (e == srtp_err_status_replay_fail || e == srtp_err_status_replay_old) x->_st.replay_failures++;
    else x->_st.other_failures++;
    return -1;
}

/* A negotiation's outcome (media_sdes.keys): contexts for what changed. */
static int media__srtp_keys(void *ctx, int suite, const media_sdp_crypto_key *remote, const media_sdp_crypto_params *params)
{
    media_srtp *x = (media_srtp *)ctx;
    uint32_t window = x->_cfg.replay_window;
    if (suite < 0) {
        if (x->_cfg.policy == MEDIA_SRTP_REQUIRED) return -1;
        media__srtp_drop(&x->_tx);
        media__srtp_drop(&x->_rx);
        x->_st.suite = -1;
        x->_st.suite_name = "";
        return 0;
    }
    if ((size_t)suite >= x->_cfg.suite_count || !remote || remote->key_len != media__srtp_size(x->_names[suite])) return -1;
    if (params && params->wsh > window) window = params->wsh > 32768 ? 32768 : params->wsh;
    if (suite != x->_st.suite || remote->key_len != x->_remote_len || memcmp(remote->key, x->_remote, remote->key_len) ||
        window != x->_window || !x->_rx) {
        if (media__srtp_make(&x->_rx, x->_names[suite], remote->key, 1, window) != MEDIA_OK) return -1;
        memcpy(x->_remote, remote->key, remote->key_len);
        x->_remote_len = remote->key_len;
        x->_window = window;
    }
    if (suite != x->_st.suite || x->_tx_gen != x->_gen || !x->_tx) {
        if (media__srtp_make(&x->_tx, x->_names[suite], x->_keys[suite], 0, 128) != MEDIA_OK) return -1;
        x->_tx_gen = x->_gen;
    }
    x->_st.suite = suite;
    x->_st.suite_name = x->_names[suite];
    return 0;
}

#endif /* MEDIA_SRTP_NO_LIBSRTP */

MEDIA_SRTP_DEF int media_srtp_init(media_srtp *x, const media_srtp_config *cfg)
{
    media_srtp_config def;
    size_t i, j;
    if (!x) return MEDIA_EINVAL;
    memset(x, 0, sizeof *x);
    x->_st.suite = -2;
    x->_st.suite_name = "";
    if (!cfg) { media_srtp_config_init(&def); cfg = &def; }
    if ((cfg->suites && (!cfg->suite_count || cfg->suite_count > MEDIA_SRTP_MAX_SUITES)) ||
        (unsigned)cfg->policy > MEDIA_SRTP_REQUIRED || (cfg->replay_window && (cfg->replay_window < 64 || cfg->replay_window > 32768)))
        return MEDIA_EINVAL;
    x->_cfg = *cfg;
    if (!x->_cfg.replay_window) x->_cfg.replay_window = 128;
    x->_cfg.suite_count = cfg->suites ? cfg->suite_count : MEDIA_SRTP_MAX_SUITES;
    for (i = 0; i < x->_cfg.suite_count; i++) {
        media_sdp_span a;
        x->_names[i] = cfg->suites ? cfg->suites[i] : media__srtp_default[i];
        if (!x->_names[i] || !media__srtp_size(x->_names[i])) return MEDIA_EINVAL;
        a.ptr = x->_names[i];
        a.len = strlen(a.ptr);
        for (j = 0; j < i; j++) if (media_sdp_span_equal(a, x->_names[j])) return MEDIA_EINVAL;
        /* the registered spelling on the wire, whatever the case asked for */
        for (j = 0; j < MEDIA_SRTP_MAX_SUITES; j++) if (media_sdp_span_equal(a, media__srtp_default[j])) x->_names[i] = media__srtp_default[j];
        x->_suites[i].name = x->_names[i];
        x->_suites[i].key = x->_keys[i];
    }
    x->_cfg.suites = NULL;   /* (the names are ours now) */
#ifdef MEDIA_SRTP_NO_LIBSRTP
    return MEDIA_EUNSUPPORTED;
#else
    if (!media__srtp_started) {
        if (srtp_init() != srtp_err_status_ok) return MEDIA_EUNSUPPORTED;
        media__srtp_started = 1;
    }
    if (media__srtp_fresh(x) != MEDIA_OK) return MEDIA_EIO;
    x->_sdes.policy = x->_cfg.policy;
    x->_sdes.suites = x->_suites;
    x->_sdes.count = x->_cfg.suite_count;
    x->_sdes.keys = media__srtp_keys;
    x->_sdes.ctx = x;
    return MEDIA_OK;
#endif
}

MEDIA_SRTP_DEF int media_srtp_attach(media_srtp *x, media_session_config *cfg)
{
    if (!x || !cfg) return MEDIA_EINVAL;
#ifdef MEDIA_SRTP_NO_LIBSRTP
    return MEDIA_EUNSUPPORTED;
#else
    if (!x->_sdes.keys) return MEDIA_EINVAL;   /* not initialised */
    cfg->filter.protect = media__srtp_protect;
    cfg->filter.unprotect = media__srtp_unprotect;
    cfg->filter.overhead = MEDIA_SRTP_OVERHEAD;
    cfg->filter.ctx = x;
    cfg->sdes = &x->_sdes;
    return MEDIA_OK;
#endif
}

MEDIA_SRTP_DEF int media_srtp_rekey(media_srtp *x)
{
    if (!x) return MEDIA_EINVAL;
#ifdef MEDIA_SRTP_NO_LIBSRTP
    return MEDIA_EUNSUPPORTED;
#else
    if (!x->_sdes.keys) return MEDIA_EINVAL;
    /* the keys in use are libsrtp2's copies: ours may change under them */
    return media__srtp_fresh(x);
#endif
}

MEDIA_SRTP_DEF void media_srtp_free(media_srtp *x)
{
    volatile uint8_t *p;
    size_t i;
    if (!x) return;
#ifndef MEDIA_SRTP_NO_LIBSRTP
    media__srtp_drop(&x->_tx);
    media__srtp_drop(&x->_rx);
#endif
    /* wipe the keys where the compiler cannot drop the stores */
    p = (volatile uint8_t *)x->_keys;
    for (i = 0; i < sizeof x->_keys; i++) p[i] = 0;
    p = (volatile uint8_t *)x->_remote;
    for (i = 0; i < sizeof x->_remote; i++) p[i] = 0;
    x->_sdes.keys = NULL;
}

MEDIA_SRTP_DEF int media_srtp_stats_get(const media_srtp *x, media_srtp_stats *st)
{
    if (!x || !st) return MEDIA_EINVAL;
#ifdef MEDIA_SRTP_NO_LIBSRTP
    memset(st, 0, sizeof *st);
    st->suite = -2;
    st->suite_name = "";
    return MEDIA_EUNSUPPORTED;
#else
    *st = x->_st;
    return MEDIA_OK;
#endif
}

#endif /* MEDIA_SRTP_IMPLEMENTED */
#endif /* MEDIA_SRTP_IMPLEMENTATION */
