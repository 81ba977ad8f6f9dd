/* SDP: parser, writer, accessors, edits, and RFC 3264 offer/answer.
   Oracles: the RFC texts (RFC 8866's example, RFC 3264 section 10, RFC 4317),
   hand-checked expectations on a corpus of real-world styles (tests/data/sdp/),
   and properties that must hold for any input (round trip, answer subset). */
#define _POSIX_C_SOURCE 200809L
#include "../../media.h"
#include "../harness.h"
#include <dirent.h>

/* media_sdp is large: tests keep theirs in static storage */
static media_sdp A, B, C, D;
static char out[65536], out2[65536];

static int parse_str(media_sdp *s, const char *text) { return media_sdp_parse(s, text, strlen(text)); }

static int read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return -1;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return (int)n;
}

#include "../sdp_diff.h"

/* a minimal session level, and one audio m-line after it */
#define H "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"     /* lines 1-4 */
#define M H "m=audio 5000 RTP/AVP 0 8\r\n"                          /* line 5 */

/* parse -> write -> parse gives the same description, and writing is a fixed point */
static void check_roundtrip(const char *name, const char *text, size_t len)
{
    int n1, n2, rc;
    const char *d;
    rc = media_sdp_parse(&A, text, len);
    CHECKF(rc == MEDIA_OK, "%s: parse %d (%s) at line %d", name, rc, media_result_string(rc), A.error_line);
    if (rc) return;
    n1 = media_sdp_write(out, sizeof out, &A);
    CHECKF(n1 > 0 && (size_t)n1 == strlen(out), "%s: write %d", name, n1);
    rc = media_sdp_parse(&B, out, (size_t)n1);
    CHECKF(rc == MEDIA_OK, "%s: re-parse %d at line %d", name, rc, B.error_line);
    d = sdp_diff(&A, &B);
    CHECKF(!d, "%s: parse(write(parse)) differs in %s", name, d ? d : "");
    n2 = media_sdp_write(out2, sizeof out2, &B);
    CHECKF(n1 == n2 && memcmp(out, out2, (size_t)n1) == 0, "%s: write not a fixed point", name);
    /* canonical: CRLF everywhere, no bare LF, no trailing blanks */
    {
        int i, bad = 0;
        for (i = 0; i < n1; i++) {
            if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) bad = 1;
            if (out[i] == '\r' && (i + 1 >= n1 || out[i + 1] != '\n')) bad = 1;
            if (out[i] == '\r' && i > 0 && (out[i - 1] == ' ' || out[i - 1] == '\t')) bad = 1;
        }
        CHECKF(!bad && n1 >= 2 && out[n1 - 1] == '\n', "%s: output not canonical CRLF", name);
    }
    /* exact-size buffers: one byte short fails cleanly */
    CHECK_EQ_INT(media_sdp_write(out2, (size_t)n1 + 1, &A), n1);
    CHECK_EQ_INT(media_sdp_write(out2, (size_t)n1, &A), MEDIA_ENOSPC);
}

/* ---- the RFC 8866 section 5 example ---- */
static const char *rfc8866 =
    "v=0\r\n"
    "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
    "s=Call to John Smith\r\n"
    "i=SDP Offer #1\r\n"
    "u=http://www.jdoe.example.com/home.html\r\n"
    "e=Jane Doe <jane@jdoe.example.com>\r\n"
    "p=+1 617 555-6011\r\n"
    "c=IN IP4 198.51.100.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "m=audio 49180 RTP/AVP 0\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "c=IN IP6 2001:db8::2\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

static void test_rfc8866_example(void)
{
    media_sdp_rtpmap r;
    const media_sdp_conn *c;
    CHECK_EQ_INT(parse_str(&A, rfc8866), MEDIA_OK);
    CHECK(strcmp(media_sdp_str_get(&A, A.origin_username), "jdoe") == 0);
    CHECK(strcmp(media_sdp_str_get(&A, A.origin_sess_id), "3724394400") == 0);
    CHECK(A.origin_version == 3724394405u);
    CHECK(strcmp(media_sdp_str_get(&A, A.origin.address), "198.51.100.1") == 0 && A.origin.family == 4);
    CHECK(strcmp(media_sdp_str_get(&A, A.name), "Call to John Smith") == 0);
    CHECK_EQ_INT(A.session_lines, 5);   /* i u e p t */
    CHECK(A.line[0].type == 'i' && strcmp(media_sdp_str_get(&A, A.line[0].value), "SDP Offer #1") == 0);
    CHECK(A.line[2].type == 'e' && strcmp(media_sdp_str_get(&A, A.line[2].value), "Jane Doe <jane@jdoe.example.com>") == 0);
    CHECK(A.line[4].type == 't');
    CHECK_EQ_INT(A.media_count, 3);
    CHECK(A.media[0].port == 49170 && A.media[1].port == 49180 && A.media[2].port == 51372);
    CHECK(A.media[2].is_rtp && A.media[2].fmt_count == 1 && A.media[2].pt[0] == 99);
    /* media-level c= overrides the session's; the audio streams use the session's */
    c = media_sdp_conn_get(&A, 2);
    CHECK(c && c->family == 6 && strcmp(media_sdp_str_get(&A, c->address), "2001:db8::2") == 0);
    c = media_sdp_conn_get(&A, 0);
    CHECK(c && c->family == 4 && strcmp(media_sdp_str_get(&A, c->address), "198.51.100.1") == 0);
    CHECK_EQ_INT(media_sdp_rtpmap_get(&A, 2, 99, &r), MEDIA_OK);
    CHECK(media_sdp_span_equal(r.encoding, "H263-1998") && r.clock_rate == 90000 && r.channels == 1 && !r.is_static);
    /* static type without rtpmap: RFC 3551's table */
    CHECK_EQ_INT(media_sdp_rtpmap_get(&A, 0, 0, &r), MEDIA_OK);
    CHECK(media_sdp_span_equal(r.encoding, "PCMU") && r.clock_rate == 8000 && r.is_static);
    check_roundtrip("rfc8866", rfc8866, strlen(rfc8866));
    /* the writer reproduces this canonical example byte for byte */
    CHECK(media_sdp_write(out, sizeof out, &A) == (int)strlen(rfc8866) && strcmp(out, rfc8866) == 0);
}

/* ---- corpus ---- */
static int corpus_files;

static void test_corpus_roundtrip(void)
{
    static char text[65536];
    DIR *d = opendir("tests/data/sdp");
    struct dirent *e;
    corpus_files = 0;
    CHECK(d != NULL);
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        char path[512];
        int n;
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".sdp") != 0) continue;
        snprintf(path, sizeof path, "tests/data/sdp/%s", e->d_name);
        n = read_file(path, text, sizeof text);
        CHECKF(n > 0, "read %s", path);
        if (n <= 0) continue;
        check_roundtrip(e->d_name, text, (size_t)n);
        corpus_files++;
    }
    closedir(d);
    CHECKF(corpus_files >= 12, "corpus has %d files", corpus_files);
}

static int load(media_sdp *s, const char *file)
{
    static char text[65536];
    char path[256];
    int n, rc;
    snprintf(path, sizeof path, "tests/data/sdp/%s", file);
    n = read_file(path, text, sizeof text);
    if (n <= 0) return MEDIA_EIO;
    rc = media_sdp_parse(s, text, (size_t)n);
    if (rc) fprintf(stderr, "  %s: %s at line %d\n", file, media_result_string(rc), s->error_line);
    return rc;
}

static void test_webrtc_chrome(void)
{
    int i, n;
    media_sdp_candidate cand;
    media_sdp_fingerprint fp;
    media_sdp_setup setup;
    media_sdp_extmap ext;
    media_sdp_ssrc ssrc;
    media_sdp_rtcp_fb fb;
    media_sdp_rtcp rtcp;
    media_sdp_rtpmap r;
    CHECK_EQ_INT(load(&A, "webrtc_chrome.sdp"), MEDIA_OK);
    CHECK_EQ_INT(A.media_count, 3);
    CHECK(strcmp(media_sdp_str_get(&A, A.origin_sess_id), "4611731400430051336") == 0 && A.origin_version == 2);
    CHECK(strcmp(media_sdp_attr_get(&A, MEDIA_SDP_SESSION, "group"), "BUNDLE 0 1 2") == 0);
    CHECK(media_sdp_attr_find(&A, MEDIA_SDP_SESSION, "extmap-allow-mixed", -1) >= 0);
    CHECK(media_sdp_attr_value_get(&A, media_sdp_attr_find(&A, MEDIA_SDP_SESSION, "extmap-allow-mixed", -1)) == NULL);
    CHECK(strcmp(media_sdp_str_get(&A, A.media[0].proto), "UDP/TLS/RTP/SAVPF") == 0 && A.media[0].is_rtp);
    CHECK_EQ_INT(A.media[0].fmt_count, 8);
    CHECK_EQ_INT(A.media[1].fmt_count, 15);
    CHECK(!A.media[2].is_rtp && strcmp(media_sdp_str_get(&A, A.media[2].fmt), "webrtc-datachannel") == 0);
    CHECK(strcmp(media_sdp_mid_get(&A, 1), "1") == 0);
    CHECK(media_sdp_rtcp_mux_get(&A, 0) && media_sdp_rtcp_mux_get(&A, 1) && !media_sdp_rtcp_mux_get(&A, 2));
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDRECV);
    /* candidates: five in the audio section, fields as written */
    n = 0;
    for (i = -1; (i = media_sdp_attr_find(&A, 0, "candidate", i)) >= 0; n++) {
        CHECK_EQ_INT(media_sdp_candidate_parse(&cand, media_sdp_attr_value_get(&A, i)), MEDIA_OK);
        if (n == 2) {
            CHECK(media_sdp_span_equal(cand.foundation, "842163049") && cand.component == 1 &&
                  media_sdp_span_equal(cand.transport, "udp") && cand.priority == 1686052607u &&
                  media_sdp_span_equal(cand.address, "203.0.113.77") && cand.port == 51234 &&
                  media_sdp_span_equal(cand.type, "srflx") && media_sdp_span_equal(cand.raddr, "192.168.1.23") &&
                  cand.rport == 54400 && media_sdp_span_equal(cand.extensions, "generation 0 network-id 1 network-cost 10"));
        }
        if (n == 3) CHECK(media_sdp_span_equal(cand.transport, "tcp") && cand.port == 9 && cand.rport == -1 &&
                          media_sdp_span_equal(cand.extensions, "tcptype active generation 0 network-id 1 network-cost 10"));
    }
    CHECK_EQ_INT(n, 5);
    CHECK_EQ_INT(media_sdp_fingerprint_parse(&fp, media_sdp_attr_get(&A, 1, "fingerprint")), MEDIA_OK);
    CHECK(media_sdp_span_equal(fp.hash, "sha-256") && fp.value.len == 95);
    CHECK(media_sdp_setup_parse(&setup, media_sdp_attr_get(&A, 2, "setup")) == MEDIA_OK && setup == MEDIA_SDP_SETUP_ACTPASS);
    i = media_sdp_attr_find(&A, 1, "extmap", -1);
    CHECK_EQ_INT(media_sdp_extmap_parse(&ext, media_sdp_attr_value_get(&A, i)), MEDIA_OK);
    CHECK(ext.id == 14 && !ext.has_direction && media_sdp_span_equal(ext.uri, "urn:ietf:params:rtp-hdrext:toffset") &&
          ext.attributes.len == 0);
    i = media_sdp_attr_find(&A, 1, "ssrc", -1);
    CHECK_EQ_INT(media_sdp_ssrc_parse(&ssrc, media_sdp_attr_value_get(&A, i)), MEDIA_OK);
    CHECK(ssrc.ssrc == 2231627014u && media_sdp_span_equal(ssrc.attribute, "cname") && media_sdp_span_equal(ssrc.value, "Yq2f8Lh0Wk3Tn9Sb"));
    i = media_sdp_attr_find(&A, 1, "rtcp-fb", -1);
    CHECK_EQ_INT(media_sdp_rtcp_fb_parse(&fb, media_sdp_attr_value_get(&A, i)), MEDIA_OK);
    CHECK(fb.payload_type == 96 && media_sdp_span_equal(fb.type, "goog-remb") && fb.params.len == 0);
    i = media_sdp_attr_find(&A, 1, "rtcp-fb", i + 1);   /* "ccm fir" */
    CHECK(media_sdp_rtcp_fb_parse(&fb, media_sdp_attr_value_get(&A, i)) == MEDIA_OK && media_sdp_span_equal(fb.type, "ccm") &&
          media_sdp_span_equal(fb.params, "fir"));
    CHECK_EQ_INT(media_sdp_rtcp_parse(&rtcp, media_sdp_attr_get(&A, 0, "rtcp")), MEDIA_OK);
    CHECK(rtcp.port == 9 && rtcp.family == 4 && media_sdp_span_equal(rtcp.address, "0.0.0.0"));
    CHECK(media_sdp_rtpmap_get(&A, 0, 111, &r) == MEDIA_OK && media_sdp_span_equal(r.encoding, "opus") &&
          r.clock_rate == 48000 && r.channels == 2);
    CHECK(strcmp(media_sdp_fmtp_get(&A, 0, 111), "minptime=10;useinbandfec=1") == 0);
    CHECK(strcmp(media_sdp_fmtp_get(&A, 1, 97), "apt=96") == 0);
    CHECK(media_sdp_fmtp_get(&A, 0, 0) == NULL);
}

