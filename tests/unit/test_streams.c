/* More than one stream per description: groups of sessions
   (media_session_group_*), each session one audio m-line, on the simulated
   network. Two streams each way carry four different tones and each
   arrives only where its m-line says; a hold of one stream is a re-offer
   that keeps both m-lines in place (RFC 3264 8) and leaves the other
   stream alone; a SIPREC-style offer (two sendonly streams, a=mid,
   a=label, after a video m-line) is answered by a group of recorders, each
   m-line in place with its mid; an offer with fewer audio m-lines than the
   group is refused before any session is touched. The SDP layer's part
   (any audio m-line as the live one, in answers and answer processing) is
   checked against hand-written descriptions. */
#define NET_EPS 4
#include "../sessnet.h"

static void setup4(void)
{
    static const char *ips[4] = { "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2" };
    static const double tones[4] = { 440, 1000, 700, 1500 };
    media_session_config c;
    int i;
    net_reset();
    for (i = 0; i < 4; i++) {
        ep_config(&c, i, ips[i], (uint16_t)(4000 + 2 * (i & 1) * 10));
        g_ep[i].tone_hz = tones[i];
        CHECK(ep_create(i, &c) != NULL);
    }
}

/* count of "m=" lines, and the n-th m= line's port */
static int mlines(const char *sdp) { int n = 0; const char *p = sdp; while ((p = strstr(p, "m=")) != NULL) { n++; p += 2; } return n; }
static int mport(const char *sdp, int k)
{
    const char *p = sdp;
    while (k-- >= 0) { if (!(p = strstr(p, "m="))) return -1; p += 2; }
    return atoi(strchr(p, ' ') + 1);
}

static double heard(int i, double hz)
{
    const ep *e = &g_ep[i];
    size_t from = e->ncap > 8000 ? e->ncap - 8000 : 0;
    return sine_snr(e->cap + from, e->ncap - from, hz, 8000);
}

static void test_two_streams_each_way(void)
{
    media_session *a[2], *b[2];
    char offer[4096], answer[4096];
    int n, k;
    setup4();
    a[0] = g_ep[0].s; a[1] = g_ep[1].s; b[0] = g_ep[2].s; b[1] = g_ep[3].s;
    n = media_session_group_offer_create(a, 2, offer, sizeof offer);
    CHECKF(n > 0 && mlines(offer) == 2 && mport(offer, 0) == 4000 && mport(offer, 1) == 4020, "offer %d: %s", n, offer);
    CHECK_EQ_INT(media_session_group_remote_sdp_set(b, 2, offer, (size_t)n), MEDIA_OK);
    n = media_session_group_answer_create(b, 2, answer, sizeof answer);
    CHECKF(n > 0 && mlines(answer) == 2 && mport(answer, 0) == 4000 && mport(answer, 1) == 4020, "answer: %s", answer);
    CHECK_EQ_INT(media_session_group_remote_sdp_set(a, 2, answer, (size_t)n), MEDIA_OK);
    for (k = 0; k < 4; k++) CHECK_EQ_INT(media_session_stream_get(g_ep[k].s, NULL, 0), k & 1);
    for (k = 0; k < 4; k++) g_ep[k].next_poll = vnow;
    net_run_ms(2000);
    /* each hears its own m-line's peer and nothing of the other stream */
    CHECKF(heard(2, 440) > 30 && heard(3, 1000) > 30, "B0 hears 440 at %.1f, B1 1000 at %.1f", heard(2, 440), heard(3, 1000));
    CHECKF(heard(0, 700) > 30 && heard(1, 1500) > 30, "A0 hears 700 at %.1f, A1 1500 at %.1f", heard(0, 700), heard(1, 1500));
    CHECKF(heard(2, 1000) < 0 && heard(3, 440) < 0, "the streams are apart (%.1f, %.1f)", heard(2, 1000), heard(3, 440));

    /* stream 1 on hold: a re-offer of both m-lines, in place */
    CHECK_EQ_INT(media_session_hold(a[1]), MEDIA_OK);
    n = media_session_group_offer_create(a, 2, offer, sizeof offer);
    CHECKF(n > 0 && mlines(offer) == 2 && mport(offer, 0) == 4000 && mport(offer, 1) == 4020, "re-offer: %s", offer);
    CHECK(n > 0 && strstr(offer, "a=sendonly") && strstr(offer, "a=sendrecv") &&
          strstr(offer, "a=sendrecv") < strstr(offer, "a=sendonly"));
    CHECK(n > 0 && strstr(offer, "o=- ") && strstr(offer, " 2 IN IP4"));   /* the version moved on once */
    CHECK_EQ_INT(media_session_group_remote_sdp_set(b, 2, offer, (size_t)n), MEDIA_OK);
    n = media_session_group_answer_create(b, 2, answer, sizeof answer);
    CHECK(n > 0 && strstr(answer, "a=recvonly") && strstr(answer, "a=sendrecv") < strstr(answer, "a=recvonly"));
    CHECK_EQ_INT(media_session_group_remote_sdp_set(a, 2, answer, (size_t)n), MEDIA_OK);
    CHECK_EQ_INT(media_session_state_get(a[0]), MEDIA_STATE_ACTIVE);
    CHECK_EQ_INT(media_session_state_get(a[1]), MEDIA_STATE_HELD);
    CHECK_EQ_INT(media_session_state_get(b[1]), MEDIA_STATE_PAUSED);
    g_ep[0].ncap = g_ep[2].ncap = 0;
    net_run_ms(1500);
    CHECKF(heard(2, 440) > 30 && heard(0, 700) > 30, "stream 0 goes on during the hold (%.1f, %.1f)", heard(2, 440), heard(0, 700));
    CHECK_EQ_INT(media_session_resume(a[1]), MEDIA_OK);
    n = media_session_group_offer_create(a, 2, offer, sizeof offer);
    CHECK(n > 0 && mlines(offer) == 2 && !strstr(offer, "a=sendonly"));
    CHECK_EQ_INT(media_session_group_remote_sdp_set(b, 2, offer, (size_t)n), MEDIA_OK);
    n = media_session_group_answer_create(b, 2, answer, sizeof answer);
    CHECK_EQ_INT(media_session_group_remote_sdp_set(a, 2, answer, (size_t)n), MEDIA_OK);
    g_ep[3].ncap = 0;
    net_run_ms(1500);
    CHECKF(heard(3, 1000) > 30, "stream 1 back after the resume (%.1f)", heard(3, 1000));
    net_reset();
}

