/* (make test: once; it drives tshark.) Our packets as an independent analyser
   sees them. The test writes RTP and RTCP
   made by media.h into a pcap with capture times it chooses, then:
   - tshark must dissect every field as the test set it (values come from the
     test's own constants, never from our parser), with nothing malformed;
   - tshark's RFC 3550 stream analysis (packets, lost, mean and max jitter) must
     agree with media_rtp_stats fed the same packets at the same times, and both
     with the ground truth the test knows (what it sent and dropped). */
#define _POSIX_C_SOURCE 200809L
#include "../../media.h"
#include "../harness.h"
#include "../pcap.h"
#include <stdlib.h>
#include <unistd.h>
#include <math.h>

static char pcap_path[256];

static int have_tshark(void)
{
    return system("tshark --version >/dev/null 2>&1") == 0;
}

/* runs tshark on pcap_path with args; the output goes to out (NUL-terminated) */
static int tshark(const char *args, char *out, size_t cap)
{
    char cmd[2048];
    FILE *p;
    size_t n;
    snprintf(cmd, sizeof cmd, "tshark -r %s %s 2>/dev/null", pcap_path, args);
    p = popen(cmd, "r");
    if (!p) return -1;
    n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    return pclose(p) == 0 ? 0 : -1;
}

/* the idx-th line of text (0-based) copied into line */
static int line_at(const char *text, int idx, char *line, size_t cap)
{
    const char *s = text, *e;
    while (idx-- > 0) {
        s = strchr(s, '\n');
        if (!s) return -1;
        s++;
    }
    e = strchr(s, '\n');
    if (!e) e = s + strlen(s);
    if ((size_t)(e - s) >= cap) return -1;
    memcpy(line, s, (size_t)(e - s));
    line[e - s] = 0;
    return 0;
}

static const uint8_t payload[160] = { 0xFF, 0xFE, 0x7F, 0x00, 0x80 };

