/* mediacall: the media half of one call, from the command line.

   It plays WAV files to and records from any RTP peer described by an SDP
   file (a PBX, ffmpeg, GStreamer, another mediacall), writes its own SDP, and
   prints what happened as JSON lines on stdout: "ready" (the negotiated
   codec), "dtmf" (with its source: RFC 4733 or, with --inband-dtmf,
   tones in the audio), "tone" (--tones: call progress and fax), "error" (a file that could not be used says which and
   why), "log" (what the session refused, in words), "quality", "stats"
   (every --stats-interval ms), "idle" (--idle
   seconds passed without RTP: the call ends) and "end" with the call's
   whole statistics.

   Answer a peer's offer (the usual case: ffmpeg's or a PBX's SDP):
       mediacall --remote peer.sdp --sdp-out me.sdp --play prompt.wav --record heard.wav --idle 3
   Offer first, then wait for the peer's answer to appear in a file:
       mediacall --offer --sdp-out me.sdp --remote answer.sdp --duration 20

   The files --sdp-out writes appear whole (written aside, then renamed), so a
   script can wait for them. SIGINT/SIGTERM end the call properly (BYE, the
   recording finalised). Exit status: 0 after a call, 1 when it could not be
   set up, 2 for a usage error.

   SRTP: an offer with a=crypto is answered with SRTP when built with
   libsrtp2; --srtp offers it (RTP/AVP with keys: best effort),
   --srtp-required offers RTP/SAVP and takes nothing else, --srtp-suite
   NAME[,NAME] limits the suites. The statistics carry the suite and what
   failed authentication or the replay check.

   Build (make examples does this): with Opus through libopus and SRTP through libsrtp2
       cc -O2 -I. $(pkg-config --cflags opus libsrtp2) tools/mediacall.c -o mediacall $(pkg-config --libs opus libsrtp2) -lm
   or without them (--codec opus and --srtp then say they are not available)
       cc -O2 -I. -DMEDIA_OPUS_NO_LIBOPUS -DMEDIA_SRTP_NO_LIBSRTP tools/mediacall.c -o mediacall -lm */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#define MEDIA_SRTP_IMPLEMENTATION
#include "media.h"
#include "media_opus.h"
#include "media_srtp.h"
#include "tools/tools.h"
#include <signal.h>
#include <poll.h>

static const char usage[] =
    "usage: mediacall [options]\n"
    "  --remote FILE        the peer's SDP: an offer to answer, or (--offer) the answer to wait for\n"
    "  --sdp-out FILE       where our SDP goes ('-': stdout)\n"
    "  --offer              offer first, then wait up to --wait s for --remote to appear\n"
    "  --local ADDR[:PORT]  bind address and even RTP port (127.0.0.1, any port); [v6]:port for IPv6\n"
    "  --sdp-address ADDR   the address our SDP gives (default: the bound one)\n"
    "  --codec LIST         codecs in preference order, e.g. opus,pcma,pcmu (pcmu,pcma); DTMF always\n"
    "  --opus-rate HZ       Opus' PCM rate: 8000, 16000 or 48000 (48000)\n"
    "  --ptime MS           packet time we ask for (20)\n"
    "  --play FILE          a WAV to send (up to 4, queued); --loops N plays each N times (1; 0: forever)\n"
    "  --hangup             end the call when the last file has played\n"
    "  --record FILE        record what we receive; --record-both FILE: stereo, received left\n"
    "  --dtmf DIGITS        send RFC 4733 digits --dtmf-at ms after media starts (1000)\n"
    "  --inband-dtmf        also hear digits sent as tones in the audio (\"source\":\"inband\")\n"
    "  --tones              report call-progress and fax tones heard (busy, ringback, congestion, CNG, CED)\n"
    "  --duration S         end after S seconds (60)\n"
    "  --idle S             end S seconds after the last RTP or at the peer's BYE (0: never)\n"
    "  --wait S             --offer: how long to wait for the answer (10)\n"
    "  --jitter MIN:MAX     adaptive jitter buffer bounds in ms (0:400); --jitter-fixed MS\n"
    "  --latch              send to where the peer's RTP comes from (NAT; follows a rebinding)\n"
    "  --latch-strict       the same, but never moves once latched\n"
    "  --no-mux             no rtcp-mux: RTCP on the RTP port + 1\n"
    "  --stats-interval MS  a \"stats\" line every MS (0: none)\n"
    "  --seed N             reproducible SSRC, sequence and timestamps\n"
    "  --srtp               offer SRTP (RTP/AVP with a=crypto: best effort); an offer's a=crypto is always answered\n"
    "  --srtp-required      offer RTP/SAVP; refuse a peer without SRTP\n"
    "  --srtp-suite LIST    suites, e.g. AES_CM_128_HMAC_SHA1_80,AEAD_AES_256_GCM (all four)\n";