static void test_webrtc_firefox_and_others(void)
{
    media_sdp_extmap ext;
    media_sdp_candidate cand;
    media_sdp_crypto cr;
    media_sdp_rtcp rtcp;
    media_sdp_rtpmap r;
    media_sdp_span v;
    int i;
    CHECK_EQ_INT(load(&A, "webrtc_firefox.sdp"), MEDIA_OK);
    CHECK(strcmp(media_sdp_str_get(&A, A.origin_username), "mozilla...THIS_IS_SDPARTA-99.0") == 0);
    i = media_sdp_attr_find(&A, 0, "extmap", 0);
    i = media_sdp_attr_find(&A, 0, "extmap", i);
    CHECK(media_sdp_extmap_parse(&ext, media_sdp_attr_value_get(&A, i)) == MEDIA_OK && ext.id == 2 && ext.has_direction &&
          ext.direction == MEDIA_SDP_RECVONLY);
    i = media_sdp_attr_find(&A, 0, "candidate", -1);
    CHECK(media_sdp_candidate_parse(&cand, media_sdp_attr_value_get(&A, i)) == MEDIA_OK &&
          media_sdp_span_equal(cand.address, "fd12:3456:789a::1"));
    i = media_sdp_attr_find(&A, 0, "end-of-candidates", -1);
    CHECK(i >= 0 && media_sdp_attr_value_get(&A, i) == NULL);
    CHECK(media_sdp_rtpmap_get(&A, 0, 101, &r) == MEDIA_OK && r.channels == 1 && r.clock_rate == 8000);
    CHECK(media_sdp_fmtp_param(&v, media_sdp_fmtp_get(&A, 0, 109), "stereo") == MEDIA_OK && media_sdp_span_equal(v, "1"));
    CHECK(media_sdp_fmtp_param(&v, media_sdp_fmtp_get(&A, 0, 109), "MaxPlaybackRate") == MEDIA_OK && media_sdp_span_equal(v, "48000"));
    CHECK(media_sdp_fmtp_param(&v, media_sdp_fmtp_get(&A, 0, 109), "cbr") == MEDIA_ENOTFOUND);
    {   /* the same as numbers */
        uint32_t n = 7;
        CHECK(media_sdp_fmtp_number(&n, media_sdp_fmtp_get(&A, 0, 109), "maxplaybackrate") == MEDIA_OK && n == 48000);
        CHECK(media_sdp_fmtp_number(&n, media_sdp_fmtp_get(&A, 0, 109), "cbr") == MEDIA_ENOTFOUND && n == 48000);
        CHECK(media_sdp_fmtp_number(&n, "a=12x; b = 4294967295 ;c=4294967296;d=;e=-1", "a") == MEDIA_EPARSE);
        CHECK(media_sdp_fmtp_number(&n, "a=12x; b = 4294967295 ;c=4294967296;d=;e=-1", "b") == MEDIA_OK && n == 4294967295u);
        CHECK(media_sdp_fmtp_number(&n, "a=12x; b = 4294967295 ;c=4294967296;d=;e=-1", "c") == MEDIA_EPARSE);
        CHECK(media_sdp_fmtp_number(&n, "a=12x; b = 4294967295 ;c=4294967296;d=;e=-1", "d") == MEDIA_EPARSE);
        CHECK(media_sdp_fmtp_number(&n, "a=12x; b = 4294967295 ;c=4294967296;d=;e=-1", "e") == MEDIA_EPARSE);
        CHECK(media_sdp_fmtp_number(NULL, "a=1", "a") == MEDIA_EINVAL);
    }
    /* session-level direction applies where the media level has none */
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDRECV);

    CHECK_EQ_INT(load(&A, "pbx_freeswitch.sdp"), MEDIA_OK);
    CHECK(media_sdp_fmtp_param(&v, media_sdp_fmtp_get(&A, 0, 102), "maxaveragebitrate") == MEDIA_OK && media_sdp_span_equal(v, "30000"));
    CHECK(media_sdp_fmtp_param(&v, media_sdp_fmtp_get(&A, 0, 102), "maxptime") == MEDIA_OK && media_sdp_span_equal(v, "40"));
    CHECK(media_sdp_rtcp_parse(&rtcp, media_sdp_attr_get(&A, 0, "rtcp")) == MEDIA_OK && rtcp.port == 24561 &&
          media_sdp_span_equal(rtcp.address, "198.51.100.7"));
    CHECK_EQ_INT(media_sdp_ptime_get(&A, 0), 20);

    CHECK_EQ_INT(load(&A, "srtp_sdes.sdp"), MEDIA_OK);
    i = media_sdp_attr_find(&A, 0, "crypto", 0);
    CHECK(media_sdp_crypto_parse(&cr, media_sdp_attr_value_get(&A, i)) == MEDIA_OK && cr.tag == 2 &&
          media_sdp_span_equal(cr.suite, "AES_CM_128_HMAC_SHA1_32") && media_sdp_span_equal(cr.session_params, "UNENCRYPTED_SRTCP"));

    CHECK_EQ_INT(load(&A, "phone_polycom.sdp"), MEDIA_OK);
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDRECV);   /* session-level a=sendrecv */
    CHECK(media_sdp_rtpmap_get(&A, 0, 102, &r) == MEDIA_OK && r.clock_rate == 16000);

    CHECK_EQ_INT(load(&A, "gb28181_unknown_lines.sdp"), MEDIA_OK);
    CHECK(A.media[0].line_count == 2 && A.line[A.media[0].line_first].type == 'y' &&
          strcmp(media_sdp_str_get(&A, A.line[A.media[0].line_first + 1].value), "v/2/4///a///") == 0);
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_RECVONLY);

    CHECK_EQ_INT(load(&A, "multicast_all_lines.sdp"), MEDIA_OK);
    CHECK(A.media[0].nports == 2 && A.media[0].port == 49230);
    CHECK(strcmp(media_sdp_str_get(&A, A.media[0].conn.address), "233.252.0.2/127/2") == 0);
    CHECK(!A.media[1].is_rtp && strcmp(media_sdp_str_get(&A, A.media[1].fmt), "wb") == 0);
    CHECK_EQ_INT(A.session_lines, 10);   /* i u e p b t r t z k */

    CHECK_EQ_INT(load(&A, "fax_t38.sdp"), MEDIA_OK);
    CHECK(A.media[0].port == 0 && strcmp(media_sdp_str_get(&A, A.media[1].fmt), "t38") == 0);
    CHECK(strcmp(media_sdp_attr_get(&A, 1, "T38FaxUdpEC"), "t38UDPRedundancy") == 0);

    CHECK_EQ_INT(load(&A, "ipv6_lf.sdp"), MEDIA_OK);
    CHECK(A.conn.family == 6 && A.origin.family == 6 && media_sdp_rtcp_mux_get(&A, 0));
}

