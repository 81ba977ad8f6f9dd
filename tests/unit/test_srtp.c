/* Two sessions with media_srtp.h over the simulated network: each suite
   negotiated in the SDP and a tone through it; what is on the wire is SRTP
   that libsrtp2, called directly with the key from the offer, opens into the
   G.711 of that tone; a packet altered in flight and a replayed one dropped
   and counted by reason; SRTCP; a sequence wrap; a new SSRC from the peer
   without a re-offer; re-offers that keep the keys, and one that changes
   them; the policies' outcomes against a peer without SRTP; allocation
   failures during set-up. Built with MEDIA_SRTP_NO_LIBSRTP every call must
   say MEDIA_EUNSUPPORTED (the only case then). */
#include "../sessnet.h"
#define MEDIA_SRTP_IMPLEMENTATION
#include "../../media_srtp.h"
#ifndef MEDIA_SRTP_NO_LIBSRTP
#include <srtp2/srtp.h>
#endif

#ifndef MEDIA_SRTP_NO_LIBSRTP
enum { A = 0, B = 1 };
static media_srtp g_srtp[NET_EPS];
static char g_offer[4096], g_answer[4096];

/* endpoint i at 10.0.0.(i+1):4000, with SRTP (policy, suites) unless policy < 0 */
static media_session *srtp_ep(int i, int policy, const char *const *suites, size_t n)
{
    media_session_config c;
    media_srtp_config sc;
    char ip[32];
    snprintf(ip, sizeof ip, "10.0.0.%d", i + 1);
    ep_config(&c, i, ip, 4000);
    c.rtcp_interval_ms = 1000;
    if (policy >= 0) {
        media_srtp_config_init(&sc);
        sc.policy = (media_srtp_policy)policy;
        sc.suites = suites;
        sc.suite_count = n;
        if (media_srtp_init(&g_srtp[i], &sc) != MEDIA_OK || media_srtp_attach(&g_srtp[i], &c) != MEDIA_OK) return NULL;
    }
    return ep_create(i, &c);
}

/* offer from a, answer from b, the texts kept */
static int srtp_negotiate(int a, int b)
{
    int n = media_session_offer_create(g_ep[a].s, g_offer, sizeof g_offer), rc;
    if (n < 0) return n;
    if ((rc = media_session_remote_sdp_set(g_ep[b].s, g_offer, (size_t)n)) != MEDIA_OK) return rc;
    if ((n = media_session_answer_create(g_ep[b].s, g_answer, sizeof g_answer)) < 0) return n;
    rc = media_session_remote_sdp_set(g_ep[a].s, g_answer, (size_t)n);
    (void)net_negotiate;   /* (sessnet.h's: the texts are wanted here) */
    g_ep[a].next_poll = g_ep[b].next_poll = vnow;
    return rc;
}

static void srtp_end(void)
{
    int i;
    net_reset();   /* destroys the sessions */
    for (i = 0; i < NET_EPS; i++) media_srtp_free(&g_srtp[i]);
}

/* A and B on a fresh network, both requiring SRTP (the first suite,
   AES_CM_128_HMAC_SHA1_80, is agreed), A sending a 1 kHz tone */
static void srtp_call(void)
{
    net_reset();
    CHECK(srtp_ep(A, MEDIA_SRTP_REQUIRED, NULL, 0) != NULL);
    CHECK(srtp_ep(B, MEDIA_SRTP_REQUIRED, NULL, 0) != NULL);
    CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_OK);
    g_ep[A].tone_hz = 1000;
}

/* the key an SDP's crypto line with this suite carries */
static int sdp_key(const char *text, const char *suite, uint8_t *key)
{
    static media_sdp sdp;
    media_sdp_crypto cr;
    media_sdp_crypto_key k;
    int i = -1;
    if (media_sdp_parse(&sdp, text, strlen(text)) != MEDIA_OK) return -1;
    while ((i = media_sdp_attr_find(&sdp, 0, "crypto", i)) >= 0) {
        if (media_sdp_crypto_parse(&cr, media_sdp_attr_value_get(&sdp, i)) != MEDIA_OK || !media_sdp_span_equal(cr.suite, suite))
            continue;
        if (media_sdp_crypto_key_parse(&k, cr.key_params, 0) != 1) return -1;
        memcpy(key, k.key, k.key_len);
        return k.key_len;
    }
    return -1;
}