typedef struct app {
    media_session *s;
    char digits[256];
    size_t ndigits;
    int plays, hangup, idle;
    uint32_t idle_ms;
    int ended, end_reason;
} app;

static media_srtp srtp;                   /* lives as long as the session */
static int srtp_on;

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

/* ---- JSON lines ---- */

/* A file that could not be used, as a JSON error line saying what happened:
   MEDIA_EIO leaves errno as the failing call set it. */
static void file_error(const char *path, int rc)
{
    int e = errno;
    const char *why = rc == MEDIA_EIO ? strerror(e)
                    : rc == MEDIA_EPARSE ? "not a WAV file"
                    : rc == MEDIA_EUNSUPPORTED ? "unsupported WAV (16-bit PCM, A-law or mu-law, mono or stereo, 8-48 kHz)"
                    : rc == MEDIA_EINVAL ? "not a regular file"
                    : media_result_string(rc);
    printf("{");
    json_str("event", "error", 0);
    json_str("error", media_result_string(rc), 1);
    json_str("file", path, 1);
    json_str("reason", why, 1);
    printf("}\n");
    fflush(stdout);
    fprintf(stderr, "mediacall: %s: %s\n", path, why);
}

static void json_stats(const media_session_stats *st)
{
    printf("{");
    json_stats_fields(st);
    if (srtp_on) {
        media_srtp_stats x;
        media_srtp_stats_get(&srtp, &x);
        printf(",\"srtp\":{");
        json_str("suite", x.suite_name, 0);
        printf(",\"srtp_sent\":%llu,\"srtcp_sent\":%llu,\"srtp_received\":%llu,\"srtcp_received\":%llu",
               (unsigned long long)x.protected_rtp, (unsigned long long)x.protected_rtcp,
               (unsigned long long)x.unprotected_rtp, (unsigned long long)x.unprotected_rtcp);
        printf(",\"auth_failures\":%llu,\"replay_failures\":%llu,\"other_failures\":%llu}",
               (unsigned long long)x.auth_failures, (unsigned long long)x.replay_failures, (unsigned long long)x.other_failures);
    } else {
        printf(",\"srtp\":null");
    }
    printf("}");
}

static void event_line(app *a, const char *event)
{
    media_session_stats st;
    media_session_stats_get(a->s, &st);
    printf("{");
    json_str("event", event, 0);
    json_str("digits", a->digits, 1);
    printf(",\"stats\":");
    json_stats(&st);
    printf("}\n");
    fflush(stdout);
}

/* ---- callbacks ---- */

static void on_negotiated(media_session *s, int rc, const media_sdp_result *r, void *user)
{
    (void)s; (void)user;
    if (rc != MEDIA_OK) {
        printf("{\"event\":\"negotiation_failed\",\"error\":\"%s\"}\n", media_result_string(rc));
    } else {
        static const char *dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
        media_srtp_stats x;
        const char *suite = "";
        if (srtp_on && r->srtp_suite >= 0 && media_srtp_stats_get(&srtp, &x) == MEDIA_OK) suite = x.suite_name;
        printf("{\"event\":\"ready\",\"codec\":\"%s\",\"payload_type\":%d,\"clock_rate\":%u,\"ptime_ms\":%d,"
               "\"dtmf_payload_type\":%d,\"direction\":\"%s\",\"remote\":\"%s\",\"remote_port\":%u,\"rtcp_mux\":%d,"
               "\"srtp\":\"%s\"}\n",
               r->codec ? r->codec->name : "", r->payload_type, r->codec ? (unsigned)r->codec->clock_rate : 0u,
               r->ptime_ms, r->telephone_event_pt, (unsigned)r->direction < 4 ? dirs[r->direction] : "?",
               r->remote_address, (unsigned)r->remote_rtp_port, r->rtcp_mux,
               suite);
    }
    fflush(stdout);
}