/* the deviations real peers send, and how each is taken */
static void test_deviations(void)
{
    CHECK_EQ_INT(load(&A, "deviations.sdp"), MEDIA_OK);
    CHECK(strcmp(media_sdp_str_get(&A, A.name), "-") == 0);                         /* empty s= */
    CHECK(A.session_lines == 1 && A.line[0].type == 't' &&
          strcmp(media_sdp_str_get(&A, A.line[0].value), "0 0") == 0);              /* missing t= */
    CHECK(strcmp(media_sdp_str_get(&A, A.origin.address), "192.0.2.9") == 0);      /* trailing blanks */
    CHECK(strcmp(media_sdp_str_get(&A, A.conn.address), "192.0.2.9") == 0);        /* runs of spaces */
    CHECK(A.media_count == 1 && A.media[0].port == 5004 && A.media[0].fmt_count == 2 && A.media[0].pt[1] == 8);
    CHECK(strcmp(media_sdp_attr_get(&A, 0, "rtpmap"), "0 PCMU/8000") == 0);
    CHECK(strcmp(media_sdp_attr_value_get(&A, A.media[0].attr_first + 1), "8 PCMA/8000") == 0);
    CHECK_EQ_INT(media_sdp_ptime_get(&A, 0), 20);                               /* no final newline */
    /* lines out of RFC order are accepted and written back in order */
    CHECK_EQ_INT(parse_str(&A, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nb=AS:64\r\na=x\r\nc=IN IP4 192.0.2.1\r\n"
                               "i=late info\r\nm=audio 1 RTP/AVP 0\r\na=ptime:30\r\nc=IN IP4 192.0.2.2\r\nb=AS:80\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_write(out, sizeof out, &A) > 0, 1);
    CHECK(strcmp(out, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\ni=late info\r\nc=IN IP4 192.0.2.1\r\nb=AS:64\r\nt=0 0\r\na=x\r\n"
                      "m=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\nb=AS:80\r\na=ptime:30\r\n") == 0);
    check_roundtrip("out of order", out, strlen(out));
    /* attribute names are matched case-insensitively; "a=foo:" differs from "a=foo" */
    CHECK_EQ_INT(parse_str(&A, "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\na=PTime:40\na=foo:\na=bar\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_ptime_get(&A, 0), 40);
    CHECK(media_sdp_attr_get(&A, 0, "foo") && strcmp(media_sdp_attr_get(&A, 0, "foo"), "") == 0);
    CHECK(media_sdp_attr_find(&A, 0, "bar", -1) >= 0 && media_sdp_attr_get(&A, 0, "bar") == NULL);
    CHECK(media_sdp_write(out, sizeof out, &A) > 0 && strstr(out, "a=foo:\r\na=bar\r\n") != NULL);
    /* leading and inner blank lines, a fractional ptime, CRLF at the very end only */
    CHECK_EQ_INT(parse_str(&A, "\r\n\r\nv=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n\r\ns=x\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=ptime:22.5\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_ptime_get(&A, 0), 22);
    /* several media-level c= (layered multicast, RFC 8866 5.7): the first is
       the typed one, the others are kept as lines after it */
    CHECK_EQ_INT(parse_str(&A, H "m=video 5000/2 RTP/AVP 96\r\nc=IN IP4 233.252.0.1/127\r\nc=IN IP4 233.252.0.2/127\r\n"
                               "a=rtpmap:96 H264/90000\r\n"), MEDIA_OK);
    CHECK(strcmp(media_sdp_str_get(&A, A.media[0].conn.address), "233.252.0.1/127") == 0 && A.media[0].line_count == 1 &&
          A.line[A.media[0].line_first].type == 'c');
    CHECK(media_sdp_write(out, sizeof out, &A) > 0 && strstr(out, "c=IN IP4 233.252.0.1/127\r\nc=IN IP4 233.252.0.2/127\r\na=rtpmap"));
    check_roundtrip("two media c=", out, strlen(out));
    CHECK_EQ_INT(parse_str(&A, H "m=video 5000 RTP/AVP 96\r\nc=IN IP4 233.252.0.1\r\nc=IN IP4\r\n"), MEDIA_EPARSE);
    CHECK_EQ_INT(A.error_line, 7);
    /* an empty description and a NULL text */
    CHECK_EQ_INT(media_sdp_parse(&A, "", 0), MEDIA_EPARSE);
    CHECK_EQ_INT(media_sdp_parse(&A, NULL, 0), MEDIA_EPARSE);
    CHECK_EQ_INT(media_sdp_parse(&A, NULL, 5), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_parse(NULL, "v=0", 3), MEDIA_EINVAL);
}

/* ---- malformed input: each rejected with the right error at the right line ---- */
typedef struct bad_case { const char *text; size_t len; int rc; int line; } bad_case;
#define BAD(t, rc, line) {t, sizeof(t) - 1, rc, line}
static const bad_case bad_cases[] = {
    BAD("x", MEDIA_EPARSE, 1),
    BAD("v=1\r\n", MEDIA_EPARSE, 1),                                   /* only version 0 */
    BAD("v=0 \r\nv=0\r\n", MEDIA_EPARSE, 2),                           /* second v= */
    BAD("o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n", MEDIA_EPARSE, 1),         /* v= not first */
    BAD("v=0\r\n", MEDIA_EPARSE, 2),                                   /* no o= at all */
    BAD("v=0\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n", MEDIA_EPARSE, 4),   /* no o= before m= */
    BAD("v=0\r\no=- 1 1 IN IP4\r\n", MEDIA_EPARSE, 2),                 /* o= field missing */
    BAD("v=0\r\no=- 1 x IN IP4 1.2.3.4\r\n", MEDIA_EPARSE, 2),         /* version not a number */
    BAD("v=0\r\no=- 1 18446744073709551616 IN IP4 1.2.3.4\r\n", MEDIA_EPARSE, 2), /* version > 2^64-1 */
    BAD("v=0\r\no=- 1 1 IN IP4 1.2.3.4 extra\r\n", MEDIA_EPARSE, 2),   /* o= field too many */
    BAD(H "o=- 2 2 IN IP4 1.2.3.4\r\n", MEDIA_EPARSE, 5),              /* second o= */
    BAD(H "s=again\r\n", MEDIA_EPARSE, 5),                             /* second s= */
    BAD(H "c=IN IP4\r\n", MEDIA_EPARSE, 5),                            /* c= address missing */
    BAD(H "c=IN IP4 1.2.3.4 5.6.7.8\r\n", MEDIA_EPARSE, 5),            /* c= field too many */
    BAD(H "c=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.5\r\n", MEDIA_EPARSE, 6),/* two session-level c= */
    BAD(H "t=0\r\n", MEDIA_EPARSE, 5),                                 /* t= one time */
    BAD(H "t=now 0\r\n", MEDIA_EPARSE, 5),
    BAD(H "t=0 0 0\r\n", MEDIA_EPARSE, 5),
    BAD("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nr=7d 1h 0\r\n", MEDIA_EPARSE, 4),  /* r= before any t= */
    BAD(M "t=0 0\r\n", MEDIA_EPARSE, 6),                               /* t= at media level */
    BAD(M "r=7d 1h 0\r\n", MEDIA_EPARSE, 6),
    BAD(M "z=0 -1h\r\n", MEDIA_EPARSE, 6),
    BAD(M "o=- 1 1 IN IP4 1.2.3.4\r\n", MEDIA_EPARSE, 6),
    BAD(M "s=-\r\n", MEDIA_EPARSE, 6),
    BAD(H "b=AS\r\n", MEDIA_EPARSE, 5),                                /* b= without ':' */
    BAD(H "b=:64\r\n", MEDIA_EPARSE, 5),
    BAD(H "b=AS:lots\r\n", MEDIA_EPARSE, 5),
    BAD(H "m=audio\r\n", MEDIA_EPARSE, 5),                             /* m= fields missing */
    BAD(H "m=audio 5000\r\n", MEDIA_EPARSE, 5),
    BAD(H "m=audio 65536 RTP/AVP 0\r\n", MEDIA_EPARSE, 5),             /* port out of range */
    BAD(H "m=audio -1 RTP/AVP 0\r\n", MEDIA_EPARSE, 5),
    BAD(H "m=audio 5000/0 RTP/AVP 0\r\n", MEDIA_EPARSE, 5),            /* zero port count */
    BAD(H "m=audio 5000/x RTP/AVP 0\r\n", MEDIA_EPARSE, 5),
    BAD(H "m=audio 5000 RTP/AVP 128\r\n", MEDIA_EPARSE, 5),            /* payload type > 127 */
    BAD(H "m=audio 5000 RTP/AVP PCMU\r\n", MEDIA_EPARSE, 5),           /* RTP format not a number */
    BAD(M "a=rtpmap:0\r\n", MEDIA_EPARSE, 6),                          /* rtpmap without encoding */
    BAD(M "a=rtpmap:0 PCMU\r\n", MEDIA_EPARSE, 6),                     /* no clock rate */
    BAD(M "a=rtpmap:0 PCMU/\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtpmap:0 PCMU/0\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtpmap:0 PCMU/8000/0\r\n", MEDIA_EPARSE, 6),              /* zero channels */
    BAD(M "a=rtpmap:200 PCMU/8000\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtpmap:x PCMU/8000\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtpmap:0 /8000\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtpmap:0 PCMU/8000 extra\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtpmap\r\n", MEDIA_EPARSE, 6),                            /* known attribute without value */
    BAD(M "a=fmtp:abc x=1\r\n", MEDIA_EPARSE, 6),                      /* fmtp format not a payload type */
    BAD(M "a=fmtp:\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=ptime:65536\r\n", MEDIA_EPARSE, 6),                       /* (ptime:0 is taken: test_liberal_answers) */
    BAD(M "a=ptime:twenty\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=ptime:20.\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=maxptime:-20\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtcp:99999\r\n", MEDIA_EPARSE, 6),                        /* RFC 3605 port out of range */
    BAD(M "a=rtcp:5001 IN IP4\r\n", MEDIA_EPARSE, 6),                  /* address missing */
    BAD(M "a=ssrc:notanumber cname:x\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=ssrc:4294967296 cname:x\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=extmap:0 urn:x\r\n", MEDIA_EPARSE, 6),                    /* extmap id 0 */
    BAD(M "a=extmap:1/sideways urn:x\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=extmap:1\r\n", MEDIA_EPARSE, 6),                          /* no URI */
    BAD(M "a=rtcp-fb:x nack\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=rtcp-fb:96\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=candidate:1 1 udp 100 1.2.3.4 5000 host\r\n", MEDIA_EPARSE, 6),   /* "typ" missing */
    BAD(M "a=candidate:1 0 udp 100 1.2.3.4 5000 typ host\r\n", MEDIA_EPARSE, 6), /* component 0 */
    BAD(M "a=candidate:1 1 udp 100 1.2.3.4 70000 typ host\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=candidate:1 1 udp 100 1.2.3.4 5000 typ host raddr\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 1 typ host\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=fingerprint:sha-256\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=fingerprint:sha-256 7B:8B:ZZ\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=fingerprint:sha-256 7B:8B:F\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=setup:sometimes\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:abc\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=mid:\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=:value\r\n", MEDIA_EPARSE, 6),                            /* empty attribute name */
    BAD(M "=x\r\n", MEDIA_EPARSE, 6),                                  /* no type letter */
    BAD(M "1=x\r\n", MEDIA_EPARSE, 6),                                 /* type not a letter */
    BAD(M "a x\r\n", MEDIA_EPARSE, 6),                                 /* no '=' */
    BAD(M "a\r\n", MEDIA_EPARSE, 6),
    BAD(M "a=foo\rbar\r\n", MEDIA_EPARSE, 6),                          /* lone CR */
    BAD(M "a=foo\0bar\r\n", MEDIA_EPARSE, 6),                          /* NUL byte */
    BAD(H "v=0\r\n", MEDIA_EPARSE, 5),
};

static void test_malformed(void)
{
    size_t i;
    int n = 0;
    for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *b = &bad_cases[i];
        /* on the heap at exact size, so a read past the end is caught by ASan */
        char *t = (char *)malloc(b->len ? b->len : 1);
        int rc;
        memcpy(t, b->text, b->len);
        rc = media_sdp_parse(&A, t, b->len);
        CHECKF(rc == b->rc && A.error_line == b->line, "case %d (%.40s...): got %d at line %d, want %d at line %d",
               (int)i, b->text, rc, A.error_line, b->rc, b->line);
        /* the struct is left empty and usable */
        CHECK(A.media_count == 0 && A.attr_count == 0 && A.line_count == 0);
        free(t);
        n++;
    }
    CHECKF(n >= 50, "only %d malformed cases", n);
}

/* capacities: exhausted -> MEDIA_ENOSPC with the line, never a silent cut */
static void test_capacity(void)
{
    static char text[200000];
    int i, n, rc;
    /* one m= too many */
    n = sprintf(text, "%s", H);
    for (i = 0; i <= MEDIA_SDP_MAX_MEDIA; i++) n += sprintf(text + n, "m=audio %d RTP/AVP 0\r\n", 1000 + 2 * i);
    rc = media_sdp_parse(&A, text, (size_t)n);
    CHECK(rc == MEDIA_ENOSPC && A.error_line == 5 + MEDIA_SDP_MAX_MEDIA);
    /* exactly the capacity fits */
    n = sprintf(text, "%s", H);
    for (i = 0; i < MEDIA_SDP_MAX_MEDIA; i++) n += sprintf(text + n, "m=audio %d RTP/AVP 0\r\n", 1000 + 2 * i);
    CHECK_EQ_INT(media_sdp_parse(&A, text, (size_t)n), MEDIA_OK);
    /* attributes */
    n = sprintf(text, "%s", M);
    for (i = 0; i <= MEDIA_SDP_MAX_ATTRS; i++) n += sprintf(text + n, "a=x-%d\r\n", i);
    rc = media_sdp_parse(&A, text, (size_t)n);
    CHECK(rc == MEDIA_ENOSPC && A.error_line == 6 + MEDIA_SDP_MAX_ATTRS);
    /* other lines (t= is one of them) */
    n = sprintf(text, "%s", H);
    for (i = 0; i < MEDIA_SDP_MAX_LINES; i++) n += sprintf(text + n, "b=AS:%d\r\n", i);
    rc = media_sdp_parse(&A, text, (size_t)n);
    CHECK(rc == MEDIA_ENOSPC && A.error_line == 5 + MEDIA_SDP_MAX_LINES - 1);
    /* formats on one m= line */
    n = sprintf(text, "%s%s", H, "m=audio 5000 RTP/AVP");
    for (i = 0; i <= MEDIA_SDP_MAX_FORMATS; i++) n += sprintf(text + n, " %d", i % 128);
    n += sprintf(text + n, "\r\n");
    rc = media_sdp_parse(&A, text, (size_t)n);
    CHECK(rc == MEDIA_ENOSPC && A.error_line == 5);
    /* text */
    n = sprintf(text, "%s", M);
    for (i = 0; n < MEDIA_SDP_TEXT_SIZE + 200; i++) n += sprintf(text + n, "a=tool:%0200d\r\n", i);
    rc = media_sdp_parse(&A, text, (size_t)n);
    CHECK(rc == MEDIA_ENOSPC && A.error_line > 6 && A.error_line < 6 + i);
    /* writing into too small buffers: every size below the full one fails cleanly */
    CHECK_EQ_INT(load(&A, "pbx_asterisk.sdp"), MEDIA_OK);
    n = media_sdp_write(out, sizeof out, &A);
    for (i = 0; i < n; i++) {
        char *buf = (char *)malloc((size_t)i + 1);
        rc = media_sdp_write(buf, (size_t)i, &A);
        CHECKF(rc == MEDIA_ENOSPC, "write into %d bytes: %d", i, rc);
        free(buf);
    }
}

/* ---- edits ---- */
static void test_edits(void)
{
    int i, rc;
    CHECK_EQ_INT(load(&A, "phone_yealink.sdp"), MEDIA_OK);
    /* remove a format with its rtpmap and fmtp */
    CHECK_EQ_INT(media_sdp_format_remove(&A, 0, 18), MEDIA_OK);
    CHECK(A.media[0].fmt_count == 4 && media_sdp_fmtp_get(&A, 0, 18) == NULL);
    CHECK(media_sdp_write(out, sizeof out, &A) > 0 && !strstr(out, "G729") && !strstr(out, "annexb") &&
          strstr(out, "m=audio 11796 RTP/AVP 0 8 9 101\r\n"));
    CHECK_EQ_INT(media_sdp_format_remove(&A, 0, 18), MEDIA_ENOTFOUND);
    /* direction replaced, not added twice */
    CHECK(media_sdp_direction_set(&A, 0, MEDIA_SDP_SENDONLY) >= 0);
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDONLY);
    CHECK(media_sdp_attr_find(&A, 0, "sendrecv", -1) < 0);
    CHECK(media_sdp_direction_set(&A, MEDIA_SDP_SESSION, MEDIA_SDP_INACTIVE) >= 0);
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDONLY);   /* media level still wins */
    /* add, set (replace), remove, at both levels */
    CHECK(media_sdp_attr_add(&A, 0, "label", "1") >= 0);
    CHECK(media_sdp_attr_add(&A, 0, "label", "2") >= 0);
    CHECK(media_sdp_attr_set(&A, 0, "label", "3") >= 0);
    CHECK(strcmp(media_sdp_attr_get(&A, 0, "label"), "3") == 0 &&
          media_sdp_attr_find(&A, 0, "label", media_sdp_attr_find(&A, 0, "label", -1)) < 0);
    CHECK(media_sdp_attr_add(&A, MEDIA_SDP_SESSION, "tool", "media.h") >= 0);
    CHECK(strcmp(media_sdp_attr_get(&A, MEDIA_SDP_SESSION, "tool"), "media.h") == 0);
    CHECK_EQ_INT(media_sdp_attr_remove(&A, 0, "ptime"), 1);
    CHECK_EQ_INT(media_sdp_ptime_get(&A, 0), 0);
    /* known attributes are validated; line breaks refused */
    CHECK_EQ_INT(media_sdp_attr_add(&A, 0, "rtpmap", "96 opus"), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_attr_add(&A, 0, "x", "a\r\nm=video 1 RTP/AVP 0"), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_attr_add(&A, 0, "a:b", NULL), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_attr_add(&A, 3, "x", NULL), MEDIA_EINVAL);
    /* connection, port, version */
    CHECK_EQ_INT(media_sdp_conn_set(&A, 0, "2001:db8::7"), MEDIA_OK);
    CHECK(media_sdp_conn_get(&A, 0)->family == 6);
    CHECK_EQ_INT(media_sdp_port_set(&A, 0, 30000), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_version_bump(&A), MEDIA_OK);
    CHECK(A.origin_version == 3912345679u);
    CHECK(media_sdp_format_add(&A, 0, 96) == MEDIA_OK && media_sdp_format_add(&A, 0, 96) == MEDIA_EINVAL);
    CHECK(media_sdp_attr_add(&A, 0, "rtpmap", "96 opus/48000/2") >= 0);
    i = media_sdp_media_add(&A, "video", 0, "RTP/AVP");
    CHECK(i == 1 && media_sdp_format_add(&A, 1, 31) == MEDIA_OK);
    CHECK(media_sdp_line_add(&A, 1, 'b', "AS:256") >= 0 && media_sdp_line_add(&A, 1, 't', "0 0") == MEDIA_EINVAL);
    CHECK(media_sdp_write(out, sizeof out, &A) > 0);
    CHECK(strstr(out, "o=- 3912345678 3912345679 IN IP4 192.0.2.10\r\n") && strstr(out, "m=audio 30000 RTP/AVP 0 8 9 101 96\r\nc=IN IP6 2001:db8::7\r\n") &&
          strstr(out, "a=inactive\r\na=tool:media.h\r\nm=audio") && strstr(out, "a=label:3\r\na=rtpmap:96 opus/48000/2\r\nm=video 0 RTP/AVP 31\r\nb=AS:256\r\n"));
    check_roundtrip("edited", out, strlen(out));
    /* thousands of edits: the arena is compacted, nothing is lost or corrupted */
    for (i = 0; i < 5000; i++) {
        char v[64];
        sprintf(v, "value-%d-%040d", i, i);
        rc = media_sdp_attr_set(&A, 0, "churn", v);
        if (rc < 0) break;
    }
    CHECK(i == 5000 && strcmp(media_sdp_attr_get(&A, 0, "churn"), "value-4999-0000000000000000000000000000000000004999") == 0);
    CHECK(A.text_len <= MEDIA_SDP_TEXT_SIZE);
    CHECK(media_sdp_write(out2, sizeof out2, &A) > 0);
    CHECK(parse_str(&B, out2) == MEDIA_OK && strcmp(media_sdp_attr_get(&B, 0, "rtpmap"), "0 PCMU/8000") == 0);
    /* when it really is full, MEDIA_ENOSPC and the description unchanged */
    {
        static char big[MEDIA_SDP_TEXT_SIZE];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        {
            int before = A.attr_count;
            CHECK_EQ_INT(media_sdp_attr_add(&A, 0, "big", big), MEDIA_ENOSPC);
            CHECK_EQ_INT(A.attr_count, before);
        }
    }
    CHECK(media_sdp_write(out, sizeof out, &A) > 0 && strcmp(out, out2) == 0);
    /* init: a fresh description */
    CHECK_EQ_INT(media_sdp_init(&C, "alice", 42, 7, "192.0.2.33"), MEDIA_OK);
    CHECK(media_sdp_write(out, sizeof out, &C) > 0 &&
          strcmp(out, "v=0\r\no=alice 42 7 IN IP4 192.0.2.33\r\ns=-\r\nc=IN IP4 192.0.2.33\r\nt=0 0\r\n") == 0);
    CHECK_EQ_INT(media_sdp_init(&C, "al ice", 42, 7, "192.0.2.33"), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_init(&C, NULL, 42, 7, ""), MEDIA_EINVAL);
}

/* ---- offer/answer ---- */

/* user codecs plug in as plain descriptions (no functions needed to negotiate) */
static const media_codec ilbc = {"iLBC", 8000, 8000, 1, -1, 30, 0, "mode=30", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
static const media_codec g723 = {"G723", 8000, 8000, 1, 4, 30, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
static const media_codec g729 = {"G729", 8000, 8000, 1, 18, 20, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
static const media_codec opus = {"opus", 48000, 48000, 2, -1, 20, 0, "useinbandfec=1", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
static const media_codec g722 = {"G722", 8000, 16000, 1, 9, 20, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

static void oa_cfg(media_sdp_oa_config *cfg, const char *addr, uint16_t port)
{
    media_sdp_oa_config_init(cfg);
    cfg->address = addr;
    cfg->port = port;
    cfg->username = "mediah";
    cfg->session_id = 1000;
    cfg->session_version = 1;
}

/* payload types of media m as a string "0 8 101" */
static const char *pts(const media_sdp *s, int m)
{
    static char buf[512];
    int j, n = 0;
    buf[0] = 0;
    for (j = 0; j < s->media[m].fmt_count; j++) n += sprintf(buf + n, j ? " %d" : "%d", s->media[m].pt[j]);
    return buf;
}

/* every answered format was offered and maps to one of our codecs (or telephone-event) */
static int answer_subset(const media_sdp *offer, const media_sdp *answer, const media_codec *const *codecs, size_t n)
{
    int m, j, i;
    if (offer->media_count != answer->media_count) return 0;
    for (m = 0; m < answer->media_count; m++) {
        if (!answer->media[m].port) continue;
        for (j = 0; j < answer->media[m].fmt_count; j++) {
            int pt = answer->media[m].pt[j], offered = 0, ours = 0;
            media_sdp_rtpmap ro, ra;
            size_t k;
            for (i = 0; i < offer->media[m].fmt_count; i++) offered |= offer->media[m].pt[i] == pt;
            if (!offered || media_sdp_rtpmap_get(offer, m, pt, &ro) || media_sdp_rtpmap_get(answer, m, pt, &ra)) return 0;
            if (ro.clock_rate != ra.clock_rate || ro.channels != ra.channels || ro.encoding.len != ra.encoding.len) return 0;
            for (k = 0; k < n; k++) {
                const media_codec *c = codecs[k];
                if (c->flags & MEDIA_CODEC_EVENTS) ours |= media_sdp_span_equal(ro.encoding, "telephone-event");
                else ours |= media_sdp_span_equal(ro.encoding, c->name) && ro.clock_rate == c->clock_rate &&
                             ro.channels == (c->channels ? c->channels : 1u);
            }
            if (!ours) return 0;
        }
    }
    return 1;
}

/* RFC 3264 section 10.1: one audio and two video streams offered; we take
   the audio and refuse both videos with port 0, same order */
static const char *rfc3264_10_1_offer =
    "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.anywhere.com\r\ns=\r\nc=IN IP4 host.anywhere.com\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"
    "m=video 53000 RTP/AVP 32\r\na=rtpmap:32 MPV/90000\r\n";
/* ... and Bob's later offer moving his audio port and adding a recvonly event stream */
static const char *rfc3264_10_1_reoffer =
    "v=0\r\no=bob 2890844730 2890844731 IN IP4 host.example.com\r\ns=\r\nc=IN IP4 host.example.com\r\nt=0 0\r\n"
    "m=audio 65422 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 0 RTP/AVP 31\r\nm=video 53000 RTP/AVP 32\r\n"
    "a=rtpmap:32 MPV/90000\r\nm=audio 51434 RTP/AVP 110\r\na=rtpmap:110 telephone-events/8000\r\na=recvonly\r\n";

static void test_rfc3264_10_1(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    oa_cfg(&cfg, "host.example.com", 49920);
    CHECK_EQ_INT(parse_str(&A, rfc3264_10_1_offer), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK_EQ_INT(B.media_count, 3);
    CHECK(B.media[0].port == 49920 && strcmp(pts(&B, 0), "0") == 0);
    CHECK(B.media[1].port == 0 && strcmp(media_sdp_str_get(&B, B.media[1].media), "video") == 0 && strcmp(pts(&B, 1), "31") == 0);
    CHECK(B.media[2].port == 0 && strcmp(pts(&B, 2), "32") == 0);
    CHECK(res.accepted && res.media_index == 0 && res.codec == media_codec_pcmu() && res.payload_type == 0);
    CHECK(strcmp(res.remote_address, "host.anywhere.com") == 0 && res.remote_rtp_port == 49170 && res.remote_rtcp_port == 49171);
    CHECK(res.direction == MEDIA_SDP_SENDRECV && !res.remote_hold && res.telephone_event_pt == -1);
    CHECK(res.ptime_ms == 20 && res.remote_version == 2890844526u);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_SENDRECV && media_sdp_attr_get(&B, 0, "rtcp") &&
          strcmp(media_sdp_attr_get(&B, 0, "rtcp"), "49921") == 0);
    /* the re-offer: new port, a fourth stream; our answer keeps the origin and
       increments its version, takes the audio at 65422, refuses the rest */
    cfg.previous = &B;
    CHECK_EQ_INT(parse_str(&C, rfc3264_10_1_reoffer), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&D, &C, &cfg, &res), MEDIA_OK);
    CHECK(D.media_count == 4 && D.media[0].port == 49920 && D.media[1].port == 0 && D.media[2].port == 0 && D.media[3].port == 0);
    CHECK(D.origin_version == B.origin_version + 1 && strcmp(media_sdp_str_get(&D, D.origin_sess_id), media_sdp_str_get(&B, B.origin_sess_id)) == 0);
    CHECK(res.remote_rtp_port == 65422 && strcmp(res.remote_address, "host.example.com") == 0 && res.remote_version == 2890844731u);
    CHECK(answer_subset(&C, &D, cfg.codecs, cfg.codec_count));
}

/* RFC 3264 section 10.2: one-of-N codec selection. */
static void test_rfc3264_10_2(void)
{
    const media_codec *bob_codecs[2];
    media_sdp_oa_config cfg;
    media_sdp_result res;
    const char *offer1 =
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.anywhere.com\r\ns=\r\nc=IN IP4 host.anywhere.com\r\nt=0 0\r\n"
        "m=audio 62986 RTP/AVP 0 4 18\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:4 G723/8000\r\na=rtpmap:18 G729/8000\r\na=inactive\r\n";
    const char *answer1 =
        "v=0\r\no=bob 2890844730 2890844731 IN IP4 host.example.com\r\ns=\r\nc=IN IP4 host.example.com\r\nt=0 0\r\n"
        "m=audio 54344 RTP/AVP 0 4\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:4 G723/8000\r\na=inactive\r\n";
    const char *offer2 =
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.anywhere.com\r\ns=\r\nc=IN IP4 host.anywhere.com\r\nt=0 0\r\n"
        "m=audio 62986 RTP/AVP 4\r\na=rtpmap:4 G723/8000\r\na=sendrecv\r\n";
    bob_codecs[0] = &g723; bob_codecs[1] = media_codec_pcmu();
    /* as Bob: an inactive offer is answered inactive, with the codecs both have, in the offer's order */
    oa_cfg(&cfg, "host.example.com", 54344);
    cfg.codecs = bob_codecs; cfg.codec_count = 2;
    CHECK_EQ_INT(parse_str(&A, offer1), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "0 4") == 0 && media_sdp_direction_get(&B, 0) == MEDIA_SDP_INACTIVE &&
          res.direction == MEDIA_SDP_INACTIVE && res.remote_hold);
    /* Alice's locking offer: G723 alone, sendrecv */
    cfg.previous = &B;
    CHECK_EQ_INT(parse_str(&C, offer2), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&D, &C, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&D, 0), "4") == 0 && res.codec == &g723 && res.direction == MEDIA_SDP_SENDRECV && !res.remote_hold);
    /* as Alice, checking Bob's answer text from the RFC against her offer */
    {
        const media_codec *alice_codecs[3];
        alice_codecs[0] = media_codec_pcmu(); alice_codecs[1] = &g723; alice_codecs[2] = &g729;
        oa_cfg(&cfg, "host.anywhere.com", 62986);
        cfg.codecs = alice_codecs; cfg.codec_count = 3;
        CHECK_EQ_INT(parse_str(&C, answer1), MEDIA_OK);
        CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &C, &cfg), MEDIA_OK);
        CHECK(res.codec_count == 2 && res.codec == media_codec_pcmu() && res.codecs[1] == &g723 && res.payload_types[1] == 4);
        CHECK(res.direction == MEDIA_SDP_INACTIVE && strcmp(res.remote_address, "host.example.com") == 0 && res.remote_rtp_port == 54344);
    }
    /* an answerer with only PCMU cannot take the locking offer: refused with port 0 */
    oa_cfg(&cfg, "host.example.com", 54344);
    CHECK_EQ_INT(parse_str(&C, offer2), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&D, &C, &cfg, &res), MEDIA_ENEGOTIATION);
    CHECK(D.media_count == 1 && D.media[0].port == 0 && !res.accepted);
}

/* RFC 4317 section 2: the offer Alice makes in 2.1 and 2.2, and the two-audio-stream one of 2.4 */
static const char *rfc4317_alice =
    "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\n"
    "m=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n";

static void test_rfc4317(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    const media_codec *alice_codecs[4];
    const media_codec *pcmu_only[1];
    /* 2.1: Bob with PCMU only (and MPV, which media.h does not do): audio 0, video refused */
    pcmu_only[0] = media_codec_pcmu();
    oa_cfg(&cfg, "host.biloxi.example.com", 49174);
    cfg.codecs = pcmu_only; cfg.codec_count = 1;
    CHECK_EQ_INT(parse_str(&A, rfc4317_alice), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(B.media_count == 2 && strcmp(pts(&B, 0), "0") == 0 && B.media[1].port == 0);
    CHECK(res.codec_count == 1 && res.payload_type == 0 && res.telephone_event_pt == -1);
    /* 2.2: Bob with PCMU and PCMA answers "0 8"; video refused */
    oa_cfg(&cfg, "host.biloxi.example.com", 49172);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "0 8") == 0 && B.media[1].port == 0 && res.codec_count == 2);
    /* Alice processes the answers the RFC prints for 2.1 and 2.2 */
    alice_codecs[0] = media_codec_pcmu(); alice_codecs[1] = media_codec_pcma(); alice_codecs[2] = &ilbc;
    alice_codecs[3] = media_codec_telephone_event();
    oa_cfg(&cfg, "host.atlanta.example.com", 49170);
    cfg.codecs = alice_codecs; cfg.codec_count = 4;
    CHECK_EQ_INT(parse_str(&C, "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\n"
                               "c=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49174 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                               "m=video 49170 RTP/AVP 32\r\na=rtpmap:32 MPV/90000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &C, &cfg), MEDIA_OK);
    CHECK(res.codec == media_codec_pcmu() && res.codec_count == 1 && res.remote_rtp_port == 49174 &&
          strcmp(res.remote_address, "host.biloxi.example.com") == 0 && res.direction == MEDIA_SDP_SENDRECV);
    CHECK_EQ_INT(parse_str(&C, "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\n"
                               "c=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
                               "a=rtpmap:8 PCMA/8000\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &C, &cfg), MEDIA_OK);
    CHECK(res.codec_count == 2 && res.codecs[1] == media_codec_pcma() && res.remote_rtp_port == 49172);
    /* 2.4: two audio streams, the second only events. media.h takes one audio
       stream: the first is answered with iLBC, the second refused */
    CHECK_EQ_INT(parse_str(&A, "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\n"
                               "c=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:0 PCMU/8000\r\n"
                               "a=rtpmap:97 iLBC/8000\r\nm=audio 49172 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\n"), MEDIA_OK);
    {
        const media_codec *bob[2];
        bob[0] = &ilbc; bob[1] = media_codec_telephone_event();
        oa_cfg(&cfg, "host.biloxi.example.com", 49172);
        cfg.codecs = bob; cfg.codec_count = 2;
        CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
        CHECK(B.media_count == 2 && strcmp(pts(&B, 0), "97") == 0 && B.media[1].port == 0 && res.codec == &ilbc);
        CHECK(strcmp(media_sdp_fmtp_get(&B, 0, 97), "mode=30") == 0);
        CHECK(answer_subset(&A, &B, bob, 2));
    }
    /* 3.1: hold and resume. Bob re-offers a=sendonly (version + 1): Alice answers
       recvonly; Bob resumes (sendrecv): Alice answers sendrecv */
    oa_cfg(&cfg, "host.atlanta.example.com", 49170);
    CHECK_EQ_INT(parse_str(&A, "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\n"
                               "c=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 PCMU/8000\r\n"
                               "a=sendonly\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_RECVONLY && res.direction == MEDIA_SDP_RECVONLY && res.remote_hold);
    CHECK(res.payload_type == 97 && res.codec == media_codec_pcmu());   /* dynamic number for a static codec */
    cfg.previous = &B;
    CHECK_EQ_INT(parse_str(&A, "v=0\r\no=bob 2808844564 2808844566 IN IP4 host.biloxi.example.com\r\ns=\r\n"
                               "c=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 PCMU/8000\r\n"
                               "m=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&C, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&C, 0) == MEDIA_SDP_SENDRECV && res.direction == MEDIA_SDP_SENDRECV && !res.remote_hold);
    CHECK(C.origin_version == B.origin_version + 1);
}

/* The failures other stacks are known for, each ruled out. */
static void test_known_failures(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    oa_cfg(&cfg, "192.0.2.1", 4000);
    /* a hold (sendonly) re-offer must not be answered sendrecv */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=sendonly\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_RECVONLY && res.direction == MEDIA_SDP_RECVONLY);
    /* the legacy hold: c= 0.0.0.0 (RFC 2543) -- we must not send to 0.0.0.0 */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n"), MEDIA_OK);
    CHECK(media_sdp_is_hold(&A, 0));
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(res.remote_hold && res.direction == MEDIA_SDP_RECVONLY && media_sdp_direction_get(&B, 0) == MEDIA_SDP_RECVONLY);
    /* double hold: we hold (local policy sendonly), they hold too -> inactive;
       they resume while we still hold -> sendonly, not sendrecv */
    cfg.direction = MEDIA_SDP_SENDONLY;
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=sendonly\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_INACTIVE && res.direction == MEDIA_SDP_INACTIVE);
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=sendrecv\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_SENDONLY && res.direction == MEDIA_SDP_SENDONLY);
    /* they offer recvonly (they hold us the other way round): we may only send */
    cfg.direction = MEDIA_SDP_SENDRECV;
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=recvonly\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_SENDONLY && res.direction == MEDIA_SDP_SENDONLY && !res.remote_hold);
    /* inactive stays inactive whatever we want */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=inactive\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(media_sdp_direction_get(&B, 0) == MEDIA_SDP_INACTIVE);
    /* telephone-event offered at 16000 before 8000: the one at PCMU's rate */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 9 0 96 97\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:96 telephone-event/16000\r\n"
                               "a=fmtp:96 0-16\r\na=rtpmap:97 telephone-event/8000\r\na=fmtp:97 0-15,66\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "0 97") == 0 && res.telephone_event_pt == 97);
    CHECK(strcmp(media_sdp_fmtp_get(&B, 0, 97), "0-15") == 0);                 /* 66 is not ours (0-16) */
    CHECK(res.events[0] == 0xFF && res.events[1] == 0xFF && res.events[2] == 0 && res.events[8] == 0);
    /* ... and with G722 (RTP clock 8000 too, RFC 3551) we pick the same one */
    {
        const media_codec *list[2];
        list[0] = &g722; list[1] = media_codec_telephone_event();
        cfg.codecs = list; cfg.codec_count = 2;
        CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
        CHECK(strcmp(pts(&B, 0), "9 97") == 0 && res.telephone_event_pt == 97);
        cfg.codecs = NULL; cfg.codec_count = 0;
        media_sdp_oa_config_init(&cfg); oa_cfg(&cfg, "192.0.2.1", 4000);
    }
    /* without a telephone-event at the codec's rate there is none */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0 96\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:96 telephone-event/48000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "0") == 0 && res.telephone_event_pt == -1);
    /* no fmtp on telephone-event means 0-15 (RFC 4733 7.1.1) */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0 101\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:101 telephone-event/8000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(media_sdp_fmtp_get(&B, 0, 101), "0-15") == 0);
    /* a=rtcp always written by us, offers and answers */
    CHECK(media_sdp_attr_get(&B, 0, "rtcp") != NULL);
    /* the peer's a=rtcp is honoured (port and address) */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=rtcp:6001 IN IP4 192.0.2.10\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(res.remote_rtcp_port == 6001 && strcmp(res.remote_rtcp_address, "192.0.2.10") == 0 && strcmp(res.remote_address, "192.0.2.9") == 0);
    /* IPv6, and a media-level c= over the session-level one */
    CHECK_EQ_INT(parse_str(&A, "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
                               "m=audio 5000 RTP/AVP 0\r\nc=IN IP6 2001:db8::99\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(res.remote_family == 6 && strcmp(res.remote_address, "2001:db8::99") == 0);
    cfg.address = "2001:db8::5";
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(B.conn.family == 6 && media_sdp_write(out, sizeof out, &B) > 0 && strstr(out, "c=IN IP6 2001:db8::5\r\n"));
    cfg.address = "192.0.2.1";
    /* payload types above 95 count only through their rtpmap; static ones without one */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 96 8 100\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:100 PCMU/8000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "8 100") == 0 && res.codec == media_codec_pcma() && res.payload_types[1] == 100);
    /* an rtpmap that remaps a static number wins over the table */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:0 PCMA/8000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(res.codec == media_codec_pcma() && res.payload_type == 0);
    /* case-insensitive names, clock rate and channels must match */
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 96 97 98\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:96 pcmu/16000\r\n"
                               "a=rtpmap:97 PCMU/8000/2\r\na=rtpmap:98 pcma/8000/1\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "98") == 0 && res.codec == media_codec_pcma());
    CHECK(strcmp(media_sdp_attr_get(&B, 0, "rtpmap"), "98 pcma/8000") == 0);   /* the offer's spelling */
    /* answering a codec that was not offered: our answers never do (property
       test below); an answer that does is refused by answer_process */
    media_sdp_oa_config_init(&cfg); oa_cfg(&cfg, "192.0.2.1", 4000);
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 18\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_ENEGOTIATION);
    /* ... or one that changes what an offered number means */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"
                               "a=rtpmap:0 G729/8000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_ENEGOTIATION);
    /* ... or a different number of m-lines */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"
                               "m=video 0 RTP/AVP 31\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_ENEGOTIATION);
    /* a refused stream (port 0) */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 5 5 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_EREJECTED);
    CHECK(!res.accepted);
}