/* the next RTP packet in flight to endpoint `to`, or NULL */
static net_pkt *in_flight(int to)
{
    int k;
    for (k = 0; k < g_net.nq; k++) if (g_net.q[k].to == to && !g_net.q[k].is_rtcp) return &g_net.q[k];
    return NULL;
}

/* libsrtp2 on its own, receiving with key: opens p into clear RTP (its length, < 0 on failure) */
static int open_directly(const char *suite, const uint8_t *key, const uint8_t *p, size_t len, uint8_t *out)
{
    srtp_policy_t pol;
    srtp_t ctx;
    int n = (int)len, rc;
    memset(&pol, 0, sizeof pol);
    if (!strcmp(suite, "AES_CM_128_HMAC_SHA1_80")) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp); srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
    } else if (!strcmp(suite, "AES_CM_128_HMAC_SHA1_32")) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp); srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
    } else if (!strcmp(suite, "AEAD_AES_128_GCM")) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp); srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
    } else {
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtp); srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtcp);
    }
    pol.ssrc.type = ssrc_any_inbound;
    pol.key = (unsigned char *)(uintptr_t)key;
    if (srtp_create(&ctx, &pol) != srtp_err_status_ok) return -1;
    memcpy(out, p, len);
    rc = srtp_unprotect(ctx, out, &n);
    srtp_dealloc(ctx);
    return rc == srtp_err_status_ok ? n : -1;
}

/* A sender of our own under AES_CM_128_HMAC_SHA1_80 with key (libsrtp2 directly) */
static srtp_t sender_80(const uint8_t *key)
{
    srtp_policy_t pol;
    srtp_t ctx = NULL;
    memset(&pol, 0, sizeof pol);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
    pol.ssrc.type = ssrc_any_outbound;
    pol.key = (unsigned char *)(uintptr_t)key;
    CHECK(srtp_create(&ctx, &pol) == srtp_err_status_ok);
    return ctx;
}

/* one 160-byte PCMU packet protected by ctx, to B from A's address at time at */
static void inject(srtp_t ctx, uint16_t seq, uint32_t ts, uint32_t ssrc, uint64_t at)
{
    uint8_t pkt[200];
    int n = 172;
    memset(pkt, 0x55, sizeof pkt);
    pkt[0] = 0x80; pkt[1] = 0;
    pkt[2] = (uint8_t)(seq >> 8); pkt[3] = (uint8_t)seq;
    pkt[4] = (uint8_t)(ts >> 24); pkt[5] = (uint8_t)(ts >> 16); pkt[6] = (uint8_t)(ts >> 8); pkt[7] = (uint8_t)ts;
    pkt[8] = (uint8_t)(ssrc >> 24); pkt[9] = (uint8_t)(ssrc >> 16); pkt[10] = (uint8_t)(ssrc >> 8); pkt[11] = (uint8_t)ssrc;
    CHECK(srtp_protect(ctx, pkt, &n) == srtp_err_status_ok);
    net_enqueue(B, 0, &g_ep[A].rtp, pkt, (size_t)n, at);
}

/* Each suite, A requiring it alone, B offering all four: RTP/SAVP with that
   crypto line, the tag on the wire of that suite's size, the payload not
   the clear one, libsrtp2 on its own opens a packet into the tone's G.711,
   the call whole both ways, RTCP through (SRTCP), nothing refused. */