static void on_dtmf(media_session *s, char digit, uint32_t ms, void *user)
{
    app *a = (app *)user;
    if (a->ndigits + 1 < sizeof a->digits) { a->digits[a->ndigits++] = digit; a->digits[a->ndigits] = 0; }
    printf("{\"event\":\"dtmf\",\"digit\":\"%c\",\"duration_ms\":%u,\"source\":\"%s\"}\n", digit, (unsigned)ms,
           media_session_dtmf_source_get(s) == MEDIA_DTMF_SOURCE_INBAND ? "inband" : "rfc4733");
    fflush(stdout);
}

static void on_tone(media_session *s, int tone, int region, void *user)
{
    static const char *names[] = { "", "ringback", "busy", "congestion", "fax-cng", "fax-ced" };
    static const char *regions[] = { "fax", "north-america", "europe" };
    (void)s; (void)user;
    printf("{\"event\":\"tone\",\"tone\":\"%s\",\"region\":\"%s\"}\n", tone >= 1 && tone <= 5 ? names[tone] : "?",
           region >= 0 && region <= 2 ? regions[region] : "?");
    fflush(stdout);
}

static int on_error(media_session *s, int error, void *user)
{
    app *a = (app *)user;
    media_session_stats st;
    if (error == MEDIA_ETIMEOUT && a->idle) {
        /* --idle counts from the last packet: a peer that has not started yet is waited for (--duration) */
        media_session_stats_get(s, &st);
        if (!st.packets_received) return MEDIA_ERROR_CONTINUE;
        printf("{\"event\":\"idle\",\"after_ms\":%u}\n", (unsigned)a->idle_ms);   /* the call's normal end, not an error */
        fflush(stdout);
        return MEDIA_ERROR_STOP;
    }
    printf("{\"event\":\"error\",\"error\":\"%s\"}\n", media_result_string(error));
    fflush(stdout);
    return MEDIA_ERROR_CONTINUE;
}

static void on_log(media_session *s, int level, const char *message, void *user)
{
    (void)s; (void)user;
    printf("{");
    json_str("event", "log", 0);
    json_str("level", level == MEDIA_LOG_ERROR ? "error" : "warning", 1);
    json_str("message", message, 1);
    printf("}\n");
    fflush(stdout);
}

static void on_stream_stop(media_session *s, int direction, void *user)
{
    app *a = (app *)user;
    if (direction == MEDIA_STREAM_RECEIVE && a->idle) media_session_close(s);   /* BYE (or silence) */
}

static void on_play(media_session *s, int id, int result, void *user)
{
    app *a = (app *)user;
    (void)id; (void)result;
    if (--a->plays == 0 && a->hangup) media_session_close(s);
}

static void on_quality(media_session *s, int level, const media_session_stats *st, void *user)
{
    static const char *names[] = { "good", "fair", "poor", "critical" };
    (void)s; (void)user;
    printf("{\"event\":\"quality\",\"level\":\"%s\",\"mos\":%.2f,\"loss_percent\":%.2f,\"jitter_ms\":%.2f}\n",
           level >= 0 && level <= 3 ? names[level] : "?", st->mos, st->loss_percent, st->jitter_ms);
    fflush(stdout);
}

static void on_stats(media_session *s, const media_session_stats *st, void *user)
{
    (void)s; (void)user;
    printf("{\"event\":\"stats\",\"stats\":");
    json_stats(st);
    printf("}\n");
    fflush(stdout);
}