static int pick_last(const media_sdp_match *m, int count, int *order, void *user)
{
    (void)m;
    *(int *)user += 1;
    order[0] = count - 1;
    return 1;
}
static int refuse_all(const media_sdp_match *m, int count, int *order, void *user) { (void)m; (void)count; (void)order; (void)user; return 0; }

static void test_strategies(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    const media_codec *req[1];
    int calls = 0;
    const char *offer = H "m=audio 5000 RTP/AVP 8 18 0 101\r\nc=IN IP4 192.0.2.9\r\na=rtpmap:101 telephone-event/8000\r\n";
    oa_cfg(&cfg, "192.0.2.1", 4000);
    CHECK_EQ_INT(parse_str(&A, offer), MEDIA_OK);
    /* offerer's order (default) */
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "8 0 101") == 0 && res.codec == media_codec_pcma() && res.telephone_event_pt == 101);
    /* our order */
    cfg.strategy = MEDIA_SDP_LOCAL_ORDER;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "0 8 101") == 0 && res.codec == media_codec_pcmu());
    /* required codecs: present -> first; absent -> the stream is refused */
    cfg.strategy = MEDIA_SDP_REQUIRED;
    req[0] = media_codec_pcmu();
    cfg.required = req; cfg.required_count = 1;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(strcmp(pts(&B, 0), "0 8 101") == 0 && res.codec == media_codec_pcmu());
    req[0] = &g729;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_ENEGOTIATION);   /* G729 offered but not ours */
    CHECK(B.media[0].port == 0);
    /* a selection function (the session's codec-negotiation callback) */
    cfg.strategy = MEDIA_SDP_SELECT;
    cfg.select = pick_last; cfg.user = &calls;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(calls == 1 && strcmp(pts(&B, 0), "0 101") == 0 && res.codec_count == 1 && res.codec == media_codec_pcmu());
    cfg.select = refuse_all;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_ENEGOTIATION);
    CHECK(B.media_count == 1 && B.media[0].port == 0 && strcmp(pts(&B, 0), "8 18 0 101") == 0);
    /* nothing in common */
    oa_cfg(&cfg, "192.0.2.1", 4000);
    CHECK_EQ_INT(parse_str(&A, H "m=audio 5000 RTP/AVP 18\r\nc=IN IP4 192.0.2.9\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_ENEGOTIATION);
    CHECK(B.media[0].port == 0);
    /* a first audio stream we cannot take, a second we can: the second is ours */
    CHECK_EQ_INT(parse_str(&A, H "c=IN IP4 192.0.2.9\r\nm=audio 5000 RTP/AVP 18\r\nm=audio 5002 RTP/AVP 0\r\nm=audio 5004 RTP/AVP 0\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    CHECK(B.media[0].port == 0 && B.media[1].port == 4000 && B.media[2].port == 0 && res.media_index == 1);
    /* secure profiles are refused (no SRTP here) */
    CHECK_EQ_INT(load(&A, "srtp_sdes.sdp"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_ENEGOTIATION);
    CHECK_EQ_INT(load(&A, "webrtc_chrome.sdp"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_ENEGOTIATION);
    CHECK(B.media_count == 3 && B.media[2].port == 0 && strcmp(media_sdp_str_get(&B, B.media[2].fmt), "webrtc-datachannel") == 0 &&
          strcmp(media_sdp_mid_get(&B, 1), "1") == 0);
    check_roundtrip("refusal of chrome", out, (size_t)media_sdp_write(out, sizeof out, &B));
}

static void test_offers_and_reoffers(void)
{
    media_sdp_oa_config cfg, bob;
    media_sdp_result res, res2;
    const media_codec *list[6], *blist[3];
    static media_sdp prev;
    oa_cfg(&cfg, "192.0.2.1", 4000);
    cfg.maxptime_ms = 60;
    /* default offer: PCMU, PCMA, telephone-event at 8000 */
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(media_sdp_write(out, sizeof out, &A) > 0);
    CHECK(strcmp(out, "v=0\r\no=mediah 1000 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                      "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=maxptime:60\r\n"
                      "a=rtcp:4001\r\na=sendrecv\r\n") == 0);
    check_roundtrip("our offer", out, strlen(out));
    /* the answerer side (another media.h) and back: both agree */
    oa_cfg(&bob, "192.0.2.2", 5000);
    bob.strategy = MEDIA_SDP_LOCAL_ORDER;
    blist[0] = media_codec_pcma(); blist[1] = media_codec_pcmu(); blist[2] = media_codec_telephone_event();
    bob.codecs = blist; bob.codec_count = 3;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &bob, &res2), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.codec == media_codec_pcma() && res2.codec == media_codec_pcma() && res.telephone_event_pt == 101 &&
          res2.telephone_event_pt == 101);
    CHECK(res.remote_rtp_port == 5000 && res.remote_rtcp_port == 5001 && res2.remote_rtp_port == 4000 && res2.remote_rtcp_port == 4001);
    CHECK(res2.remote_maxptime_ms == 60 && res.direction == MEDIA_SDP_SENDRECV && res2.direction == MEDIA_SDP_SENDRECV);
    /* re-offer to hold: version + 1, same session id and numbers, a=sendonly */
    prev = A;   /* a media_sdp copies by assignment */
    cfg.previous = &prev;
    cfg.direction = MEDIA_SDP_SENDONLY;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(A.origin_version == 2 && strcmp(media_sdp_str_get(&A, A.origin_sess_id), "1000") == 0);
    CHECK(strcmp(pts(&A, 0), "0 8 101") == 0 && media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDONLY);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &bob, &res2), MEDIA_OK);
    CHECK(res2.direction == MEDIA_SDP_RECVONLY && res2.remote_hold);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.direction == MEDIA_SDP_SENDONLY && !res.remote_hold);
    /* resume */
    prev = A;
    cfg.direction = MEDIA_SDP_SENDRECV;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(A.origin_version == 3 && media_sdp_direction_get(&A, 0) == MEDIA_SDP_SENDRECV);
    /* codec change: Opus and G.722 added in front; numbers kept for the old ones,
       telephone-event at each rate */
    prev = A;
    list[0] = &opus; list[1] = &g722; list[2] = media_codec_pcmu(); list[3] = media_codec_pcma(); list[4] = media_codec_telephone_event();
    cfg.codecs = list; cfg.codec_count = 5;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(strcmp(pts(&A, 0), "96 9 0 8 102 101") == 0);
    CHECK(strcmp(media_sdp_attr_get(&A, 0, "rtpmap"), "96 opus/48000/2") == 0 && strcmp(media_sdp_fmtp_get(&A, 0, 96), "useinbandfec=1") == 0);
    {
        media_sdp_rtpmap r;
        CHECK(media_sdp_rtpmap_get(&A, 0, 102, &r) == MEDIA_OK && media_sdp_span_equal(r.encoding, "telephone-event") && r.clock_rate == 48000);
        CHECK(media_sdp_rtpmap_get(&A, 0, 101, &r) == MEDIA_OK && r.clock_rate == 8000);
    }
    /* port change */
    prev = A;
    cfg.port = 4100;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(A.media[0].port == 4100 && strcmp(media_sdp_attr_get(&A, 0, "rtcp"), "4101") == 0 && A.origin_version == 5);
    CHECK(strcmp(pts(&A, 0), "96 9 0 8 102 101") == 0);
    /* Bob (PCMA first) answers: he takes PCMA and telephone-event/8000 only */
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &bob, &res2), MEDIA_OK);
    CHECKF(strcmp(pts(&B, 0), "8 0 101") == 0 && res2.telephone_event_pt == 101, "%s te %d", pts(&B, 0), res2.telephone_event_pt);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.codec == media_codec_pcma() && res.telephone_event_pt == 101);
    /* rtcp-mux offered and accepted: RTCP goes to the RTP port */
    oa_cfg(&cfg, "192.0.2.1", 4000);
    cfg.rtcp_mux = 1;
    bob.rtcp_mux = 1;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(media_sdp_rtcp_mux_get(&A, 0));
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &bob, &res2), MEDIA_OK);
    CHECK(res2.rtcp_mux && res2.remote_rtcp_port == 4000 && media_sdp_rtcp_mux_get(&B, 0) &&
          strcmp(media_sdp_attr_get(&B, 0, "rtcp"), "5000") == 0);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.rtcp_mux && res.remote_rtcp_port == 5000);
    /* ... and declined: separate ports */
    bob.rtcp_mux = 0;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &bob, &res2), MEDIA_OK);
    CHECK(!res2.rtcp_mux && !media_sdp_rtcp_mux_get(&B, 0));
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(!res.rtcp_mux && res.remote_rtcp_port == 5001);
    /* ptime: the peer's, within its maxptime */
    CHECK_EQ_INT(parse_str(&C, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=ptime:30\r\n"), MEDIA_OK);
    CHECK(media_sdp_answer_create(&B, &C, &bob, &res2) == MEDIA_OK && res2.ptime_ms == 30);
    CHECK_EQ_INT(parse_str(&C, H "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\na=ptime:60\r\na=maxptime:40\r\n"), MEDIA_OK);
    CHECK(media_sdp_answer_create(&B, &C, &bob, &res2) == MEDIA_OK && res2.ptime_ms == 40 && res2.remote_maxptime_ms == 40);
    CHECK_EQ_INT(parse_str(&C, H "a=ptime:10\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\n"), MEDIA_OK);
    CHECK(media_sdp_answer_create(&B, &C, &bob, &res2) == MEDIA_OK && res2.ptime_ms == 10);   /* session level */
    /* a re-offer after we answered a multi-stream offer keeps every m-line:
       the refused ones stay refused, ours is rebuilt */
    oa_cfg(&cfg, "192.0.2.1", 4000);
    CHECK_EQ_INT(parse_str(&C, rfc3264_10_1_offer), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&prev, &C, &cfg, &res2), MEDIA_OK);
    cfg.previous = &prev;
    cfg.direction = MEDIA_SDP_INACTIVE;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(A.media_count == 3 && A.media[0].port == 4000 && A.media[1].port == 0 && A.media[2].port == 0 &&
          strcmp(pts(&A, 1), "31") == 0 && strcmp(media_sdp_str_get(&A, A.media[2].media), "video") == 0);
    CHECK(media_sdp_direction_get(&A, 0) == MEDIA_SDP_INACTIVE && A.origin_version == prev.origin_version + 1);
    /* required codecs are matched by description, not only by pointer */
    {
        static const media_codec pcmu_copy = {"pcmu", 8000, 8000, 1, 0, 20, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
        const media_codec *req[1];
        media_sdp_oa_config c2;
        oa_cfg(&c2, "192.0.2.1", 4000);
        req[0] = &pcmu_copy;
        c2.strategy = MEDIA_SDP_REQUIRED; c2.required = req; c2.required_count = 1;
        CHECK_EQ_INT(parse_str(&C, H "m=audio 5000 RTP/AVP 8 0\r\nc=IN IP4 192.0.2.9\r\n"), MEDIA_OK);
        CHECK(media_sdp_answer_create(&B, &C, &c2, &res2) == MEDIA_OK && strcmp(pts(&B, 0), "0 8") == 0);
    }
    /* bad configurations */
    cfg.address = NULL;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_EINVAL);
    cfg.address = "192.0.2.1"; cfg.port = 0;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_EINVAL);
    cfg.port = 4000;
    CHECK_EQ_INT(media_sdp_answer_create(&A, &A, &cfg, &res), MEDIA_EINVAL);
}

