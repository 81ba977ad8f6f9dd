/* epoll_many: many calls in one thread, driven by one epoll loop (Linux).

       epoll_many [CALLS] [SECONDS]        (default: 50 calls for 5 s)

   Creates CALLS calls, each a pair of sessions on 127.0.0.1, negotiates each in this
   process (in real life the SDP goes through your SIP stack), lets them talk
   (a tone one way, silence the other), then hangs up and prints the totals.

   The pattern for any event loop:
   - register media_session_fd_get(s, 0) and (1) for reading (level-triggered);
   - each poll returns the ms until that session needs to run again: keep
     those deadlines in a min-heap and wait until the earliest;
   - when a socket is readable, media_session_poll_ready(s, which) reads just
     that one; when a deadline passes, media_session_poll_ready(s, 0) reads
     nothing. (media_session_poll(s) would try every socket every time: simpler,
     and a few system calls dearer.)
   - the loop reads the clock once a turn and every session uses that
     reading (cfg.now_us), as libuv's uv_now() does: a thousand calls then
     cost one clock read a turn, not two a packet; the time is when the
     loop learnt that a socket was readable or a deadline had come.
   Sessions never block and never call back into the loop. */
#define _POSIX_C_SOURCE 200809L
#define MEDIA_IMPLEMENTATION
#include "media.h"
#include "example_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>

typedef struct call {
    media_session *s;
    int heap_at;           /* where its deadline is in the heap */
    int ended;
    double osc[3];         /* example_tone's oscillator */
} call;

/* ---- a min-heap of deadlines (us, media_now_us), kept apart from the calls
   so that ordering them reads one small array, not a thousand structs ---- */
typedef struct timer { uint64_t due; call *c; } timer;

/* the loop's time, read after each wait (0 before the loop runs) */
static uint64_t loop_now;
static uint64_t loop_clock(void *user) { (void)user; return loop_now ? loop_now : media_now_us(); }

typedef struct loop {
    int epfd;
    call *calls;           /* epoll's data is (index in calls) x 2 + which socket */
    timer *heap;
    int n;
} loop;

static void heap_put(loop *l, int i, timer t) { l->heap[i] = t; t.c->heap_at = i; }

static void heap_fix(loop *l, int i)   /* after heap[i].due changed */
{
    timer t = l->heap[i];
    while (i > 0 && l->heap[(i - 1) / 2].due > t.due) { heap_put(l, i, l->heap[(i - 1) / 2]); i = (i - 1) / 2; }
    for (;;) {
        int c = 2 * i + 1;
        if (c >= l->n) break;
        if (c + 1 < l->n && l->heap[c + 1].due < l->heap[c].due) c++;
        if (l->heap[c].due >= t.due) break;
        heap_put(l, i, l->heap[c]);
        i = c;
    }
    heap_put(l, i, t);
}

static void call_due(loop *l, call *c, uint64_t due)
{
    l->heap[c->heap_at].due = due;
    heap_fix(l, c->heap_at);
}

/* Runs a call's poll (ready: MEDIA_READY_* of its readable sockets) and files its next deadline. */
static void call_poll(loop *l, call *c, unsigned ready, uint64_t now)
{
    int ms = media_session_poll_ready(c->s, ready);
    uint64_t due = ms < 0 ? UINT64_MAX : now + (uint64_t)ms * 1000;
    if (ms < 0) c->ended = 1;
    /* after a packet the deadline filed is nearly always still right (the
       next frame): only an earlier one is filed, and the heap is left alone
       (a poll a little early does no harm; it files the next deadline) */
    if (ready && ms >= 0 && due >= l->heap[c->heap_at].due) return;
    call_due(l, c, due);
}

static int loop_add(loop *l, call *c)
{
    int k;
    for (k = 0; k < 2; k++) {
        int fd = media_session_fd_get(c->s, k);
        struct epoll_event ev;
        if (fd < 0) continue;
        memset(&ev, 0, sizeof ev);
        ev.events = EPOLLIN;
        ev.data.u64 = (uint64_t)(c - l->calls) * 2 + (uint64_t)k;
        if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
    }
    l->heap[l->n].due = media_now_us();
    l->heap[l->n].c = c;
    c->heap_at = l->n++;
    heap_fix(l, c->heap_at);
    return 0;
}