static void test_each_suite(void)
{
    static const char *const names[4] = { "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM" };
    static const int tag[4] = { 10, 4, 16, 16 };
    int k;
    for (k = 0; k < 4; k++) {
        media_session_stats sa, sb;
        media_srtp_stats xa, xb;
        uint8_t key[64], clear[1500];
        int16_t pcm[160];
        net_pkt *p;
        int n, i, wrong = 0;
        double clean, snr;
        net_reset();
        CHECK(srtp_ep(A, MEDIA_SRTP_REQUIRED, &names[k], 1) != NULL);
        CHECK(srtp_ep(B, MEDIA_SRTP_OPTIONAL, NULL, 0) != NULL);
        CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_OK);
        CHECKF(strstr(g_offer, "m=audio 4000 RTP/SAVP ") && strstr(g_answer, "m=audio 4000 RTP/SAVP ") &&
               strstr(g_answer, names[k]), "%s", names[k]);
        g_ep[A].tone_hz = 1000;
        g_ep[B].tone_hz = 500;
        net_run_ms(3000);
        for (i = 0; i < g_ep[A].nlog; i++) if (g_ep[A].log[i].pt == 0 && g_ep[A].log[i].len != 160 + tag[k]) wrong++;
        CHECKF(g_ep[A].nlog > 100 && !wrong, "%s: %d of %d packets not 160 + %d bytes", names[k], wrong, g_ep[A].nlog, tag[k]);
        /* a packet on its way: libsrtp2 with the key from A's offer opens it */
        p = in_flight(B);
        n = sdp_key(g_offer, names[k], key);
        CHECK(p != NULL && n > 0);
        if (p && n > 0) {
            int m = open_directly(names[k], key, p->data, p->len, clear);
            CHECKF(m == 172 && memcmp(clear + 12, p->data + 12, 160) != 0, "%s: opened into %d bytes", names[k], m);
            media_pcmu_decode(pcm, clear + 12, 160);
            snr = sine_snr(pcm, 160, 1000, 8000);
            CHECKF(m == 172 && snr > 30, "%s: the opened payload is a 1 kHz tone at %.1f dB", names[k], snr);
        }
        media_session_stats_get(g_ep[A].s, &sa);
        media_session_stats_get(g_ep[B].s, &sb);
        media_srtp_stats_get(&g_srtp[A], &xa);
        media_srtp_stats_get(&g_srtp[B], &xb);
        CHECKF(xa.suite == 0 && xb.suite == k && !strcmp(xb.suite_name, names[k]), "%s: suites %d %d", names[k], xa.suite, xb.suite);
        CHECKF(sb.packets_received >= 140 && sa.packets_received >= 140 && sb.lost == 0 && sa.lost == 0,
               "%s: received %llu / %llu", names[k], (unsigned long long)sb.packets_received, (unsigned long long)sa.packets_received);
        CHECKF(sa.unprotect_errors == 0 && sb.unprotect_errors == 0 && xa.auth_failures == 0 && xb.replay_failures == 0,
               "%s: refused %llu / %llu", names[k], (unsigned long long)sa.unprotect_errors, (unsigned long long)sb.unprotect_errors);
        CHECKF(xb.unprotected_rtcp > 0 && sb.rtcp_received > 0 && sa.rtt_ms >= 0, "%s: SRTCP %llu, RTT %.1f", names[k],
               (unsigned long long)xb.unprotected_rtcp, sa.rtt_ms);
        CHECK_EQ_INT(xa.protected_rtp, (long long)sa.packets_sent);
        clean = frames_above(g_ep[B].cap + 8000, g_ep[B].ncap - 8000, 160, 1000, 8000, 25);
        CHECKF(clean > 0.99, "%s: clean frames %.3f", names[k], clean);
        srtp_end();
    }
}

/* In flight to B: one packet altered (a payload bit), one delivered again
   later, and one SRTCP packet delivered again (its index seen): each
   dropped, counted by its reason, the call goes on. */
static void test_tamper_and_replay(void)
{
    media_session_stats sb;
    media_srtp_stats xb;
    net_pkt copy, *p;
    int k;
    srtp_call();
    g_net.delay_us = 70000;                               /* a few packets in flight */
    net_run_ms(1000);
    p = in_flight(B);
    CHECK(p != NULL);
    if (!p) { srtp_end(); return; }
    p->data[20] ^= 0x01;                                  /* altered on the way */
    for (k = (int)(p - g_net.q) + 1; k < g_net.nq && (g_net.q[k].to != B || g_net.q[k].is_rtcp); k++) {}
    CHECK(k < g_net.nq);
    if (k == g_net.nq) { srtp_end(); return; }
    copy = g_net.q[k];                                    /* the next one arrives as sent */
    net_run_ms(1000);
    net_enqueue(B, 0, &copy.from, copy.data, copy.len, vnow);   /* and again, a second later */
    net_run_ms(1000);
    media_session_stats_get(g_ep[B].s, &sb);
    media_srtp_stats_get(&g_srtp[B], &xb);
    CHECKF(xb.auth_failures == 1 && xb.replay_failures == 1 && sb.unprotect_errors == 2,
           "auth %llu replay %llu refused %llu", (unsigned long long)xb.auth_failures, (unsigned long long)xb.replay_failures,
           (unsigned long long)sb.unprotect_errors);
    CHECKF(sb.lost == 1 && sb.duplicates == 0, "lost %lld, duplicates %llu", (long long)sb.lost, (unsigned long long)sb.duplicates);
    /* an SRTCP packet delivered again: its index was seen, a replay */
    for (k = 0; k < 300; k++) {
        int j;
        for (j = 0; j < g_net.nq && !(g_net.q[j].to == B && g_net.q[j].data[1] >= 200 && g_net.q[j].data[1] <= 206); j++) {}
        if (j < g_net.nq) { copy = g_net.q[j]; break; }
        net_run_ms(10);
    }
    CHECK(k < 300);
    net_run_ms(500);
    media_srtp_stats_get(&g_srtp[B], &xb);
    net_enqueue(B, copy.is_rtcp, &copy.from, copy.data, copy.len, vnow);   /* (muxed: on the RTP port) */
    net_run_ms(200);
    {
        media_srtp_stats x2;
        media_srtp_stats_get(&g_srtp[B], &x2);
        CHECKF(x2.replay_failures == xb.replay_failures + 1 && x2.auth_failures == xb.auth_failures && xb.unprotected_rtcp > 0,
               "SRTCP replayed: replays %llu -> %llu, SRTCP opened %llu", (unsigned long long)xb.replay_failures,
               (unsigned long long)x2.replay_failures, (unsigned long long)xb.unprotected_rtcp);
    }
    srtp_end();
}