/* Property: for random offers and random local lists, an answer only ever
   contains formats both sides have, telephone-event only at the chosen
   codec's rate, the same m-lines in the same order, and round-trips. */
static void test_answer_property(void)
{
    static const char *const pool[] = {
        "PCMU/8000", "PCMA/8000", "G729/8000", "G722/8000", "GSM/8000", "opus/48000/2", "iLBC/8000",
        "telephone-event/8000", "telephone-event/16000", "telephone-event/48000", "FOO/8000", "pcmu/8000", "PCMU/16000"
    };
    static const char *const dirs[4] = {"sendonly", "recvonly", "inactive", "sendrecv"};
    const media_codec *all[7];
    static char text[8192];
    int iter, accepted = 0;
    all[0] = media_codec_pcmu(); all[1] = media_codec_pcma(); all[2] = media_codec_telephone_event();
    all[3] = &g722; all[4] = &opus; all[5] = &ilbc; all[6] = &g729;
    harness_seed(3264);
    for (iter = 0; iter < 3000; iter++) {
        media_sdp_oa_config cfg;
        media_sdp_result res;
        const media_codec *local[7];
        int nloc = 0, k, n, nf = 1 + (int)(harness_rand() % 8), used[128], nm = 1 + (int)(harness_rand() % 3), m, rc;
        memset(used, 0, sizeof used);
        for (k = 0; k < 7; k++) if (harness_rand() % 2) local[nloc++] = all[(k + iter) % 7];
        if (!nloc) local[nloc++] = media_codec_pcmu();
        n = sprintf(text, "v=0\r\no=- %d 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n", iter);
        for (m = 0; m < nm; m++) {
            int fmts[16], f;
            const char *maps[16];
            n += sprintf(text + n, "m=%s %d RTP/AVP", harness_rand() % 5 ? "audio" : "video", 5000 + 2 * m);
            for (f = 0; f < nf; f++) {
                int which = (int)(harness_rand() % 14), pt;
                maps[f] = which < 13 ? pool[which] : NULL;          /* 13: dynamic without rtpmap */
                if (maps[f] && harness_rand() % 3 == 0 && (strcmp(maps[f], "PCMU/8000") == 0 || strcmp(maps[f], "PCMA/8000") == 0))
                    pt = maps[f][3] == 'U' ? 0 : 8;                   /* static number */
                else do pt = 96 + (int)(harness_rand() % 32); while (used[pt]);
                if (used[pt]) { fmts[f] = -1; continue; }
                used[pt] = 1;
                fmts[f] = pt;
                n += sprintf(text + n, " %d", pt);
            }
            n += sprintf(text + n, "\r\n");
            for (f = 0; f < nf; f++) {
                if (fmts[f] < 0 || !maps[f] || (fmts[f] < 96 && harness_rand() % 2)) continue;
                n += sprintf(text + n, "a=rtpmap:%d %s\r\n", fmts[f], maps[f]);
                if (strncmp(maps[f], "telephone-event", 15) == 0 && harness_rand() % 2)
                    n += sprintf(text + n, "a=fmtp:%d %s\r\n", fmts[f], harness_rand() % 2 ? "0-15" : "0-11,16,32-40");
            }
            if (harness_rand() % 4 == 0) n += sprintf(text + n, "a=%s\r\n", dirs[harness_rand() % 4]);
        }
        rc = media_sdp_parse(&A, text, (size_t)n);
        CHECKF(rc == MEDIA_OK, "iteration %d: offer does not parse (%d)", iter, rc);
        if (rc) continue;
        oa_cfg(&cfg, "192.0.2.1", 4000);
        cfg.codecs = local; cfg.codec_count = (size_t)nloc;
        cfg.strategy = harness_rand() % 2 ? MEDIA_SDP_LOCAL_ORDER : MEDIA_SDP_OFFERER_ORDER;
        cfg.direction = (media_sdp_direction)(harness_rand() % 4);
        rc = media_sdp_answer_create(&B, &A, &cfg, &res);
        CHECKF(rc == MEDIA_OK || rc == MEDIA_ENEGOTIATION, "iteration %d: %d", iter, rc);
        CHECKF(answer_subset(&A, &B, local, (size_t)nloc), "iteration %d: answer has a format not in both\n%s", iter, text);
        CHECK_EQ_INT(B.media_count, A.media_count);
        for (m = 0; m < A.media_count; m++) CHECK(strcmp(media_sdp_str_get(&A, A.media[m].media), media_sdp_str_get(&B, B.media[m].media)) == 0);
        if (rc == MEDIA_OK) {
            int j, te_ok = 1, in_answer = 0;
            accepted++;
            for (j = 0; j < B.media[res.media_index].fmt_count; j++) {
                media_sdp_rtpmap r;
                int pt = B.media[res.media_index].pt[j];
                media_sdp_rtpmap_get(&B, res.media_index, pt, &r);
                in_answer |= pt == res.payload_type;
                if (pt == res.telephone_event_pt) te_ok &= r.clock_rate == res.codec->clock_rate;
            }
            CHECKF(in_answer && te_ok, "iteration %d: result does not match the answer", iter);
            CHECK(res.direction == MEDIA_SDP_INACTIVE || cfg.direction == MEDIA_SDP_SENDRECV || res.direction == cfg.direction);
        }
        if (media_sdp_write(out, sizeof out, &B) > 0) check_roundtrip("random answer", out, strlen(out));
        if (harness_case_failures) break;
    }
    CHECKF(accepted > 1000, "only %d of 3000 random offers were answered", accepted);
}