static void test_rtp_fields_as_tshark_reads_them(void)
{
    static char out[65536];
    char line[1024], want[1024];
    uint8_t b[600], ext[64];
    media_rtp_packet p;
    media_rtp_ext_element el[2];
    uint16_t prof;
    FILE *f;
    int n, i;
    if (!have_tshark()) TEST_SKIP("tshark not installed");
    f = fopen(pcap_path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    pcap_begin(f);
    /* 1: bare header, marker, sequence and timestamp just before their wraps */
    memset(&p, 0, sizeof p);
    p.marker = 1; p.seq = 65535; p.timestamp = 0xFFFFFF00u; p.ssrc = 0xDEADBEEFu; p.payload = payload; p.payload_len = 160;
    n = media_rtp_write(b, sizeof b, &p); pcap_udp(f, 1000000, 40000, 5004, b, (size_t)n);
    /* 2: three CSRCs, PCMA */
    p.marker = 0; p.seq = 0; p.payload_type = 8; p.csrc_count = 3; p.csrc[0] = 1; p.csrc[1] = 2; p.csrc[2] = 0xFFFFFFFFu;
    n = media_rtp_write(b, sizeof b, &p); pcap_udp(f, 1020000, 40000, 5004, b, (size_t)n);
    /* 3: one-byte extension (ids 1 and 5) and 7 bytes of padding */
    el[0].id = 1; el[0].len = 1; el[0].data = payload;
    el[1].id = 5; el[1].len = 4; el[1].data = payload + 1;
    p.csrc_count = 0; p.seq = 1; p.has_extension = 1; p.ext = ext; p.padding = 7;
    p.ext_len = (size_t)media_rtp_ext_write(ext, sizeof ext, &prof, el, 2); p.ext_profile = prof;
    n = media_rtp_write(b, sizeof b, &p); pcap_udp(f, 1040000, 40000, 5004, b, (size_t)n);
    /* 4: two-byte extension: id 200 with 17 bytes */
    el[0].id = 200; el[0].len = 17; el[0].data = payload;
    p.seq = 2; p.padding = 0;
    p.ext_len = (size_t)media_rtp_ext_write(ext, sizeof ext, &prof, el, 1); p.ext_profile = prof;
    n = media_rtp_write(b, sizeof b, &p); pcap_udp(f, 1060000, 40000, 5004, b, (size_t)n);
    fclose(f);
    CHECK_EQ_INT(tshark("-d udp.port==5004,rtp -T fields -E separator='|' -E occurrence=a -E aggregator=, "
                        "-e rtp.version -e rtp.padding -e rtp.ext -e rtp.cc -e rtp.marker -e rtp.p_type -e rtp.seq "
                        "-e rtp.timestamp -e rtp.ssrc -e rtp.csrc.item -e rtp.ext.profile -e rtp.ext.len "
                        "-e rtp.ext.rfc5285.id -e rtp.ext.rfc5285.len -e rtp.ext.rfc5285.data -e rtp.padding.count "
                        "-e _ws.malformed -e _ws.expert", out, sizeof out), 0);
    {
        /* version|P|X|CC|M|PT|seq|ts|ssrc|csrcs|profile|ext words|ids|lens|data|pad count|malformed|expert */
        static const char *expect[4] = {
            "2|0|0|0|1|0|65535|4294967040|0xdeadbeef|||||||||",
            "2|0|0|3|0|8|0|4294967040|0xdeadbeef|0x00000001,0x00000002,0xffffffff||||||||",
            "2|1|1|0|0|8|1|4294967040|0xdeadbeef||0xbede|2|1,5|1,4|ff,fe7f0080|7||",
            "2|0|1|0|0|8|2|4294967040|0xdeadbeef||0x1000|5|200|17|fffe7f0080000000000000000000000000|||",
        };
        for (i = 0; i < 4; i++) {
            CHECK(line_at(out, i, line, sizeof line) == 0);
            snprintf(want, sizeof want, "%s", expect[i]);
            CHECKF(strcmp(line, want) == 0, "packet %d: tshark read\n    %s\n  expected\n    %s", i + 1, line, want);
        }
    }
}

static void test_rtcp_fields_as_tshark_reads_them(void)
{
    static char out[65536];
    static char want[16384];
    char line[16384];
    uint8_t b[2048];
    media_rtcp_report_block bl[40];
    media_rtcp_report r;
    uint32_t bye = 0x5555;
    FILE *f;
    int n, m, i;
    size_t w;
    if (!have_tshark()) TEST_SKIP("tshark not installed");
    for (i = 0; i < 40; i++) {
        memset(&bl[i], 0, sizeof bl[i]);
        bl[i].ssrc = 1000u + (uint32_t)i; bl[i].fraction_lost = (uint8_t)(i * 6); bl[i].cumulative_lost = i - 20;
        bl[i].highest_seq = 70000u + (uint32_t)i; bl[i].jitter = 3u * (uint32_t)i;
        bl[i].lsr = 0xB7050000u + (uint32_t)i; bl[i].dlsr = (uint32_t)i << 8;
    }
    f = fopen(pcap_path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    pcap_begin(f);
    memset(&r, 0, sizeof r);
    r.ssrc = 0xCAFE; r.is_sender = 1; r.ntp = ((uint64_t)0xE95F2A01u << 32) | 0x80000000u; r.rtp_timestamp = 12345;
    r.packet_count = 50; r.octet_count = 8000; r.blocks = bl; r.block_count = 2; r.cname = "user@host";
    n = media_rtcp_report_write(b, sizeof b, &r); pcap_udp(f, 1000000, 40001, 5005, b, (size_t)n);
    r.is_sender = 0; r.block_count = 0;
    n = media_rtcp_report_write(b, sizeof b, &r);
    m = media_rtcp_bye_write(b + n, sizeof b - (size_t)n, &bye, 1, "hangup");
    pcap_udp(f, 2000000, 40001, 5005, b, (size_t)(n + m));
    r.block_count = 40;
    n = media_rtcp_report_write(b, sizeof b, &r); pcap_udp(f, 3000000, 40001, 5005, b, (size_t)n);
    fclose(f);
    CHECK_EQ_INT(tshark("-d udp.port==5005,rtcp -T fields -E separator='|' -E occurrence=a -E aggregator=, "
                        "-e rtcp.pt -e rtcp.rc -e rtcp.senderssrc -e rtcp.timestamp.ntp.msw -e rtcp.timestamp.ntp.lsw "
                        "-e rtcp.timestamp.rtp -e rtcp.sender.packetcount -e rtcp.sender.octetcount "
                        "-e rtcp.ssrc.identifier -e rtcp.ssrc.fraction -e rtcp.ssrc.cum_nr -e rtcp.ssrc.ext_high "
                        "-e rtcp.ssrc.jitter -e rtcp.ssrc.lsr -e rtcp.ssrc.dlsr -e rtcp.sdes.type -e rtcp.sdes.text "
                        "-e rtcp.length_check.bad -e _ws.malformed -e _ws.expert", out, sizeof out), 0);
    /* SR + SDES: two blocks, then the SDES chunk's SSRC in the identifier list */
    CHECK(line_at(out, 0, line, sizeof line) == 0);
    snprintf(want, sizeof want, "200,202|2|0x0000cafe|%u|%u|12345|50|8000|0x000003e8,0x000003e9,0x0000cafe|0,6|-20,-19|"
             "70000,70001|0,3|%u,%u|0,256|1,0|user@host|||", 0xE95F2A01u, 0x80000000u, 0xB7050000u, 0xB7050001u);
    CHECKF(strcmp(line, want) == 0, "SR compound: tshark read\n    %s\n  expected\n    %s", line, want);
    /* RR + SDES + BYE with its reason (tshark shows the reason among the texts) */
    CHECK(line_at(out, 1, line, sizeof line) == 0);
    CHECKF(strcmp(line, "201,202,203|0|0x0000cafe||||||0x0000cafe,0x00005555|||||||1,0|user@host,hangup|||") == 0,
           "RR+BYE compound: tshark read\n    %s", line);
    /* 40 blocks: RR with 31, RR with 9, SDES */
    CHECK(line_at(out, 2, line, sizeof line) == 0);
    w = (size_t)snprintf(want, sizeof want, "201,201,202|31,9|0x0000cafe,0x0000cafe||||||");
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "0x%08x,", 1000u + (unsigned)i);
    w += (size_t)snprintf(want + w, sizeof want - w, "0x0000cafe|");
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "%d%c", i * 6, i < 39 ? ',' : '|');
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "%d%c", i - 20, i < 39 ? ',' : '|');
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "%d%c", 70000 + i, i < 39 ? ',' : '|');
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "%d%c", 3 * i, i < 39 ? ',' : '|');
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "%u%c", 0xB7050000u + (unsigned)i, i < 39 ? ',' : '|');
    for (i = 0; i < 40; i++) w += (size_t)snprintf(want + w, sizeof want - w, "%d%c", i << 8, i < 39 ? ',' : '|');
    snprintf(want + w, sizeof want - w, "1,0|user@host|||");
    CHECKF(strcmp(line, want) == 0, "40-block compound: tshark read\n    %s\n  expected\n    %s", line, want);
}