/* One turn: wait for a socket or the earliest deadline, run what is due. */
static void loop_turn(loop *l)
{
    struct epoll_event ev[64];
    uint64_t now = media_now_us(), first = l->n ? l->heap[0].due : UINT64_MAX;
    int timeout = first == UINT64_MAX ? 100 : first <= now ? 0 : (int)((first - now + 999) / 1000), k, got;
    got = epoll_wait(l->epfd, ev, 64, timeout);
    now = loop_now = media_now_us();
    for (k = 0; k < got; k++) {
        call *c = &l->calls[ev[k].data.u64 / 2];
        if (!c->ended) call_poll(l, c, ev[k].data.u64 % 2 ? MEDIA_READY_RTCP : MEDIA_READY_RTP, now);
    }
    while (l->n && l->heap[0].due <= now) call_poll(l, l->heap[0].c, 0, now);
}

/* Creates 2 x pairs sessions, negotiated pairwise and registered in l. */
static int calls_start(loop *l, call *calls, int pairs)
{
    int i, rc;
    l->calls = calls;
    loop_now = 0;   /* the real clock until the loop turns */
    for (i = 0; i < pairs; i++) {
        if ((rc = make_pair_clock(&calls[2 * i].s, &calls[2 * i + 1].s, calls[2 * i].osc, loop_clock)) != MEDIA_OK) {
            fprintf(stderr, "call %d: %s\n", i, media_result_string(rc));
            return -1;
        }
        if (loop_add(l, &calls[2 * i]) != 0 || loop_add(l, &calls[2 * i + 1]) != 0) return -1;
    }
    return 0;
}

/* Hangs every call up and runs the loop until each has said BYE (bounded). */
static void calls_end(loop *l, call *calls, int n)
{
    uint64_t until;
    int i, open;
    for (i = 0; i < n; i++) if (calls[i].s) media_session_close(calls[i].s);
    until = media_now_us() + 2000000;
    do {
        for (i = 0; i < n; i++) if (calls[i].s && !calls[i].ended) call_due(l, &calls[i], 0);
        loop_turn(l);
        for (open = 0, i = 0; i < n; i++) open += calls[i].s && !calls[i].ended;
    } while (open && media_now_us() < until);
}

int main(int argc, char **argv)
{
    int pairs = argc > 1 ? atoi(argv[1]) : 50, i;
    double seconds = argc > 2 ? atof(argv[2]) : 5;
    loop l;
    call *calls;
    uint64_t end, sent = 0, received = 0;
    int64_t lost = 0;
    if (pairs < 1 || pairs > 5000) { fprintf(stderr, "usage: epoll_many [CALLS 1..5000] [SECONDS]   (each call: two sessions)\n"); return 2; }
    calls = (call *)calloc((size_t)(2 * pairs), sizeof *calls);
    l.heap = (timer *)calloc((size_t)(2 * pairs), sizeof *l.heap);
    l.n = 0;
    l.epfd = epoll_create1(0);
    if (!calls || !l.heap || l.epfd < 0 || calls_start(&l, calls, pairs) != 0) return 1;
    end = media_now_us() + (uint64_t)(seconds * 1e6);
    while (media_now_us() < end) loop_turn(&l);
    calls_end(&l, calls, 2 * pairs);
    for (i = 0; i < 2 * pairs; i++) {
        media_session_stats st;
        media_session_stats_get(calls[i].s, &st);
        sent += st.packets_sent;
        received += st.packets_received;
        lost += st.lost;
        media_session_destroy(calls[i].s);
    }
    printf("%d calls (%d sessions), %.1f s: %llu packets sent, %llu received, %lld lost\n", pairs, 2 * pairs, seconds,
           (unsigned long long)sent, (unsigned long long)received, (long long)lost);
    free(calls);
    free(l.heap);
    return received > 0 ? 0 : 1;
}