/* each parse/write/accessor refuses NULL and out-of-range arguments without crashing */
/* a zero session_id (a config left at its defaults) still gives each SDP an
   o= sess-id of its own, not "0" */
/* What RFC 3264 allows an answer and what means nothing, taken as the peer
   said it: telephone-event answered under its own number (6.1: the same
   number SHOULD be used, not MUST), and a=ptime:0 / a=maxptime:0 (no
   packet time: as if absent). A new encoding in an answer is still refused. */
static void test_liberal_answers(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    oa_cfg(&cfg, "192.0.2.1", 4000);
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);   /* 0 8 101 */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                               "m=audio 5000 RTP/AVP 8 120\r\na=rtpmap:120 telephone-event/8000\r\na=fmtp:120 0-11\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.codec == media_codec_pcma() && res.payload_type == 8 && res.telephone_event_pt == 120);
    CHECK(res.events[0] == 0xFF && res.events[1] == 0x0F && res.events[2] == 0);   /* 0-11 of our 0-16 */
    /* renumbered audio too: PCMU under 96 */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                               "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 PCMU/8000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.codec == media_codec_pcmu() && res.payload_type == 96 && res.telephone_event_pt == -1);
    /* an encoding we never offered */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                               "m=audio 5000 RTP/AVP 97\r\na=rtpmap:97 G729/8000\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_ENEGOTIATION);
    /* a=ptime:0 and a=maxptime:0 parse, read as absent, and leave the codec's own */
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                               "m=audio 5000 RTP/AVP 0\r\na=ptime:0\r\na=maxptime:0\r\n"), MEDIA_OK);
    CHECK(media_sdp_ptime_get(&B, 0) == 0 && media_sdp_maxptime_get(&B, 0) == 0);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &B, &cfg), MEDIA_OK);
    CHECK(res.ptime_ms == 20 && res.remote_maxptime_ms == 0);
}