typedef struct { uint64_t t; uint16_t seq; uint32_t ts; } arrival;
static int by_time(const void *a, const void *b)
{
    const arrival *x = (const arrival *)a, *y = (const arrival *)b;
    return x->t < y->t ? -1 : x->t > y->t;
}

static void test_stream_statistics_agree_with_tshark(void)
{
    enum { N = 3000 };
    static arrival ev[N + 100];
    static char out[8192];
    uint8_t b[200];
    media_rtp_packet p;
    media_rtp_stats st;
    int n = 0, i, sent_lost = 0, dups = 0, updates = 0;
    double jsum = 0, jmax = 0, t_pkts = -1, t_lost = -1, t_mean = -1, t_max = -1;
    FILE *f;
    char *row;
    if (!have_tshark()) TEST_SKIP("tshark not installed");
    harness_seed(2024);
    /* 20 ms PCMU, network delay 0-30 ms (so neighbours overtake each other),
       2 % lost, 0.5 % duplicated 3 ms later; the first and last packets get a
       fixed delay beyond the jitter so the stream starts and ends in order */
    for (i = 0; i < N; i++) {
        uint32_t r = harness_rand();
        int edge = i < 5 || i >= N - 5;
        if (!edge && r % 50 == 0) { sent_lost++; continue; }
        ev[n].t = 10000000ull + 20000ull * (uint64_t)i + (edge ? 35000u : (r >> 8) % 30000u);
        ev[n].seq = (uint16_t)(64000 + i);   /* wraps at 65536 */
        ev[n].ts = 0xFFFF0000u + 160u * (uint32_t)i;
        n++;
        if (!edge && (r >> 4) % 200 == 0) { ev[n] = ev[n - 1]; ev[n].t += 3000; n++; dups++; }
    }
    qsort(ev, (size_t)n, sizeof ev[0], by_time);
    f = fopen(pcap_path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    pcap_begin(f);
    media_rtp_stats_init(&st, 8000);
    for (i = 0; i < n; i++) {
        int len;
        memset(&p, 0, sizeof p);
        p.seq = ev[i].seq; p.timestamp = ev[i].ts; p.ssrc = 0x1234; p.payload = payload; p.payload_len = 160;
        len = media_rtp_write(b, sizeof b, &p);
        pcap_udp(f, ev[i].t, 40000, 5004, b, (size_t)len);
        media_rtp_stats_update(&st, &p, ev[i].t);
        if (i > 0) {
            double j = media_rtp_stats_jitter_ms(&st);
            jsum += j;
            if (j > jmax) jmax = j;
            updates++;
        }
    }
    fclose(f);
    /* ground truth: RFC 3550 lost = expected - received, duplicates offsetting */
    CHECK_EQ_INT(st.packets, n);
    CHECK_EQ_INT(media_rtp_stats_lost(&st), sent_lost - dups);
    CHECK_EQ_INT(st.duplicates, dups);
    CHECK_EQ_INT(media_rtp_stats_ext_max(&st), 64000u + N - 1);   /* one wrap: 65536 + 1463 */
    CHECK_EQ_INT(tshark("-q -d udp.port==5004,rtp -z rtp,streams", out, sizeof out), 0);
    row = strstr(out, "0x00001234");
    CHECK(row != NULL);
    if (!row) return;
    /* ... SSRC Payload Pkts Lost (x%) MinDelta MeanDelta MaxDelta MinJitter MeanJitter MaxJitter */
    {
        char payload_name[32], pct[32];
        double mind, meand, maxd, minj;
        int k = sscanf(row, "0x%*x %31s %lf %lf %31s %lf %lf %lf %lf %lf %lf", payload_name, &t_pkts, &t_lost, pct,
                       &mind, &meand, &maxd, &minj, &t_mean, &t_max);
        CHECKF(k == 10, "could not read tshark's stream row: %s", row);
    }
    printf("  tshark: %.0f packets, %.0f lost, jitter mean %.3f max %.3f ms\n", t_pkts, t_lost, t_mean, t_max);
    printf("  ours:   %d packets, %lld lost, jitter mean %.3f max %.3f ms (%d sent lost, %d duplicated)\n", n,
           (long long)media_rtp_stats_lost(&st), jsum / updates, jmax, sent_lost, dups);
    CHECK_EQ_INT((long long)t_pkts, n);
    CHECK_EQ_INT((long long)t_lost, media_rtp_stats_lost(&st));
    CHECK(fabs(t_mean - jsum / updates) <= 0.01 * t_mean + 0.002);
    CHECK(fabs(t_max - jmax) <= 0.01 * t_max + 0.002);
    CHECK(t_mean > 5.0);  /* the stream really was jittery */
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(pcap_path, sizeof pcap_path, "%s/media_tshark_%ld.pcap", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    RUN(test_rtp_fields_as_tshark_reads_them);
    RUN(test_rtcp_fields_as_tshark_reads_them);
    RUN(test_stream_statistics_agree_with_tshark);
    remove(pcap_path);
    return harness_summary();
}