/* Past a sequence wrap (the rollover counter goes to 1 on both ends): every
   packet through, none refused. */
static void test_sequence_wrap(void)
{
    media_session_stats sb;
    media_srtp_stats xb;
    uint16_t first;
    uint32_t to_wrap;
    srtp_call();
    net_run_ms(100);
    CHECK(g_ep[A].nlog > 0);
    first = g_ep[A].nlog ? g_ep[A].log[0].seq : 0;
    to_wrap = 65536u - first;
    g_ep[A].nlog = 0;                                     /* (the log holds fewer than a wrap's worth) */
    net_run_ms((uint64_t)to_wrap * 20 + 5000);
    media_session_stats_get(g_ep[B].s, &sb);
    media_srtp_stats_get(&g_srtp[B], &xb);
    printf("  sequence from %u, wrapped after %u packets; B received %llu\n", (unsigned)first, (unsigned)to_wrap,
           (unsigned long long)sb.packets_received);
    CHECKF(sb.packets_received >= to_wrap + 200 && sb.lost == 0 && sb.unprotect_errors == 0 && xb.auth_failures == 0,
           "from %u: received %llu (a wrap is %u away), lost %lld, refused %llu", (unsigned)first,
           (unsigned long long)sb.packets_received, (unsigned)to_wrap, (long long)sb.lost, (unsigned long long)sb.unprotect_errors);
    srtp_end();
}

/* A's re-offer keeps the keys: nothing changes, the streams go on; after
   media_srtp_rekey() its next offer carries new keys, B takes them, the
   call goes on with nothing refused. */
static void test_reoffer_and_rekey(void)
{
    media_session_stats sb;
    media_srtp_stats xb;
    char first[4096];
    uint8_t k1[64], k2[64];
    srtp_call();
    memcpy(first, g_offer, sizeof first);
    net_run_ms(2000);
    CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_OK);
    CHECK(sdp_key(first, "AES_CM_128_HMAC_SHA1_80", k1) == 30 && sdp_key(g_offer, "AES_CM_128_HMAC_SHA1_80", k2) == 30 &&
          memcmp(k1, k2, 30) == 0);
    net_run_ms(2000);
    CHECK_EQ_INT(media_srtp_rekey(&g_srtp[A]), MEDIA_OK);
    CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_OK);
    CHECK(sdp_key(g_offer, "AES_CM_128_HMAC_SHA1_80", k2) == 30 && memcmp(k1, k2, 30) != 0);
    net_run_ms(2000);
    media_session_stats_get(g_ep[B].s, &sb);
    media_srtp_stats_get(&g_srtp[B], &xb);
    /* packets in flight with the old key when the new one came are the only ones lost */
    CHECKF(sb.packets_received >= 290 && xb.replay_failures == 0 && xb.auth_failures <= 3 && sb.lost <= 3,
           "received %llu, auth %llu, lost %lld", (unsigned long long)sb.packets_received, (unsigned long long)xb.auth_failures,
           (long long)sb.lost);
    srtp_end();
}

/* A second source from A's address under A's key (a new SSRC, as after a
   transfer): opened without a re-offer. */