/* SIPREC-style: a recording client offers two sendonly streams (the two
   directions of a call), after a video m-line we do not take */
static void test_recording_offer(void)
{
    static const char offer[] =
        "v=0\r\no=src 7 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
        "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=label:1\r\na=mid:caller\r\na=sendonly\r\n"
        "m=audio 4020 RTP/AVP 8 0\r\na=label:2\r\na=mid:callee\r\na=sendonly\r\n";
    media_session *r[2];
    char answer[4096], mid[16];
    int n;
    setup4();
    r[0] = g_ep[2].s; r[1] = g_ep[3].s;
    CHECK_EQ_INT(media_session_group_remote_sdp_set(r, 2, offer, sizeof offer - 1), MEDIA_OK);
    n = media_session_group_answer_create(r, 2, answer, sizeof answer);
    CHECKF(n > 0 && mlines(answer) == 3 && mport(answer, 0) == 0 && mport(answer, 1) == 4000 && mport(answer, 2) == 4020,
           "answer: %s", answer);
    CHECK(n > 0 && strstr(answer, "a=mid:caller") && strstr(answer, "a=mid:callee") &&
          strstr(answer, "a=mid:caller") < strstr(answer, "a=mid:callee"));
    CHECK(n > 0 && strstr(answer, "m=audio 4020 RTP/AVP 8") != NULL);   /* the offer's first choice on that line */
    CHECK_EQ_INT(media_session_stream_get(r[0], mid, sizeof mid), 1);
    CHECK(!strcmp(mid, "caller"));
    CHECK_EQ_INT(media_session_stream_get(r[1], mid, sizeof mid), 2);
    CHECK(!strcmp(mid, "callee"));
    CHECK_EQ_INT(media_session_stream_get(r[1], mid, 3), MEDIA_ENOSPC);
    net_run_ms(100);
    CHECK_EQ_INT(media_session_state_get(r[0]), MEDIA_STATE_PAUSED);   /* they send, we listen */
    CHECK_EQ_INT(media_session_state_get(r[1]), MEDIA_STATE_PAUSED);
    net_reset();
}