static void on_session_stop(media_session *s, int reason, void *user)
{
    app *a = (app *)user;
    (void)s;
    a->ended = 1;
    a->end_reason = reason;
}

/* Polls the session and waits on its sockets for at most cap_ms. */
static int pump(media_session *s, int cap_ms)
{
    struct pollfd p[2];
    int n = 0, ms = media_session_poll(s), k;
    if (ms < 0) return ms;
    if (ms > cap_ms) ms = cap_ms;
    for (k = 0; k < 2; k++) {
        int fd = media_session_fd_get(s, k);
        if (fd >= 0) { p[n].fd = fd; p[n].events = POLLIN; p[n].revents = 0; n++; }
    }
    if (poll(p, (nfds_t)n, ms) < 0 && errno != EINTR) return MEDIA_ESOCKET;
    return 0;
}

int main(int argc, char **argv)
{
    static const media_codec *codecs[MEDIA_SESSION_MAX_CODECS];
    media_opus_config opus_cfg;
    static media_opus opus;               /* lives as long as the session */
    media_session_config cfg;
    app a;
    const char *codec_list = NULL, *remote = NULL, *sdp_out = NULL, *record = NULL, *dtmf = NULL, *plays[MEDIA_SESSION_PLAY_QUEUE];
    char host[64] = "127.0.0.1", sdp[MEDIA_SESSION_SDP_SIZE];
    int offer = 0, record_what = MEDIA_RECORD_RECEIVED, nplay = 0, loops = 1, i, n, rc, err, want_srtp = 0;
    const char *suite_list = NULL;
    unsigned port = 0;
    double duration = 60, wait_s = 10, dtmf_at = 1000;
    size_t ncodecs = 0;
    uint64_t t0, media_t0 = 0;
    int dtmf_sent = 0;

    memset(&a, 0, sizeof a);
    media_opus_config_init(&opus_cfg);
    media_session_config_init(&cfg);
    cfg.resample = 1;                     /* prompts at any rate */
    cfg.handler.user = &a;
    cfg.handler.negotiation_complete = on_negotiated;
    cfg.handler.dtmf = on_dtmf;
    cfg.handler.tone = on_tone;
    cfg.handler.stream_error = on_error;
    cfg.handler.log = on_log;
    cfg.handler.stream_stop = on_stream_stop;
    cfg.handler.play_complete = on_play;
    cfg.handler.quality_alert = on_quality;
    cfg.handler.stats = on_stats;
    cfg.handler.session_stop = on_session_stop;
    for (i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(o, "--offer")) { offer = 1; takes = 0; }
        else if (!strcmp(o, "--hangup")) { a.hangup = 1; takes = 0; }
        else if (!strcmp(o, "--latch")) { cfg.latch = MEDIA_LATCH_ON; takes = 0; }
        else if (!strcmp(o, "--latch-strict")) { cfg.latch = MEDIA_LATCH_STRICT; takes = 0; }
        else if (!strcmp(o, "--no-mux")) { cfg.rtcp_mux = 0; takes = 0; }
        else if (!strcmp(o, "--inband-dtmf")) { cfg.inband_dtmf = 1; takes = 0; }
        else if (!strcmp(o, "--tones")) { cfg.tones = 1; takes = 0; }
        else if (!strcmp(o, "--srtp")) { if (!want_srtp) want_srtp = 1; takes = 0; }
        else if (!strcmp(o, "--srtp-required")) { want_srtp = 2; takes = 0; }
        else if (!strcmp(o, "-h") || !strcmp(o, "--help")) { fputs(usage, stdout); return 0; }
        else if (!v) { fprintf(stderr, "mediacall: %s needs a value\n%s", o, usage); return 2; }
        else if (!strcmp(o, "--remote")) remote = v;
        else if (!strcmp(o, "--sdp-out")) sdp_out = v;
        else if (!strcmp(o, "--local")) {
            if (split_host_port(v, host, sizeof host, &port) != 0) { fprintf(stderr, "mediacall: bad --local %s\n", v); return 2; }
        }
        else if (!strcmp(o, "--sdp-address")) cfg.sdp_address = v;
        else if (!strcmp(o, "--codec")) codec_list = v;
        else if (!strcmp(o, "--ptime")) cfg.ptime_ms = (uint32_t)atoi(v);
        else if (!strcmp(o, "--opus-rate")) opus_cfg.sample_rate = (uint32_t)atoi(v);
        else if (!strcmp(o, "--play")) {
            if (nplay >= MEDIA_SESSION_PLAY_QUEUE) { fprintf(stderr, "mediacall: at most %d files\n", MEDIA_SESSION_PLAY_QUEUE); return 2; }
            plays[nplay++] = v;
        }
        else if (!strcmp(o, "--loops")) loops = atoi(v);
        else if (!strcmp(o, "--record")) { record = v; record_what = MEDIA_RECORD_RECEIVED; }
        else if (!strcmp(o, "--record-both")) { record = v; record_what = MEDIA_RECORD_BOTH; }
        else if (!strcmp(o, "--dtmf")) dtmf = v;
        else if (!strcmp(o, "--dtmf-at")) dtmf_at = atof(v);
        else if (!strcmp(o, "--duration")) duration = atof(v);
        else if (!strcmp(o, "--idle")) { a.idle = atof(v) > 0; a.idle_ms = cfg.rtp_timeout_ms = (uint32_t)(atof(v) * 1000); }
        else if (!strcmp(o, "--wait")) wait_s = atof(v);
        else if (!strcmp(o, "--jitter")) {
            unsigned lo = 0, hi = 0;
            if (sscanf(v, "%u:%u", &lo, &hi) != 2 || lo > hi) { fprintf(stderr, "mediacall: bad --jitter %s\n", v); return 2; }
            cfg.jitter_min_delay_ms = lo; cfg.jitter_max_delay_ms = hi;
        }
        else if (!strcmp(o, "--jitter-fixed")) cfg.jitter_fixed_delay_ms = (uint32_t)atoi(v);
        else if (!strcmp(o, "--stats-interval")) cfg.stats_interval_ms = (uint32_t)atoi(v);
        else if (!strcmp(o, "--seed")) cfg.seed = strtoull(v, NULL, 0);
        else if (!strcmp(o, "--srtp-suite")) suite_list = v;
        else { fprintf(stderr, "mediacall: unknown option %s\n%s", o, usage); return 2; }
        i += takes;
    }
    if (!remote || !sdp_out) { fprintf(stderr, "mediacall: --remote and --sdp-out are needed\n%s", usage); return 2; }
    if ((rc = parse_codecs("mediacall", codec_list, codecs, &opus, &opus_cfg)) < 0) return rc == -1 ? 1 : 2;
    ncodecs = (size_t)rc;
    if (ncodecs) {
        cfg.codecs = codecs;
        cfg.codec_count = ncodecs;
    }
    /* SRTP: asked for, or there to answer an offer's keys (best effort) */
    if (want_srtp || !offer || suite_list) {
        static char names[160];
        static const char *suites[MEDIA_SRTP_MAX_SUITES];
        media_srtp_config sc;
        size_t ns = 0;
        char *tok;
        media_srtp_config_init(&sc);
        sc.policy = want_srtp == 2 ? MEDIA_SRTP_REQUIRED : MEDIA_SRTP_OPTIONAL;
        if (suite_list) {
            if (strlen(suite_list) >= sizeof names) { fprintf(stderr, "mediacall: bad --srtp-suite\n"); return 2; }
            memcpy(names, suite_list, strlen(suite_list) + 1);
            for (tok = strtok(names, ","); tok && ns < MEDIA_SRTP_MAX_SUITES; tok = strtok(NULL, ",")) suites[ns++] = tok;
            sc.suites = suites;
            sc.suite_count = ns;
        }
        rc = media_srtp_init(&srtp, &sc);
        if (rc == MEDIA_OK) rc = media_srtp_attach(&srtp, &cfg);
        if (rc == MEDIA_OK) srtp_on = 1;
        else if (want_srtp || suite_list) {
            fprintf(stderr, "mediacall: srtp: %s\n", rc == MEDIA_EINVAL ? "unknown suite (AES_CM_128_HMAC_SHA1_80, "
                    "AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, AEAD_AES_256_GCM)" : media_result_string(rc));
            return rc == MEDIA_EINVAL ? 2 : 1;
        }
    }
    cfg.local_address = host;
    cfg.port_min = cfg.port_max = (uint16_t)port;
    if (!(a.s = media_session_create(&cfg, &err))) {
        fprintf(stderr, "mediacall: cannot open %s:%u: %s\n", host, port, media_result_string(err));
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    /* offer/answer */
    if (offer) {
        uint64_t until;
        char *text = NULL;
        size_t len = 0;
        if ((n = media_session_offer_create(a.s, sdp, sizeof sdp)) < 0 || write_file(sdp_out, sdp, (size_t)n) != 0) {
            fprintf(stderr, "mediacall: cannot write the offer to %s\n", sdp_out);
            media_session_destroy(a.s);
            return 1;
        }
        until = now_ms() + (uint64_t)(wait_s * 1000);
        /* the answer counts once it reads the same twice (a writer may still be at it) */
        while (now_ms() < until && !stop_requested) {
            char *again;
            size_t len2 = 0;
            (void)pump(a.s, 20);
            if (!(text = read_file(remote, &len))) continue;
            (void)pump(a.s, 20);
            again = read_file(remote, &len2);
            if (again && len2 == len && !memcmp(again, text, len)) { free(again); break; }
            free(again);
            free(text);
            text = NULL;
        }
        if (!text) {
            fprintf(stderr, "mediacall: no answer in %s\n", remote);
            media_session_destroy(a.s);
            return 1;
        }
        rc = media_session_remote_sdp_set(a.s, text, len);
        free(text);
    } else {
        char *text;
        size_t len = 0;
        if (!(text = read_file(remote, &len))) {
            fprintf(stderr, "mediacall: cannot read %s\n", remote);
            media_session_destroy(a.s);
            return 1;
        }
        rc = media_session_remote_sdp_set(a.s, text, len);
        free(text);
        if (rc == MEDIA_OK) {
            n = media_session_answer_create(a.s, sdp, sizeof sdp);
            if (n < 0 || write_file(sdp_out, sdp, (size_t)n) != 0) rc = n < 0 ? n : MEDIA_EIO;
        }
    }
    if (rc != MEDIA_OK) {
        fprintf(stderr, "mediacall: %s: %s\n", remote, media_result_string(rc));
        media_session_destroy(a.s);
        return 1;
    }

    for (i = 0; i < nplay; i++) {
        if ((rc = media_session_play(a.s, plays[i], loops)) < 0) {
            file_error(plays[i], rc);
            media_session_destroy(a.s);
            return 1;
        }
        a.plays++;
    }
    if (record && (rc = media_session_record(a.s, record, record_what)) != MEDIA_OK) {
        file_error(record, rc);
        media_session_destroy(a.s);
        return 1;
    }

    /* the call */
    t0 = now_ms();
    while (!a.ended) {
        uint64_t t = now_ms();
        if (stop_requested || t - t0 >= (uint64_t)(duration * 1000)) { stop_requested = 0; duration = 1e12; media_session_close(a.s); }
        if (!media_t0 && media_session_state_get(a.s) == MEDIA_STATE_ACTIVE) media_t0 = t;
        if (dtmf && !dtmf_sent && media_t0 && t - media_t0 >= (uint64_t)dtmf_at) {
            dtmf_sent = 1;
            if ((rc = media_session_dtmf_send(a.s, dtmf)) != MEDIA_OK) fprintf(stderr, "mediacall: dtmf: %s\n", media_result_string(rc));
        }
        if (pump(a.s, 20) < 0) break;
    }
    event_line(&a, "end");
    media_session_destroy(a.s);
    if (srtp_on) media_srtp_free(&srtp);
    return 0;
}
