/* What the command-line tools (mediacall, conference, bridge) share: JSON
   lines, whole-file reads and writes, address and codec options, one
   session's statistics as JSON fields. Included by each tool after media.h
   and media_opus.h with their implementations; not a public header.
   TOOLS_MANY_SESSIONS (conference, bridge) adds the helpers for a tool of
   several sessions. */
#ifndef MEDIA_TOOLS_H
#define MEDIA_TOOLS_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>

static void json_str(const char *key, const char *v, int comma)
{
    printf("%s\"%s\":\"", comma ? "," : "", key);
    for (; v && *v; v++) {
        if (*v == '"' || *v == '\\') printf("\\%c", *v);
        else if ((unsigned char)*v < 0x20) printf("\\u%04x", (unsigned char)*v);
        else putchar(*v);
    }
    putchar('"');
}

/* a session's statistics as JSON fields (no braces), starting with "state" */
static void json_stats_fields(const media_session_stats *st)
{
    static const char *states[] = { "idle", "negotiating", "ready", "active", "paused", "held", "terminated" };
    json_str("state", st->state >= 0 && st->state <= MEDIA_STATE_TERMINATED ? states[st->state] : "?", 0);
    json_str("codec", st->codec ? st->codec : "", 1);
    printf(",\"payload_type\":%d,\"ptime_ms\":%u,\"duration_ms\":%llu,\"local_ssrc\":%u,\"remote_ssrc\":%u",
           st->payload_type, (unsigned)st->ptime_ms, (unsigned long long)st->duration_ms, (unsigned)st->local_ssrc,
           (unsigned)st->remote_ssrc);
    printf(",\"packets_sent\":%llu,\"bytes_sent\":%llu,\"rtcp_sent\":%llu,\"dtmf_sent\":%llu",
           (unsigned long long)st->packets_sent, (unsigned long long)st->bytes_sent,
           (unsigned long long)st->rtcp_sent, (unsigned long long)st->dtmf_sent);
    printf(",\"packets_received\":%llu,\"bytes_received\":%llu,\"lost\":%lld,\"loss_percent\":%.3f",
           (unsigned long long)st->packets_received, (unsigned long long)st->bytes_received,
           (long long)st->lost, st->loss_percent);
    printf(",\"jitter_ms\":%.3f,\"jitter_mean_ms\":%.3f,\"jitter_max_ms\":%.3f", st->jitter_ms, st->jitter_mean_ms,
           st->jitter_max_ms);
    printf(",\"duplicates\":%llu,\"reordered\":%llu,\"late\":%llu,\"concealed\":%llu,\"jitter_delay_ms\":%.1f",
           (unsigned long long)st->duplicates, (unsigned long long)st->reordered, (unsigned long long)st->late,
           (unsigned long long)st->concealed, st->jitter_delay_ms);
    printf(",\"stretched_ms\":%.1f,\"compressed_ms\":%.1f,\"silence_cut_ms\":%.1f,\"frames_dropped\":%llu,\"frames_inserted\":%llu",
           st->stretched_ms, st->compressed_ms, st->silence_cut_ms, (unsigned long long)st->frames_dropped,
           (unsigned long long)st->frames_inserted);
    printf(",\"recovered\":%llu,\"dtx_frames\":%llu,\"codec_bitrate\":%d,\"codec_fec_percent\":%d",
           (unsigned long long)st->recovered, (unsigned long long)st->dtx_frames, (int)st->codec_bitrate, st->codec_fec_percent);
    if (st->rtt_ms < 0) printf(",\"rtt_ms\":null");   /* no report has given it yet */
    else printf(",\"rtt_ms\":%.1f", st->rtt_ms);
    printf(",\"mos\":%.2f,\"quality\":%d,\"rtcp_received\":%llu,\"dtmf_received\":%llu",
           st->mos, st->quality, (unsigned long long)st->rtcp_received, (unsigned long long)st->dtmf_received);
    printf(",\"remote_report\":%d,\"remote_loss_percent\":%.2f,\"remote_lost\":%d,\"remote_jitter_ms\":%.3f",
           st->have_remote_report, st->remote_loss_percent, (int)st->remote_lost, st->remote_jitter_ms);
    printf(",\"malformed_rtp\":%llu,\"malformed_rtcp\":%llu,\"foreign\":%llu,\"unknown_pt\":%llu",
           (unsigned long long)st->malformed_rtp, (unsigned long long)st->malformed_rtcp,
           (unsigned long long)st->foreign, (unsigned long long)st->unknown_pt);
    printf(",\"ssrc_changes\":%u,\"collisions\":%u,\"strays\":%u,\"clock_steps_back\":%u",
           (unsigned)st->ssrc_changes, (unsigned)st->collisions, (unsigned)st->strays, (unsigned)st->clock_steps_back);
    printf(",\"send_errors\":%llu,\"receive_errors\":%llu,\"unreachable\":%llu", (unsigned long long)st->send_errors,
           (unsigned long long)st->receive_errors, (unsigned long long)st->unreachable);
    printf(",\"protect_errors\":%llu,\"unprotect_errors\":%llu", (unsigned long long)st->protect_errors,
           (unsigned long long)st->unprotect_errors);
}