static void test_session_id_made_when_zero(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    char id1[32], id2[32];
    media_sdp_oa_config_init(&cfg);
    cfg.address = "192.0.2.1";
    cfg.port = 4000;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    snprintf(id1, sizeof id1, "%s", media_sdp_str_get(&A, A.origin_sess_id));
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &cfg, &res), MEDIA_OK);
    snprintf(id2, sizeof id2, "%s", media_sdp_str_get(&B, B.origin_sess_id));
    CHECKF(strcmp(id1, "0") != 0 && strcmp(id2, "0") != 0 && strcmp(id1, id2) != 0, "o= sess-ids %s and %s", id1, id2);
    CHECK(strspn(id1, "0123456789") == strlen(id1) && strlen(id1) <= 19);   /* a number under 2^63 */
}

/* RFC 4568's crypto attribute taken apart: the examples of its sections 4
   and 6.1 (two keys with MKIs, a lifetime, FEC_ORDER), base64 against RFC
   4648's vectors, each suite's key sizes (RFC 4568 6.2, 6188, 7714), and
   what is malformed. */
static media_sdp_span sp(const char *s) { media_sdp_span r; r.ptr = s; r.len = strlen(s); return r; }
static void test_rfc4568_crypto(void)
{
    static const char *const b64[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
                                          { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };
    static const char *const bad_keys[] = {
        "inline:", "inline:A", "inline:AB!D", "key:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|", "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz||1:4",
        "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:4|2^20", "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^64",
        "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|0", "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:0",
        "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:129", "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|256:1",
        "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4|x",
        "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz;inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2",
        /* 47 bytes: more than any suite's key and salt */
        "inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6"
    };
    static const struct { const char *name; size_t key, salt; } suites[] = {
        { "AES_CM_128_HMAC_SHA1_80", 16, 14 }, { "AES_CM_128_HMAC_SHA1_32", 16, 14 }, { "F8_128_HMAC_SHA1_80", 16, 14 },
        { "AES_192_CM_HMAC_SHA1_80", 24, 14 }, { "AES_256_CM_HMAC_SHA1_32", 32, 14 },
        { "AEAD_AES_128_GCM", 16, 12 }, { "AEAD_AES_256_GCM", 32, 12 } };
    media_sdp_crypto cr;
    media_sdp_crypto_key k;
    media_sdp_crypto_params prm;
    char txt[64];
    uint8_t raw[64];
    size_t i, kl, sl;
    for (i = 0; i < sizeof b64 / sizeof b64[0]; i++) {
        size_t n = strlen(b64[i][0]);
        CHECK_EQ_INT(media_base64_encode(txt, sizeof txt, (const uint8_t *)b64[i][0], n), (long long)strlen(b64[i][1]));
        CHECKF(strcmp(txt, b64[i][1]) == 0, "%s -> %s", b64[i][0], txt);
        CHECK_EQ_INT(media_base64_decode(raw, sizeof raw, b64[i][1], strlen(b64[i][1])), (long long)n);
        CHECK(memcmp(raw, b64[i][0], n) == 0);
        if (strchr(b64[i][1], '='))   /* padding may be left out */
            CHECK_EQ_INT(media_base64_decode(raw, sizeof raw, b64[i][1], (size_t)(strchr(b64[i][1], '=') - b64[i][1])), (long long)n);
    }
    CHECK_EQ_INT(media_base64_encode(txt, 8, (const uint8_t *)"foobar", 6), MEDIA_ENOSPC);   /* 8 characters and the NUL */
    CHECK_EQ_INT(media_base64_decode(raw, 5, "Zm9vYmFy", 8), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_base64_decode(raw, sizeof raw, "Zm9vY", 5), MEDIA_EPARSE);
    CHECK_EQ_INT(media_base64_decode(raw, sizeof raw, "Zm9v Y", 6), MEDIA_EPARSE);

    /* RFC 4568 section 4's offer */
    CHECK_EQ_INT(media_sdp_crypto_parse(&cr, "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 "
                                             "FEC_ORDER=FEC_SRTP"), MEDIA_OK);
    CHECK(cr.tag == 1 && media_sdp_span_equal(cr.suite, "AES_CM_128_HMAC_SHA1_80"));
    CHECK_EQ_INT(media_sdp_crypto_key_parse(&k, cr.key_params, 0), 1);
    CHECK(k.key_len == 30 && memcmp(k.key, "YS___semctl () {\t220;}\n}\nunles", 30) == 0);
    CHECK(k.lifetime == 1048576 && k.mki == 1 && k.mki_len == 4);
    CHECK_EQ_INT(media_sdp_crypto_key_parse(&k, cr.key_params, 1), MEDIA_ENOTFOUND);
    CHECK_EQ_INT(media_sdp_crypto_params_parse(&prm, cr.session_params), MEDIA_OK);
    CHECK(prm.fec == 1 && prm.kdr == -1 && prm.wsh == 0 && !prm.unencrypted_srtcp);
    /* section 6.1: two keys, each with its MKI */
    CHECK_EQ_INT(media_sdp_crypto_parse(&cr, "1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4;"
                                             "inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2|2^20|2:4 FEC_ORDER=FEC_SRTP"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_crypto_key_parse(&k, cr.key_params, 1), 2);
    CHECK(k.key_len == 30 && memcmp(k.key, "ABcdefghiJKLmoPQrsTuVwYz123456", 30) == 0 && k.mki == 2 && k.mki_len == 4);
    /* lifetime alone, MKI alone, a decimal lifetime */
    CHECK_EQ_INT(media_sdp_crypto_key_parse(&k, sp("inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2|2^31"), 0), 1);
    CHECK(k.lifetime == 2147483648u && k.mki_len == 0);
    CHECK_EQ_INT(media_sdp_crypto_key_parse(&k, sp("inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2|7:1"), 0), 1);
    CHECK(k.lifetime == 0 && k.mki == 7 && k.mki_len == 1);
    CHECK_EQ_INT(media_sdp_crypto_key_parse(&k, sp("inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2|1000000"), 0), 1);
    CHECK(k.lifetime == 1000000);
    for (i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++)
        CHECKF(media_sdp_crypto_key_parse(&k, sp(bad_keys[i]), 0) == MEDIA_EPARSE, "accepted %s", bad_keys[i]);

    /* session parameters: the known ones, an optional unknown, a mandatory unknown */
    CHECK_EQ_INT(media_sdp_crypto_params_parse(&prm, sp("KDR=23 UNENCRYPTED_SRTCP WSH=128 -X-VENDOR=1")), MEDIA_OK);
    CHECK(prm.kdr == 23 && prm.unencrypted_srtcp && !prm.unencrypted_srtp && prm.wsh == 128);
    CHECK_EQ_INT(media_sdp_crypto_params_parse(&prm, sp("UNENCRYPTED_SRTP UNAUTHENTICATED_SRTP")), MEDIA_OK);
    CHECK(prm.unencrypted_srtp && prm.unauthenticated_srtp);
    CHECK_EQ_INT(media_sdp_crypto_params_parse(&prm, sp("KDR=25")), MEDIA_EPARSE);
    CHECK_EQ_INT(media_sdp_crypto_params_parse(&prm, sp("WSH=32")), MEDIA_EPARSE);
    CHECK_EQ_INT(media_sdp_crypto_params_parse(&prm, sp("NEW_PARAM")), MEDIA_EUNSUPPORTED);

    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        CHECK_EQ_INT(media_sdp_crypto_suite_info(sp(suites[i].name), &kl, &sl), MEDIA_OK);
        CHECKF(kl == suites[i].key && sl == suites[i].salt, "%s: %u + %u", suites[i].name, (unsigned)kl, (unsigned)sl);
    }
    CHECK_EQ_INT(media_sdp_crypto_suite_info(sp("aes_cm_128_hmac_sha1_80"), &kl, &sl), MEDIA_OK);   /* ABNF strings */
    CHECK_EQ_INT(media_sdp_crypto_suite_info(sp("NULL_HMAC_SHA1_80"), &kl, &sl), MEDIA_ENOTFOUND);
}

/* SDES in offer/answer (RFC 4568 7): what each policy offers, which line an
   answerer takes, what an offerer accepts back, and that each side ends with
   the other's key, byte for byte. */
static const char sdes_head[] = "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n";
static int sdes_offer(media_sdp *dst, const char *proto, const char *lines)
{
    char text[2048];
    snprintf(text, sizeof text, "%sm=audio 5000 %s 0\r\n%s", sdes_head, proto, lines);
    return parse_str(dst, text);
}
static void test_sdes_offer_answer(void)
{
    uint8_t k80[30], kgcm[44], p80[30], pgcm[44];
    media_sdp_srtp_suite ours[2], peers[2];
    media_sdes us, them;
    media_sdp_oa_config oc, pc;
    media_sdp_result r1, r2;
    media_sdp_crypto_key key;
    media_sdp_crypto cr;
    char line[200], b64[80];
    size_t i;
    int at;
    for (i = 0; i < sizeof k80; i++) { k80[i] = (uint8_t)(i + 1); p80[i] = (uint8_t)(0xA0 + i); }
    for (i = 0; i < sizeof kgcm; i++) { kgcm[i] = (uint8_t)(0x40 + i); pgcm[i] = (uint8_t)(0xC0 + i); }
    ours[0].name = "AES_CM_128_HMAC_SHA1_80"; ours[0].key = k80;
    ours[1].name = "AEAD_AES_256_GCM"; ours[1].key = kgcm;
    peers[0].name = "AEAD_AES_256_GCM"; peers[0].key = pgcm;
    peers[1].name = "AES_CM_128_HMAC_SHA1_80"; peers[1].key = p80;
    memset(&us, 0, sizeof us); us.suites = ours; us.count = 2; us.policy = MEDIA_SRTP_REQUIRED;
    memset(&them, 0, sizeof them); them.suites = peers; them.count = 1; them.policy = MEDIA_SRTP_REQUIRED;   /* GCM only */
    oa_cfg(&oc, "192.0.2.1", 4000); oc.sdes = &us;
    oa_cfg(&pc, "192.0.2.2", 6000); pc.sdes = &them;

    /* required both ways: RTP/SAVP, a line per suite; the answerer takes the
       one it can do (tag 2) with its own key; each ends with the other's key */
    CHECK_EQ_INT(media_sdp_offer_create(&A, &oc), MEDIA_OK);
    CHECK(strcmp(media_sdp_str_get(&A, A.media[0].proto), "RTP/SAVP") == 0);
    at = media_sdp_attr_find(&A, 0, "crypto", -1);
    CHECK(at >= 0 && media_sdp_crypto_parse(&cr, media_sdp_attr_value_get(&A, at)) == MEDIA_OK && cr.tag == 1 &&
          media_sdp_span_equal(cr.suite, "AES_CM_128_HMAC_SHA1_80"));
    CHECK(media_base64_encode(b64, sizeof b64, k80, 30) == 40);
    snprintf(line, sizeof line, "1 AES_CM_128_HMAC_SHA1_80 inline:%s", b64);
    CHECKF(strcmp(media_sdp_attr_value_get(&A, at), line) == 0, "%s", media_sdp_attr_value_get(&A, at));
    CHECK(media_sdp_attr_find(&A, 0, "crypto", media_sdp_attr_find(&A, 0, "crypto", at)) < 0);   /* two lines */
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &pc, &r2), MEDIA_OK);
    CHECK(r2.accepted && r2.srtp_suite == 0);
    CHECK(strcmp(media_sdp_str_get(&B, B.media[0].proto), "RTP/SAVP") == 0);
    at = media_sdp_attr_find(&B, 0, "crypto", -1);
    CHECK(at >= 0 && media_sdp_crypto_parse(&cr, media_sdp_attr_value_get(&B, at)) == MEDIA_OK && cr.tag == 2 &&
          media_sdp_span_equal(cr.suite, "AEAD_AES_256_GCM"));
    CHECK(media_sdp_crypto_key_parse(&key, cr.key_params, 0) == 1 && key.key_len == 44 && memcmp(key.key, pgcm, 44) == 0);
    CHECK_EQ_INT(media_sdp_srtp_key_get(&A, &r2, &them, &key, NULL), MEDIA_OK);
    CHECK(key.key_len == 44 && memcmp(key.key, kgcm, 44) == 0);   /* the answerer holds the offerer's GCM key */
    CHECK_EQ_INT(media_sdp_answer_process(&r1, &A, &B, &oc), MEDIA_OK);
    CHECK(r1.srtp_suite == 1);
    CHECK_EQ_INT(media_sdp_srtp_key_get(&B, &r1, &us, &key, NULL), MEDIA_OK);
    CHECK(key.key_len == 44 && memcmp(key.key, pgcm, 44) == 0);

    /* best effort (RTP/AVP with keys) against a peer without SRTP: it
       ignores the lines, answers clear RTP, and that is accepted */
    us.policy = MEDIA_SRTP_OPTIONAL;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &oc), MEDIA_OK);
    CHECK(strcmp(media_sdp_str_get(&A, A.media[0].proto), "RTP/AVP") == 0 && media_sdp_attr_find(&A, 0, "crypto", -1) >= 0);
    them.policy = MEDIA_SRTP_OFF;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &pc, &r2), MEDIA_OK);
    CHECK(r2.srtp_suite == -1 && media_sdp_attr_find(&B, 0, "crypto", -1) < 0);
    CHECK_EQ_INT(media_sdp_answer_process(&r1, &A, &B, &oc), MEDIA_OK);
    CHECK(r1.srtp_suite == -1 && r1.accepted);
    CHECK_EQ_INT(media_sdp_srtp_key_get(&B, &r1, &us, &key, NULL), MEDIA_ENOTFOUND);
    /* ... and against one that does it: SRTP on RTP/AVP */
    them.policy = MEDIA_SRTP_OPTIONAL;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &pc, &r2), MEDIA_OK);
    CHECK(r2.srtp_suite == 0 && strcmp(media_sdp_str_get(&B, B.media[0].proto), "RTP/AVP") == 0);
    CHECK_EQ_INT(media_sdp_answer_process(&r1, &A, &B, &oc), MEDIA_OK);
    CHECK(r1.srtp_suite == 1);
    /* required but answered clear: refused */
    us.policy = MEDIA_SRTP_REQUIRED;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &oc), MEDIA_OK);
    CHECK_EQ_INT(parse_str(&B, "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n"),
                 MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&r1, &A, &B, &oc), MEDIA_ENEGOTIATION);

    /* an answerer without SRTP refuses RTP/SAVP (port 0), never answers it clear */
    them.policy = MEDIA_SRTP_OFF;
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &pc, &r2), MEDIA_ENEGOTIATION);
    CHECK(B.media_count == 1 && B.media[0].port == 0 && !r2.accepted);
    /* one that requires SRTP refuses an offer without keys */
    them.policy = MEDIA_SRTP_REQUIRED;
    CHECK_EQ_INT(sdes_offer(&C, "RTP/AVP", ""), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &C, &pc, &r2), MEDIA_ENEGOTIATION);

    /* lines we cannot use are passed over for the first we can (RFC 4568
       7.1.2): an MKI, two keys, a key derivation rate, unencrypted SRTCP, FEC,
       a key of the wrong size, an unknown mandatory parameter, a suite we do
       not do; the usable one's tag is answered */
    them.suites = peers; them.count = 2; them.policy = MEDIA_SRTP_OPTIONAL;
    CHECK_EQ_INT(sdes_offer(&C, "RTP/AVP",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
        "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1:4;inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2|2:4\r\n"
        "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz KDR=10\r\n"
        "a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz UNENCRYPTED_SRTCP\r\n"
        "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz FEC_ORDER=FEC_SRTP\r\n"
        "a=crypto:6 AES_CM_128_HMAC_SHA1_80 inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIz\r\n"
        "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz NEW_THING\r\n"
        "a=crypto:8 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
        "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:QUJjZGVmZ2hpSktMbW9QUXJzVHVWd1l6MTIzNDU2|2^31 WSH=128 -X-ANY\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &C, &pc, &r2), MEDIA_OK);
    at = media_sdp_attr_find(&B, 0, "crypto", -1);
    CHECK(r2.srtp_suite == 1 && at >= 0 && media_sdp_crypto_parse(&cr, media_sdp_attr_value_get(&B, at)) == MEDIA_OK && cr.tag == 9);
    CHECK_EQ_INT(media_sdp_srtp_key_get(&C, &r2, &them, &key, NULL), MEDIA_OK);
    CHECK(key.key_len == 30 && memcmp(key.key, "ABcdefghiJKLmoPQrsTuVwYz123456", 30) == 0 && key.lifetime == 2147483648u);
    /* none usable: best effort answers clear RTP, required refuses */
    CHECK_EQ_INT(sdes_offer(&C, "RTP/AVP", "a=crypto:8 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"),
                 MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &C, &pc, &r2), MEDIA_OK);
    CHECK(r2.srtp_suite == -1 && media_sdp_attr_find(&B, 0, "crypto", -1) < 0);
    CHECK_EQ_INT(sdes_offer(&C, "RTP/SAVP", "a=crypto:8 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"),
                 MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &C, &pc, &r2), MEDIA_ENEGOTIATION);

    /* an answer naming a tag we never offered, or another suite under ours */
    them.suites = peers; them.count = 1;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &oc), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &A, &pc, &r2), MEDIA_OK);
    at = media_sdp_attr_find(&B, 0, "crypto", -1);
    media_sdp_attr_remove_at(&B, at);
    CHECK(media_base64_encode(b64, sizeof b64, pgcm, 44) > 0);
    snprintf(line, sizeof line, "3 AEAD_AES_256_GCM inline:%s", b64);
    CHECK(media_sdp_attr_add(&B, 0, "crypto", line) >= 0);
    CHECK_EQ_INT(media_sdp_answer_process(&r1, &A, &B, &oc), MEDIA_ENEGOTIATION);
    media_sdp_attr_remove(&B, 0, "crypto");
    snprintf(line, sizeof line, "1 AEAD_AES_256_GCM inline:%s", b64);
    CHECK(media_sdp_attr_add(&B, 0, "crypto", line) >= 0);
    CHECK_EQ_INT(media_sdp_answer_process(&r1, &A, &B, &oc), MEDIA_ENEGOTIATION);
}

