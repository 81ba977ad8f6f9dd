/* libuv_many: many calls driven by a libuv loop.

       libuv_many [CALLS] [SECONDS]        (default: 50 calls for 5 s)

   The same calls as epoll_many, with libuv doing the waiting: a uv_poll_t
   watches each session's sockets (media_session_poll_ready() is told which
   one is readable), a uv_timer_t per session is re-armed with whatever the
   poll returns. Nothing else is needed to put media.h into a libuv (or
   Node.js addon) program.

   Build: cc -O2 -I. examples/libuv_many.c -o libuv_many $(pkg-config --libs libuv) -lm */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include "example_util.h"
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct call {
    media_session *s;
    uv_poll_t io[2];
    uv_timer_t timer;
    int watching[2];
    int ended;
    double osc[3];         /* example_tone's oscillator */
} call;

static int calls_open;

static void on_timer(uv_timer_t *t);

/* Runs the session (ready: MEDIA_READY_* of its readable sockets) and re-arms
   its one-shot timer; when the call is over, stops watching. */
static void call_run(call *c, unsigned ready)
{
    int ms = media_session_poll_ready(c->s, ready), k;
    if (ms >= 0) { uv_timer_start(&c->timer, on_timer, (uint64_t)ms, 0); return; }
    if (c->ended) return;
    c->ended = 1;
    calls_open--;
    uv_timer_stop(&c->timer);
    for (k = 0; k < 2; k++) if (c->watching[k]) uv_poll_stop(&c->io[k]);
}

static void on_timer(uv_timer_t *t) { call_run((call *)t->data, 0); }
static void on_readable(uv_poll_t *p, int status, int events)
{
    call *c = (call *)p->data;
    (void)status; (void)events;
    call_run(c, p == &c->io[0] ? MEDIA_READY_RTP : MEDIA_READY_RTCP);
}

static int call_watch(uv_loop_t *loop, call *c)
{
    int k;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    for (k = 0; k < 2; k++) {
        int fd = media_session_fd_get(c->s, k);
        if (fd < 0) continue;
        if (uv_poll_init(loop, &c->io[k], fd) != 0) return -1;
        c->io[k].data = c;
        c->watching[k] = 1;
        uv_poll_start(&c->io[k], UV_READABLE, on_readable);
    }
    calls_open++;
    uv_timer_start(&c->timer, on_timer, 0, 0);
    return 0;
}

static void on_hangup(uv_timer_t *t)
{
    call *calls = (call *)t->data;
    int i, n = (int)(intptr_t)t->loop->data;
    for (i = 0; i < n; i++) {
        media_session_close(calls[i].s);
        if (!calls[i].ended) uv_timer_start(&calls[i].timer, on_timer, 0, 0);
    }
    uv_timer_stop(t);
}

static void on_close(uv_handle_t *h) { (void)h; }

int main(int argc, char **argv)
{
    int pairs = argc > 1 ? atoi(argv[1]) : 50, i, n;
    double seconds = argc > 2 ? atof(argv[2]) : 5;
    uv_loop_t *loop = uv_default_loop();
    uv_timer_t hangup;
    call *calls;
    uint64_t sent = 0, received = 0;
    int64_t lost = 0;
    if (pairs < 1 || pairs > 5000) { fprintf(stderr, "usage: libuv_many [CALLS 1..5000] [SECONDS]   (each call: two sessions)\n"); return 2; }
    n = 2 * pairs;
    calls = (call *)calloc((size_t)n, sizeof *calls);
    if (!calls) return 1;
    for (i = 0; i < pairs; i++) {
        int rc = make_pair(&calls[2 * i].s, &calls[2 * i + 1].s, calls[2 * i].osc);
        if (rc != MEDIA_OK) {
            fprintf(stderr, "pair %d: %s\n", i, media_result_string(rc));
            return 1;
        }
        if (call_watch(loop, &calls[2 * i]) != 0 || call_watch(loop, &calls[2 * i + 1]) != 0) return 1;
    }
    /* after SECONDS, every call hangs up; the loop ends when all have said BYE */
    loop->data = (void *)(intptr_t)n;
    uv_timer_init(loop, &hangup);
    hangup.data = calls;
    uv_timer_start(&hangup, on_hangup, (uint64_t)(seconds * 1000), 0);
    while (uv_run(loop, UV_RUN_ONCE) && calls_open > 0) {
    }
    uv_close((uv_handle_t *)&hangup, on_close);
    for (i = 0; i < n; i++) {
        media_session_stats st;
        int k;
        media_session_stats_get(calls[i].s, &st);
        sent += st.packets_sent;
        received += st.packets_received;
        lost += st.lost;
        uv_close((uv_handle_t *)&calls[i].timer, on_close);
        for (k = 0; k < 2; k++) if (calls[i].watching[k]) uv_close((uv_handle_t *)&calls[i].io[k], on_close);
    }
    uv_run(loop, UV_RUN_DEFAULT);   /* lets the handles close before the sessions (and their sockets) go */
    for (i = 0; i < n; i++) media_session_destroy(calls[i].s);
    printf("%d calls (%d sessions), %.1f s: %llu packets sent, %llu received, %lld lost\n", pairs, 2 * pairs, seconds,
           (unsigned long long)sent, (unsigned long long)received, (long long)lost);
    free(calls);
    uv_loop_close(loop);
    return received > 0 ? 0 : 1;
}