/* fewer audio m-lines than sessions: refused, nothing negotiated */
static void test_group_errors(void)
{
    static const char offer[] = "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    media_session *r[2];
    char buf[2048];
    setup4();
    r[0] = g_ep[2].s; r[1] = g_ep[3].s;
    CHECK_EQ_INT(media_session_group_remote_sdp_set(r, 2, offer, sizeof offer - 1), MEDIA_ENEGOTIATION);
    CHECK_EQ_INT(media_session_state_get(r[0]), MEDIA_STATE_IDLE);
    CHECK_EQ_INT(media_session_group_answer_create(r, 2, buf, sizeof buf), MEDIA_ESTATE);
    r[1] = r[0];
    CHECK_EQ_INT(media_session_group_offer_create(r, 2, buf, sizeof buf), MEDIA_EINVAL);
    CHECK_EQ_INT(media_session_group_offer_create(r, 0, buf, sizeof buf), MEDIA_EINVAL);
    r[1] = g_ep[3].s;
    CHECK_EQ_INT(media_session_group_offer_create(r, 2, buf, 100), MEDIA_ENOSPC);
    net_reset();
}

/* The SDP layer alone: the live audio m-line is any one, in answers (the
   first we can take, or the one asked for) and in answer processing (the
   one the answer accepted). */
static void test_sdp_any_audio_mline(void)
{
    static const char two[] = "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                              "m=audio 5000 RTP/AVP 9\r\nm=audio 5002 RTP/AVP 8\r\n";   /* G.722 we lack, then PCMA */
    static media_sdp o, a, a2;
    media_sdp_oa_config cfg;
    media_sdp_result r;
    char text[2048];
    CHECK_EQ_INT(media_sdp_parse(&o, two, sizeof two - 1), MEDIA_OK);
    media_sdp_oa_config_init(&cfg);
    cfg.address = "10.0.0.9";
    cfg.port = 6000;
    CHECK_EQ_INT(media_sdp_answer_create(&a, &o, &cfg, &r), MEDIA_OK);
    CHECK_EQ_INT(r.media_index, 1);
    CHECK_EQ_INT(a.media[0].port, 0);
    CHECK_EQ_INT(a.media[1].port, 6000);
    cfg.stream = 1;                                  /* m-line 0 only: nothing in common */
    CHECK_EQ_INT(media_sdp_answer_create(&a2, &o, &cfg, &r), MEDIA_ENEGOTIATION);
    /* our offer of two audio m-lines, the answer taking the second */
    cfg.stream = 0;
    {
        static const char ours[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
                                   "m=audio 6000 RTP/AVP 0\r\nm=audio 6002 RTP/AVP 0\r\n";
        static const char theirs[] = "v=0\r\no=y 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
                                     "m=audio 0 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n";
        CHECK_EQ_INT(media_sdp_parse(&o, ours, sizeof ours - 1), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_parse(&a, theirs, sizeof theirs - 1), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_answer_process(&r, &o, &a, &cfg), MEDIA_OK);
        CHECK_EQ_INT(r.media_index, 1);
        CHECK_EQ_INT(r.remote_rtp_port, 5002);
        cfg.stream = 1;
        CHECK_EQ_INT(media_sdp_answer_process(&r, &o, &a, &cfg), MEDIA_EREJECTED);
        cfg.stream = 3;
        CHECK_EQ_INT(media_sdp_answer_process(&r, &o, &a, &cfg), MEDIA_EINVAL);
    }
    /* a re-offer from an answer keeps the live m-line where it was */
    cfg.stream = 0;
    CHECK_EQ_INT(media_sdp_parse(&o, two, sizeof two - 1), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&a, &o, &cfg, &r), MEDIA_OK);
    cfg.previous = &a;
    CHECK_EQ_INT(media_sdp_offer_create(&a2, &cfg), MEDIA_OK);
    CHECK_EQ_INT(a2.media_count, 2);
    CHECK_EQ_INT(a2.media[0].port, 0);
    CHECK_EQ_INT(a2.media[1].port, 6000);
    CHECK(media_sdp_write(text, sizeof text, &a2) > 0);
}

int main(void)
{
    RUN(test_two_streams_each_way);
    RUN(test_recording_offer);
    RUN(test_group_errors);
    RUN(test_sdp_any_audio_mline);
    (void)frames_above;
    (void)net_negotiate;
    return harness_summary();
}