static void test_new_ssrc(void)
{
    media_srtp_stats x0, x1;
    uint8_t key[64];
    srtp_t ctx;
    int i;
    srtp_call();
    net_run_ms(1000);
    media_srtp_stats_get(&g_srtp[B], &x0);
    CHECK(sdp_key(g_offer, "AES_CM_128_HMAC_SHA1_80", key) == 30);
    ctx = sender_80(key);
    for (i = 0; i < 5; i++) inject(ctx, (uint16_t)(0x1000 + i), 0x100 + 160u * (uint32_t)i, 0xCAFEBABEu, vnow + 1000 * (uint64_t)i);
    srtp_dealloc(ctx);
    net_run_ms(500);
    media_srtp_stats_get(&g_srtp[B], &x1);
    CHECKF(x1.auth_failures == 0 && x1.unprotected_rtp >= x0.unprotected_rtp + 5 + 20,
           "opened %llu -> %llu, auth failures %llu", (unsigned long long)x0.unprotected_rtp,
           (unsigned long long)x1.unprotected_rtp, (unsigned long long)x1.auth_failures);
    srtp_end();
}

/* The peer restarts its sequence under the same SSRC and key (numbers set
   back by 1000): under SRTP that would reuse keystream (RFC 3711 3.3.1
   forbids it), and the replay check refuses every such packet, counted as
   replays, until a re-offer brings a new key: then the restarted stream,
   protected from index 0 again, opens from its first packet. */
static void test_restart_same_ssrc(void)
{
    media_srtp_stats x1, x2;
    uint8_t key[64];
    srtp_t ctx;
    int i;
    srtp_call();
    g_net.block[A] = 1;                                   /* A's own packets stay out of it */
    CHECK(sdp_key(g_offer, "AES_CM_128_HMAC_SHA1_80", key) == 30);
    ctx = sender_80(key);
    for (i = 0; i < 60; i++) {                            /* a peer's stream: 2000, 2001, ... */
        if (i == 30) { srtp_dealloc(ctx); ctx = sender_80(key); }   /* the restart: the sender's state from scratch, */
        inject(ctx, (uint16_t)(i < 30 ? 2000 + i : 1000 + i), 160u * (uint32_t)i, 0x0BADF00Du,   /* numbers back by 1000 */
               vnow + 20000 * (uint64_t)i);
    }
    srtp_dealloc(ctx);
    net_run_ms(1500);
    media_srtp_stats_get(&g_srtp[B], &x1);
    CHECKF(x1.unprotected_rtp == 30 && x1.replay_failures == 30 && x1.auth_failures == 0,
           "opened %llu, replays %llu, auth %llu", (unsigned long long)x1.unprotected_rtp,
           (unsigned long long)x1.replay_failures, (unsigned long long)x1.auth_failures);
    /* A re-keys: B's receiving context is new, the restarted stream opens */
    CHECK_EQ_INT(media_srtp_rekey(&g_srtp[A]), MEDIA_OK);
    CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_OK);
    CHECK(sdp_key(g_offer, "AES_CM_128_HMAC_SHA1_80", key) == 30);
    ctx = sender_80(key);
    for (i = 0; i < 10; i++) inject(ctx, (uint16_t)(1030 + i), 0, 0x0BADF00Du, vnow + 20000 * (uint64_t)i);
    srtp_dealloc(ctx);
    net_run_ms(500);
    media_srtp_stats_get(&g_srtp[B], &x2);
    CHECKF(x2.unprotected_rtp == x1.unprotected_rtp + 10 && x2.auth_failures == 0 && x2.replay_failures == x1.replay_failures,
           "after the re-key: opened %llu more, auth %llu, replays %llu", (unsigned long long)(x2.unprotected_rtp - x1.unprotected_rtp),
           (unsigned long long)x2.auth_failures, (unsigned long long)x2.replay_failures);
    srtp_end();
}

/* Against a peer without SRTP: required refuses (our offer, its answer
   with port 0; its clear offer, our answer), best effort runs clear RTP. */
