/* bridge: two peers back to back, the media of a B2BUA or an SBC, from the
   command line.

   --remote twice: each peer's SDP offer, answered by a session of its own
   (DIR/0.sdp, DIR/1.sdp); the two sessions are joined by a media_bridge:
   what both legs negotiated is relayed undecoded (one continuous stream on
   each leg whatever the origin does), anything else is transcoded (PCMU on
   one leg, Opus on the other), RFC 4733 key presses cross as events. Each
   leg has its own codec list (--codec-a, --codec-b). Prints JSON lines:
   "ready" per leg, "joined" when a leg's audio starts, "left" (its BYE or
   --idle), "stats" every --stats-interval ms, and "end" with both legs'
   statistics and what the bridge did each way. When one leg leaves, the
   other is ended too (BYE).

       bridge --remote a.sdp --remote b.sdp --sdp-out-dir out --codec-b opus

   Build (make examples does this):
       cc -O2 -I. $(pkg-config --cflags opus) tools/bridge.c -o bridge $(pkg-config --libs opus) -lm */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#define MEDIA_OPUS_IMPLEMENTATION
#include "media.h"
#include "media_opus.h"
#define TOOLS_MANY_SESSIONS
#include "tools/tools.h"
#include <signal.h>

static const char usage[] =
    "usage: bridge --remote A.sdp --remote B.sdp --sdp-out-dir DIR [options]\n"
    "  --remote FILE        a peer's SDP offer (twice); its answer goes to DIR/0.sdp, DIR/1.sdp\n"
    "  --sdp-out-dir DIR    where the answers go (the directory must exist)\n"
    "  --local ADDR         bind address (127.0.0.1)\n"
    "  --codec-a LIST       the first leg's codecs, e.g. pcmu,pcma (pcmu,pcma); --codec-b: the second's\n"
    "  --mode M             auto (relay what both legs can carry, transcode the rest), relay, transcode\n"
    "  --duration S         end after S seconds (60)\n"
    "  --idle S             a leg ends S seconds after its peer's last RTP (0: only at its BYE)\n"
    "  --stats-interval MS  a \"stats\" line per leg every MS (0: none)\n";

typedef struct leg {
    peer p;                            /* first: the callbacks' user pointer */
    media_opus opus;
    const media_codec *codecs[MEDIA_SESSION_MAX_CODECS];
} leg;

static leg legs[2];
static media_bridge *br;
static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void bridge_fields(int from)
{
    media_bridge_stats b;
    if (!br || media_bridge_stats_get(br, from, &b) != MEDIA_OK) return;
    printf(",\"bridge\":{\"relayed\":%llu,\"transcoded\":%llu,\"events\":%llu,\"rtcp\":%llu,\"dropped\":%llu,"
           "\"switches\":%u,\"queue_dropped\":%u,\"relaying\":%d}",
           (unsigned long long)b.relayed, (unsigned long long)b.transcoded, (unsigned long long)b.events,
           (unsigned long long)b.rtcp, (unsigned long long)b.dropped, (unsigned)b.switches, (unsigned)b.queue_dropped,
           b.relaying);
}

/* a leg's line: its session's statistics and what the bridge did with what it received */
static void leg_line(peer *l, const char *event, const char *reason)
{
    media_session_stats st;
    media_session_stats_get(l->s, &st);
    printf("{");
    json_str("event", event, 0);
    printf(",\"leg\":%d", l->index);
    if (reason) json_str("reason", reason, 1);
    printf(",\"stats\":{");
    json_stats_fields(&st);
    printf("}");
    bridge_fields(l->index);
    printf("}\n");
    fflush(stdout);
}

static void leave(peer *l, const char *reason)
{
    if (l->left) return;
    l->left = 1;
    leg_line(l, "left", reason);
    media_session_close(l->s);
}

static void on_dtmf(media_session *s, char digit, uint32_t ms, void *user)
{
    (void)s;
    printf("{\"event\":\"dtmf\",\"leg\":%d,\"digit\":\"%c\",\"duration_ms\":%u}\n", ((peer *)user)->index, digit, (unsigned)ms);
    fflush(stdout);
}

static void on_stats(media_session *s, const media_session_stats *st, void *user)
{
    (void)s; (void)st;
    leg_line((peer *)user, "stats", NULL);
}