/* a whole file (up to 64 KiB), NUL-terminated; NULL if it cannot be read or is empty */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) return NULL;
    buf = (char *)malloc(65537);
    n = buf ? fread(buf, 1, 65536, f) : 0;
    fclose(f);
    if (!buf || n == 0) { free(buf); return NULL; }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* whole or not at all: a reader waiting for the file never sees half of it */
static int write_file(const char *path, const char *text, size_t len)
{
    char tmp[4096];
    FILE *f;
    if (!strcmp(path, "-")) { fwrite(text, 1, len, stdout); fflush(stdout); return 0; }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) return -1;
    if (!(f = fopen(tmp, "wb"))) return -1;
    if (fwrite(text, 1, len, f) != len) { fclose(f); remove(tmp); return -1; }
    if (fclose(f) != 0 || rename(tmp, path) != 0) { remove(tmp); return -1; }
    return 0;
}

/* "1.2.3.4", "1.2.3.4:5000", "::1", "[::1]:5000" */
static int split_host_port(const char *in, char *host, size_t cap, unsigned *port)
{
    const char *colon = strrchr(in, ':');
    size_t n;
    *port = 0;
    if (in[0] == '[') {
        const char *end = strchr(in, ']');
        if (!end || (n = (size_t)(end - in - 1)) >= cap) return -1;
        memcpy(host, in + 1, n);
        host[n] = 0;
        if (end[1] == ':') *port = (unsigned)strtoul(end + 2, NULL, 10);
        else if (end[1]) return -1;
    } else if (colon && strchr(in, ':') == colon) {
        if ((n = (size_t)(colon - in)) >= cap) return -1;
        memcpy(host, in, n);
        host[n] = 0;
        *port = (unsigned)strtoul(colon + 1, NULL, 10);
    } else {
        if ((n = strlen(in)) >= cap) return -1;
        memcpy(host, in, n + 1);
    }
    return *port > 65534 ? -1 : 0;
}

static uint64_t now_ms(void) { return media_now_us() / 1000; }

/* --codec LIST ("opus,pcma,pcmu") into codecs[] with telephone-event last;
   opus (when named) is made in *opus from *oc. Returns how many, 0 when
   list is NULL (the defaults), or < 0 after saying what is wrong (-2: a
   usage error, -1: Opus not available). */
static int parse_codecs(const char *tool, const char *list, const media_codec **codecs, media_opus *opus,
                        const media_opus_config *oc)
{
    char buf[128], *tok;
    size_t len;
    int n = 0, rc;
    if (!list) return 0;
    if ((len = strlen(list)) >= sizeof buf) { fprintf(stderr, "%s: --codec too long\n", tool); return -2; }
    memcpy(buf, list, len + 1);
    for (tok = strtok(buf, ","); tok && n + 1 < MEDIA_SESSION_MAX_CODECS; tok = strtok(NULL, ",")) {
        if (!strcmp(tok, "pcmu")) codecs[n++] = media_codec_pcmu();
        else if (!strcmp(tok, "pcma")) codecs[n++] = media_codec_pcma();
        else if (!strcmp(tok, "opus")) {
            if ((rc = media_opus_init(opus, oc)) != MEDIA_OK) {
                fprintf(stderr, "%s: opus: %s\n", tool, media_result_string(rc));
                return rc == MEDIA_EUNSUPPORTED ? -1 : -2;
            }
            codecs[n++] = &opus->codec;
        }
        else { fprintf(stderr, "%s: unknown codec %s (pcmu, pcma, opus)\n", tool, tok); return -2; }
    }
    if (n) codecs[n++] = media_codec_telephone_event();
    return n;
}
#ifdef TOOLS_MANY_SESSIONS   /* conference and bridge: several sessions, answers into a directory */
/* A "ready" line (or "negotiation_failed") for the session called who index */
static void ready_line(const char *who, int index, int rc, const media_sdp_result *r)
{
    if (rc != MEDIA_OK) {
        printf("{\"event\":\"negotiation_failed\",\"%s\":%d,\"error\":\"%s\"}\n", who, index, media_result_string(rc));
    } else {
        printf("{\"event\":\"ready\",\"%s\":%d", who, index);
        json_str("codec", r->codec ? r->codec->name : "", 1);
        printf(",\"payload_type\":%d,\"clock_rate\":%u,\"dtmf_payload_type\":%d", r->payload_type,
               r->codec ? (unsigned)r->codec->clock_rate : 0u, r->telephone_event_pt);
        json_str("remote", r->remote_address, 1);
        printf(",\"remote_port\":%u}\n", (unsigned)r->remote_rtp_port);
    }
    fflush(stdout);
}