static void test_policies(void)
{
    media_session_stats sb;
    media_srtp_stats xa;
    int n;
    net_reset();
    CHECK(srtp_ep(A, MEDIA_SRTP_REQUIRED, NULL, 0) != NULL);
    CHECK(srtp_ep(B, -1, NULL, 0) != NULL);
    n = media_session_offer_create(g_ep[A].s, g_offer, sizeof g_offer);
    CHECK(n > 0 && media_session_remote_sdp_set(g_ep[B].s, g_offer, (size_t)n) == MEDIA_ENEGOTIATION);
    n = media_session_answer_create(g_ep[B].s, g_answer, sizeof g_answer);
    CHECK(n > 0 && strstr(g_answer, "m=audio 0 RTP/SAVP") != NULL);
    CHECK(n > 0 && media_session_remote_sdp_set(g_ep[A].s, g_answer, (size_t)n) == MEDIA_EREJECTED);
    srtp_end();
    CHECK(srtp_ep(A, -1, NULL, 0) != NULL);
    CHECK(srtp_ep(B, MEDIA_SRTP_REQUIRED, NULL, 0) != NULL);
    CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_ENEGOTIATION);
    srtp_end();
    CHECK(srtp_ep(A, MEDIA_SRTP_OPTIONAL, NULL, 0) != NULL);
    CHECK(srtp_ep(B, -1, NULL, 0) != NULL);
    CHECK_EQ_INT(srtp_negotiate(A, B), MEDIA_OK);
    CHECK(strstr(g_offer, "m=audio 4000 RTP/AVP ") && strstr(g_offer, "a=crypto:1 ") && !strstr(g_answer, "crypto"));
    g_ep[A].tone_hz = 1000;
    net_run_ms(2000);
    media_session_stats_get(g_ep[B].s, &sb);
    media_srtp_stats_get(&g_srtp[A], &xa);
    CHECK(sb.packets_received >= 90 && sb.unprotect_errors == 0 && xa.suite == -1 && xa.protected_rtp == 0);
    srtp_end();
}

/* Every allocation of the set-up failing in turn: refused cleanly, nothing leaked. */
static void test_allocation_failures(void)
{
    long k;
    for (k = 1; k < 40; k++) {
        media_session *sa, *sb;
        int rc;
        net_reset();
        alloc_count = free_count = 0;
        sa = srtp_ep(A, MEDIA_SRTP_REQUIRED, NULL, 0);
        sb = srtp_ep(B, MEDIA_SRTP_REQUIRED, NULL, 0);
        alloc_fail_in = k;
        rc = sa && sb ? srtp_negotiate(A, B) : MEDIA_ENOMEM;
        alloc_fail_in = 0;
        CHECKF(rc == MEDIA_OK || rc == MEDIA_ENOMEM, "failure %ld: %d", k, rc);
        srtp_end();
        CHECKF(alloc_count == free_count, "failure %ld: %ld allocations, %ld frees", k, alloc_count, free_count);
    }
}
#endif

#ifdef MEDIA_SRTP_NO_LIBSRTP
/* built without libsrtp2: every call says so, nothing is attached, and a
   program that offers SRTP where it can makes its call in clear RTP */
static void test_without_libsrtp(void)
{
    media_srtp x;
    media_srtp_stats st;
    media_session_config c[2];
    int i;
    net_reset();
    for (i = 0; i < 2; i++) {
        ep_config(&c[i], i, i ? "10.0.0.2" : "10.0.0.1", 4000);
        CHECK_EQ_INT(media_srtp_init(&x, NULL), MEDIA_EUNSUPPORTED);
        CHECK_EQ_INT(media_srtp_attach(&x, &c[i]), MEDIA_EUNSUPPORTED);
        CHECK(c[i].sdes == NULL && c[i].filter.protect == NULL);
        CHECK(ep_create(i, &c[i]) != NULL);
    }
    CHECK_EQ_INT(media_srtp_rekey(&x), MEDIA_EUNSUPPORTED);
    CHECK_EQ_INT(media_srtp_stats_get(&x, &st), MEDIA_EUNSUPPORTED);
    CHECK_EQ_INT(media_srtp_random((uint8_t *)&st, 8), MEDIA_EUNSUPPORTED);
    media_srtp_free(&x);
    CHECK_EQ_INT(net_negotiate(0, 1), MEDIA_OK);
    g_ep[0].tone_hz = 1000;
    net_run_ms(2000);
    CHECK(frames_above(g_ep[1].cap + 8000, g_ep[1].ncap - 8000, 160, 1000, 8000, 25) > 0.99);
    net_reset();
}
#endif

int main(void)
{
#ifndef MEDIA_SRTP_NO_LIBSRTP
    RUN(test_each_suite);
    RUN(test_tamper_and_replay);
    RUN(test_sequence_wrap);
    RUN(test_reoffer_and_rekey);
    RUN(test_new_ssrc);
    RUN(test_restart_same_ssrc);
    RUN(test_policies);
    RUN(test_allocation_failures);
#else
    RUN(test_without_libsrtp);
#endif
    return harness_summary();
}
