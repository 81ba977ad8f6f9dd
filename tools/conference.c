/* conference: a conference bridge from the command line.

   Each --remote is one peer's SDP offer (a phone, ffmpeg, GStreamer, a PBX
   leg); each is answered by a session of its own (the answers go to
   DIR/0.sdp, DIR/1.sdp... in --remote order), and every session is a party
   of one media_mixer: each peer hears everyone else, never itself. Prints
   JSON lines on stdout: "ready" (a party's negotiated codec), "joined" (its
   audio started), "speaker" (the active speaker changed; -1: nobody),
   "stats" (every --stats-interval ms, per party: the session's statistics
   and the mixer's view), "left" (its BYE, or --idle seconds without its
   RTP), and "end". Ends when every party has left, or after --duration.

       conference --remote a.sdp --remote b.sdp --remote c.sdp --sdp-out-dir out --record mix.wav

   Build (make examples does this):
       cc -O2 -I. $(pkg-config --cflags opus) tools/conference.c -o conference $(pkg-config --libs opus) -lm
   or without Opus: cc -O2 -I. -DMEDIA_OPUS_NO_LIBOPUS tools/conference.c -o conference -lm */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#include "media.h"
#include "media_opus.h"
#define TOOLS_MANY_SESSIONS
#include "tools/tools.h"
#include <signal.h>

#define MAX_PARTIES 32

static const char usage[] =
    "usage: conference --remote FILE [--remote FILE]... --sdp-out-dir DIR [options]\n"
    "  --remote FILE        a peer's SDP offer (up to 32); its answer goes to DIR/N.sdp\n"
    "  --sdp-out-dir DIR    where the answers go (the directory must exist)\n"
    "  --local ADDR         bind address (127.0.0.1); --sdp-address ADDR: the address the answers give\n"
    "  --codec LIST         codecs in preference order, e.g. opus,pcmu (pcmu,pcma); DTMF always\n"
    "  --rate HZ            the mix's rate, 8000..48000 (8000; 48000 for a wideband conference)\n"
    "  --record FILE        record the whole mix (16-bit WAV at --rate)\n"
    "  --duration S         end after S seconds (60)\n"
    "  --idle S             a party leaves S seconds after its last RTP (0: only at its BYE)\n"
    "  --stats-interval MS  a \"stats\" line per party every MS (0: none)\n";

typedef struct party {
    peer p;                            /* first: the callbacks' user pointer */
    media_mixer *mixer;
    media_opus opus;
    const media_codec *codecs[MEDIA_SESSION_MAX_CODECS];
} party;

static party parties[MAX_PARTIES];
static int nparties, nleft;
static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void party_line(party *p, const char *event, const char *reason)
{
    media_session_stats st;
    media_mixer_party_stats ms;
    printf("{");
    json_str("event", event, 0);
    printf(",\"party\":%d", p->p.index);
    if (reason) json_str("reason", reason, 1);
    media_session_stats_get(p->p.s, &st);
    printf(",\"stats\":{");
    json_stats_fields(&st);
    printf("}");
    if (media_mixer_party_stats_get(p->mixer, p->p.index, &ms) == MEDIA_OK)
        printf(",\"mixer\":{\"level_db\":%.1f,\"frames\":%llu,\"underruns\":%u,\"input_dropped\":%u,\"output_dropped\":%u,"
               "\"speaker\":%d}", ms.level_db, (unsigned long long)ms.frames, (unsigned)ms.underruns,
               (unsigned)ms.input_dropped, (unsigned)ms.output_dropped, ms.speaker);
    printf("}\n");
    fflush(stdout);
}

static void leave(peer *b, const char *reason)
{
    party *p = (party *)(void *)b;
    if (b->left) return;
    b->left = 1;
    nleft++;
    party_line(p, "left", reason);
    media_mixer_leave(p->mixer, b->index);
    media_session_close(b->s);
}

static void to_mixer(media_session *s, const int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    party *p = (party *)user;
    (void)s;
    if (!p->p.left) (void)media_mixer_put(p->mixer, p->p.index, pcm, n, rate);
}

static int from_mixer(media_session *s, int16_t *pcm, size_t n, uint32_t rate, void *user)
{
    party *p = (party *)user;
    int got = p->p.left ? 0 : media_mixer_get(p->mixer, p->p.index, pcm, n, rate);
    (void)s;
    return got > 0 ? got : 0;
}

static void on_stats(media_session *s, const media_session_stats *st, void *user)
{
    (void)s; (void)st;
    party_line((party *)user, "stats", NULL);
}