int main(int argc, char **argv)
{
    const char *remotes[2], *dir = NULL, *codec_list[2] = { NULL, NULL };
    char host[64] = "127.0.0.1";
    media_bridge_config bc;
    media_opus_config oc;
    double duration = 60, idle = 0;
    uint32_t stats_ms = 0;
    uint64_t t0;
    int i, err, nremote = 0, closing = 0;

    media_bridge_config_init(&bc);
    media_opus_config_init(&oc);
    for (i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned port;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) { fputs(usage, stdout); return 0; }
        if (!v) { fprintf(stderr, "bridge: %s needs a value\n%s", o, usage); return 2; }
        if (!strcmp(o, "--remote")) {
            if (nremote == 2) { fprintf(stderr, "bridge: two --remote, no more\n"); return 2; }
            remotes[nremote++] = v;
        }
        else if (!strcmp(o, "--sdp-out-dir")) dir = v;
        else if (!strcmp(o, "--local")) {
            if (split_host_port(v, host, sizeof host, &port) != 0 || port) { fprintf(stderr, "bridge: bad --local %s\n", v); return 2; }
        }
        else if (!strcmp(o, "--codec-a")) codec_list[0] = v;
        else if (!strcmp(o, "--codec-b")) codec_list[1] = v;
        else if (!strcmp(o, "--mode")) {
            if (!strcmp(v, "auto")) bc.mode = MEDIA_BRIDGE_AUTO;
            else if (!strcmp(v, "relay")) bc.mode = MEDIA_BRIDGE_RELAY;
            else if (!strcmp(v, "transcode")) bc.mode = MEDIA_BRIDGE_TRANSCODE;
            else { fprintf(stderr, "bridge: --mode auto, relay or transcode\n"); return 2; }
        }
        else if (!strcmp(o, "--duration")) duration = atof(v);
        else if (!strcmp(o, "--idle")) idle = atof(v);
        else if (!strcmp(o, "--stats-interval")) stats_ms = (uint32_t)atoi(v);
        else { fprintf(stderr, "bridge: unknown option %s\n%s", o, usage); return 2; }
        i++;
    }
    if (nremote != 2 || !dir) { fprintf(stderr, "bridge: two --remote and --sdp-out-dir are needed\n%s", usage); return 2; }
    for (i = 0; i < 2; i++) {
        leg *l = &legs[i];
        media_session_config cfg;
        int n;
        l->p.index = i;
        l->p.who = "leg";
        l->p.leave = leave;
        media_session_config_init(&cfg);
        if ((n = parse_codecs("bridge", codec_list[i], l->codecs, &l->opus, &oc)) < 0) return n == -1 ? 1 : 2;
        if (n) { cfg.codecs = l->codecs; cfg.codec_count = (size_t)n; }
        cfg.local_address = host;
        cfg.rtp_timeout_ms = (uint32_t)(idle * 1000);
        cfg.stats_interval_ms = stats_ms;
        peer_handlers(&cfg, &l->p);
        cfg.handler.dtmf = on_dtmf;
        cfg.handler.stats = on_stats;
        if (!(l->p.s = media_session_create(&cfg, &err))) {
            fprintf(stderr, "bridge: cannot open %s: %s\n", host, media_result_string(err));
            return 1;
        }
        if (answer_into("bridge", l->p.s, remotes[i], dir, i) != MEDIA_OK) return 1;
    }
    if (!(br = media_bridge_create(legs[0].p.s, legs[1].p.s, &bc, &err))) {
        fprintf(stderr, "bridge: %s\n", media_result_string(err));
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    t0 = now_ms();
    for (;;) {
        media_session *both[2];
        if (!closing && (stop_requested || now_ms() - t0 >= (uint64_t)(duration * 1000) || legs[0].p.left || legs[1].p.left)) {
            closing = 1;   /* one leg gone: the call is over for the other too */
            for (i = 0; i < 2; i++) leave(&legs[i].p, "end");
        }
        both[0] = legs[0].p.s;
        both[1] = legs[1].p.s;
        if (pump_all(both, 2, 1000) <= 0) break;
    }
    printf("{\"event\":\"end\",\"legs\":[");
    for (i = 0; i < 2; i++) {
        media_session_stats st;
        media_session_stats_get(legs[i].p.s, &st);
        printf("%s{\"leg\":%d,\"stats\":{", i ? "," : "", i);
        json_stats_fields(&st);
        printf("}");
        bridge_fields(i);
        printf("}");
    }
    printf("]}\n");
    fflush(stdout);
    media_bridge_destroy(br);
    for (i = 0; i < 2; i++) media_session_destroy(legs[i].p.s);
    return 0;
}