/* Our answer took the second audio m-line (the first offered only a codec
   we lack): a re-offer built from that answer keeps every m-line in place
   (RFC 3264 8), the live stream at index 1, the refused one at 0 with port
   0; the peer's answer to it is read at index 1. */
static void test_reoffer_keeps_live_mline(void)
{
    media_sdp_oa_config cfg;
    media_sdp_result res;
    char text[4096];
    oa_cfg(&cfg, "192.0.2.1", 4000);
    CHECK_EQ_INT(parse_str(&C, "v=0\r\no=- 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                               "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 G729/8000\r\n"
                               "m=audio 5002 RTP/AVP 0 8\r\n"), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_create(&B, &C, &cfg, &res), MEDIA_OK);
    CHECK(res.media_index == 1 && B.media_count == 2 && B.media[0].port == 0 && B.media[1].port == 4000);
    cfg.previous = &B;
    CHECK_EQ_INT(media_sdp_offer_create(&A, &cfg), MEDIA_OK);
    CHECK(A.media_count == 2);
    CHECKF(A.media_count == 2 && A.media[0].port == 0 && A.media[1].port == 4000 && A.media[1].fmt_count >= 2,
           "re-offer ports %u, %u", (unsigned)A.media[0].port, A.media_count > 1 ? (unsigned)A.media[1].port : 0u);
    /* the peer answers it: the stream is m-line 1 */
    snprintf(text, sizeof text, "v=0\r\no=- 7 8 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
                                "m=audio 0 RTP/AVP 96\r\nm=audio 5002 RTP/AVP 8\r\n");
    CHECK_EQ_INT(parse_str(&D, text), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_answer_process(&res, &A, &D, &cfg), MEDIA_OK);
    CHECK(res.media_index == 1 && res.codec == media_codec_pcma() && res.remote_rtp_port == 5002);
}

static void test_arguments(void)
{
    media_sdp_rtpmap r;
    media_sdp_span v;
    CHECK_EQ_INT(parse_str(&A, rfc8866), MEDIA_OK);
    CHECK_EQ_INT(media_sdp_write(NULL, 10, &A), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_write(out, 0, &A), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_sdp_rtpmap_get(&A, 5, 0, &r), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_rtpmap_get(&A, 0, 128, &r), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_rtpmap_get(&A, 2, 98, &r), MEDIA_ENOTFOUND);   /* dynamic, no rtpmap */
    CHECK_EQ_INT(media_sdp_rtpmap_get(&A, 0, 50, &r), MEDIA_ENOTFOUND);   /* unassigned static range */
    CHECK(media_sdp_attr_name_get(&A, -1) == NULL && media_sdp_attr_value_get(&A, 9999) == NULL);
    CHECK(media_sdp_attr_find(&A, 7, "x", -1) == MEDIA_EINVAL);
    CHECK(strcmp(media_sdp_str_get(&A, 65535), "") == 0);
    CHECK(media_sdp_conn_get(&A, 3) == NULL && media_sdp_ptime_get(&A, -2) == 0);
    CHECK_EQ_INT(media_sdp_fmtp_param(&v, NULL, "x"), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_rtpmap_parse(&r, NULL), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_direction_set(&A, 0, (media_sdp_direction)7), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_format_remove(&A, 9, 0), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_attr_remove_at(&A, 9999), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_version_bump(NULL), MEDIA_EINVAL);
    CHECK_EQ_INT(media_sdp_offer_create(&A, NULL), MEDIA_EINVAL);
    /* the built-in codecs are what RFC 3551 says */
    CHECK(media_codec_pcmu()->static_pt == 0 && media_codec_pcma()->static_pt == 8 && media_codec_pcmu()->clock_rate == 8000);
    CHECK(media_codec_telephone_event()->flags & MEDIA_CODEC_EVENTS);
    {
        int16_t pcm[160], back[160];
        uint8_t enc[160];
        void *st = NULL;
        int i;
        for (i = 0; i < 160; i++) pcm[i] = (int16_t)(i * 200 - 16000);
        CHECK_EQ_INT(media_codec_pcma()->encode(st, enc, sizeof enc, pcm, 160), 160);
        CHECK_EQ_INT(media_codec_pcma()->decode(st, back, 160, enc, 160), 160);
        for (i = 0; i < 160; i++) CHECK(back[i] == media_pcma_to_linear(media_pcma_from_linear(pcm[i])));
        CHECK_EQ_INT(media_codec_pcmu()->encode(st, enc, 100, pcm, 160), MEDIA_ENOSPC);
    }
}

int main(void)
{
    RUN(test_rfc8866_example);
    RUN(test_corpus_roundtrip);
    RUN(test_webrtc_chrome);
    RUN(test_webrtc_firefox_and_others);
    RUN(test_deviations);
    RUN(test_malformed);
    RUN(test_capacity);
    RUN(test_edits);
    RUN(test_rfc3264_10_1);
    RUN(test_rfc3264_10_2);
    RUN(test_rfc4317);
    RUN(test_known_failures);
    RUN(test_strategies);
    RUN(test_offers_and_reoffers);
    RUN(test_answer_property);
    RUN(test_liberal_answers);
    RUN(test_session_id_made_when_zero);
    RUN(test_rfc4568_crypto);
    RUN(test_sdes_offer_answer);
    RUN(test_reoffer_keeps_live_mline);
    RUN(test_arguments);
    return harness_summary();
}