static void on_speaker(media_mixer *m, int who, void *user)
{
    (void)m; (void)user;
    printf("{\"event\":\"speaker\",\"party\":%d}\n", who);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *remotes[MAX_PARTIES], *dir = NULL, *codec_list = NULL, *record = NULL, *sdp_address = NULL;
    char host[64] = "127.0.0.1";
    media_mixer_config mc;
    media_mixer *mixer;
    media_opus_config oc;
    double duration = 60, idle = 0;
    uint32_t stats_ms = 0;
    uint64_t t0;
    int i, rc, err, closing = 0;

    media_mixer_config_init(&mc);
    media_opus_config_init(&oc);
    for (i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned port;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) { fputs(usage, stdout); return 0; }
        if (!v) { fprintf(stderr, "conference: %s needs a value\n%s", o, usage); return 2; }
        if (!strcmp(o, "--remote")) {
            if (nparties == MAX_PARTIES) { fprintf(stderr, "conference: at most %d parties\n", MAX_PARTIES); return 2; }
            remotes[nparties++] = v;
        }
        else if (!strcmp(o, "--sdp-out-dir")) dir = v;
        else if (!strcmp(o, "--local")) {
            if (split_host_port(v, host, sizeof host, &port) != 0 || port) { fprintf(stderr, "conference: bad --local %s\n", v); return 2; }
        }
        else if (!strcmp(o, "--sdp-address")) sdp_address = v;
        else if (!strcmp(o, "--codec")) codec_list = v;
        else if (!strcmp(o, "--rate")) mc.rate = (uint32_t)atoi(v);
        else if (!strcmp(o, "--record")) record = v;
        else if (!strcmp(o, "--duration")) duration = atof(v);
        else if (!strcmp(o, "--idle")) idle = atof(v);
        else if (!strcmp(o, "--stats-interval")) stats_ms = (uint32_t)atoi(v);
        else { fprintf(stderr, "conference: unknown option %s\n%s", o, usage); return 2; }
        i++;
    }
    if (!nparties || !dir) { fprintf(stderr, "conference: --remote and --sdp-out-dir are needed\n%s", usage); return 2; }
    mc.max_parties = nparties;
    mc.speaker = on_speaker;
    if (!(mixer = media_mixer_create(&mc, &err))) {
        fprintf(stderr, "conference: mixer: %s (--rate 8000..48000)\n", media_result_string(err));
        return 2;
    }
    if (record && (rc = media_mixer_record(mixer, record)) != MEDIA_OK) {
        fprintf(stderr, "conference: %s: %s\n", record, rc == MEDIA_EIO ? strerror(errno) : media_result_string(rc));
        return 1;
    }
    for (i = 0; i < nparties; i++) {
        party *p = &parties[i];
        media_session_config cfg;
        int n;
        p->p.index = i;
        p->p.who = "party";
        p->p.leave = leave;
        p->mixer = mixer;
        media_session_config_init(&cfg);
        if ((n = parse_codecs("conference", codec_list, p->codecs, &p->opus, &oc)) < 0) return n == -1 ? 1 : 2;
        if (n) { cfg.codecs = p->codecs; cfg.codec_count = (size_t)n; }
        cfg.local_address = host;
        cfg.sdp_address = sdp_address;
        cfg.rtp_timeout_ms = (uint32_t)(idle * 1000);
        cfg.stats_interval_ms = stats_ms;
        peer_handlers(&cfg, &p->p);
        cfg.handler.audio_in = to_mixer;
        cfg.handler.audio_out = from_mixer;
        cfg.handler.stats = on_stats;
        if (media_mixer_join(mixer, MEDIA_MIXER_TALK) != i) return 1;
        if (!(p->p.s = media_session_create(&cfg, &err))) {
            fprintf(stderr, "conference: cannot open %s: %s\n", host, media_result_string(err));
            return 1;
        }
        if (answer_into("conference", p->p.s, remotes[i], dir, i) != MEDIA_OK) return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    t0 = now_ms();
    for (;;) {
        media_session *all[MAX_PARTIES];
        if (!closing && (stop_requested || now_ms() - t0 >= (uint64_t)(duration * 1000) || nleft == nparties)) {
            closing = 1;   /* BYE to whoever is still there */
            for (i = 0; i < nparties; i++) leave(&parties[i].p, "end");
        }
        for (i = 0; i < nparties; i++) all[i] = parties[i].p.s;
        if (pump_all(all, nparties, media_mixer_poll(mixer, media_now_us())) <= 0) break;
    }
    printf("{\"event\":\"end\",\"parties\":%d}\n", nparties);
    fflush(stdout);
    for (i = 0; i < nparties; i++) media_session_destroy(parties[i].p.s);
    media_mixer_destroy(mixer);
    return 0;
}