/* s answers the offer in the file path; the answer goes to DIR/index.sdp, whole */
static int answer_into(const char *tool, media_session *s, const char *path, const char *dir, int index)
{
    char sdp[MEDIA_SESSION_SDP_SIZE], out[4096], *text;
    size_t len = 0;
    int rc, n = 0;
    if (!(text = read_file(path, &len))) { fprintf(stderr, "%s: cannot read %s\n", tool, path); return MEDIA_EIO; }
    rc = media_session_remote_sdp_set(s, text, len);
    free(text);
    if (rc == MEDIA_OK && (n = media_session_answer_create(s, sdp, sizeof sdp)) < 0) rc = n;
    if (rc != MEDIA_OK) { fprintf(stderr, "%s: %s: %s\n", tool, path, media_result_string(rc)); return rc; }
    if ((size_t)snprintf(out, sizeof out, "%s/%d.sdp", dir, index) >= sizeof out || write_file(out, sdp, (size_t)n) != 0) {
        fprintf(stderr, "%s: cannot write %s/%d.sdp\n", tool, dir, index);
        return MEDIA_EIO;
    }
    return MEDIA_OK;
}

/* One session of a tool of several, what its callbacks share (the tool's
   own struct starts with it): its number, "ready", "joined" and "error"
   lines under the key who, and the tool's leave() at its peer's BYE or,
   once it has sent, after the idle timeout. */
typedef struct peer {
    int index;
    media_session *s;
    int joined, left;
    const char *who;                                       /* "party", "leg" */
    void (*leave)(struct peer *p, const char *reason);     /* the tool's "left" line, then close */
} peer;

static void peer_negotiated(media_session *s, int rc, const media_sdp_result *r, void *user)
{
    (void)s;
    ready_line(((peer *)user)->who, ((peer *)user)->index, rc, r);
}

static void peer_stream_start(media_session *s, int direction, void *user)
{
    peer *p = (peer *)user;
    (void)s;
    if (direction == MEDIA_STREAM_RECEIVE && !p->joined) {
        p->joined = 1;
        printf("{\"event\":\"joined\",\"%s\":%d}\n", p->who, p->index);
        fflush(stdout);
    }
}

static void peer_stream_stop(media_session *s, int direction, void *user)
{
    peer *p = (peer *)user;
    (void)s;
    if (direction == MEDIA_STREAM_RECEIVE && !p->left) p->leave(p, "bye");
}

static int peer_error(media_session *s, int error, void *user)
{
    peer *p = (peer *)user;
    (void)s;
    if (error == MEDIA_ETIMEOUT) {
        if (p->joined && !p->left) p->leave(p, "idle");   /* a peer that has not started yet is waited for */
        return MEDIA_ERROR_CONTINUE;
    }
    printf("{\"event\":\"error\",\"%s\":%d,\"error\":\"%s\"}\n", p->who, p->index, media_result_string(error));
    fflush(stdout);
    return MEDIA_ERROR_CONTINUE;
}

/* the callbacks above on cfg, for p */
static void peer_handlers(media_session_config *cfg, peer *p)
{
    cfg->handler.user = p;
    cfg->handler.negotiation_complete = peer_negotiated;
    cfg->handler.stream_start = peer_stream_start;
    cfg->handler.stream_stop = peer_stream_stop;
    cfg->handler.stream_error = peer_error;
}

/* Polls every session still there (NULL: gone) and waits on their sockets
   for at most wait_ms; returns how many are still running. */
static int pump_all(media_session **s, int n, int wait_ms)
{
    struct pollfd fds[2 * 64];
    int i, k, nfds = 0, live = 0;
    for (i = 0; i < n; i++) {
        int ms = s[i] ? media_session_poll(s[i]) : -1;
        if (ms < 0) continue;
        live++;
        if (ms < wait_ms) wait_ms = ms;
        for (k = 0; k < 2 && nfds < (int)(sizeof fds / sizeof *fds); k++) {
            int fd = media_session_fd_get(s[i], k);
            if (fd >= 0) { fds[nfds].fd = fd; fds[nfds].events = POLLIN; fds[nfds].revents = 0; nfds++; }
        }
    }
    if (live && poll(fds, (nfds_t)nfds, wait_ms) < 0 && errno != EINTR) return -1;
    return live;
}
#endif
#endif
