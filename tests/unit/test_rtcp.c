/* Compound RTCP (RFC 3550 6.4-6.6, A.2 validation) and NTP helpers. The
   compounds below are written byte by byte from the RFC's packet layouts. */
#include "../../media.h"
#include "../harness.h"

/* SR (SSRC 0x11223344, one report block) + SDES (CNAME "a@b", NAME "Al") */
static const uint8_t sr_sdes[] = {
    /* SR: V=2 P=0 RC=1, PT=200, length 12 words */
    0x81, 200, 0x00, 0x0C, 0x11, 0x22, 0x33, 0x44,
    0xE9, 0x5F, 0x2A, 0x00, 0x80, 0x00, 0x00, 0x00,   /* NTP 0xE95F2A00.80000000 */
    0x00, 0x01, 0x86, 0xA0,                           /* RTP ts 100000 */
    0x00, 0x00, 0x03, 0xE8, 0x00, 0x02, 0x71, 0x00,   /* 1000 packets, 160000 octets */
    /* report block about 0xAABBCCDD: fraction 25, cumulative -2, ext seq 0x0001FFFF,
       jitter 37, LSR 0xB7052000, DLSR 0x00054000 */
    0xAA, 0xBB, 0xCC, 0xDD, 25, 0xFF, 0xFF, 0xFE,
    0x00, 0x01, 0xFF, 0xFF, 0x00, 0x00, 0x00, 37,
    0xB7, 0x05, 0x20, 0x00, 0x00, 0x05, 0x40, 0x00,
    /* SDES: SC=1, PT=202, length 4 words: SSRC, CNAME(3) "a@b", NAME(2) "Al", END */
    0x81, 202, 0x00, 0x04, 0x11, 0x22, 0x33, 0x44,
    0x01, 0x03, 'a', '@', 'b', 0x02, 0x02, 'A',
    'l', 0x00, 0x00, 0x00
};

static void test_sr_sdes(void)
{
    media_rtcp c;
    const media_rtcp_packet *sr, *sd;
    const media_rtcp_report_block *rb;
    CHECK_EQ_INT(media_rtcp_parse(&c, sr_sdes, sizeof sr_sdes, 0), 2);
    sr = &c.packets[0];
    sd = &c.packets[1];
    CHECK_EQ_INT(sr->type, MEDIA_RTCP_SR);
    CHECK_EQ_INT(sr->ssrc, 0x11223344u);
    CHECK(sr->ntp == 0xE95F2A0080000000ull);
    CHECK_EQ_INT(sr->rtp_timestamp, 100000);
    CHECK_EQ_INT(sr->packet_count, 1000);
    CHECK_EQ_INT(sr->octet_count, 160000);
    CHECK_EQ_INT(sr->size, 52);
    CHECK_EQ_INT(sr->n, 1);
    rb = &c.reports[sr->first];
    CHECK_EQ_INT(rb->ssrc, 0xAABBCCDDu);
    CHECK_EQ_INT(rb->fraction_lost, 25);
    CHECK_EQ_INT(rb->cumulative_lost, -2);
    CHECK_EQ_INT(rb->highest_seq, 0x1FFFF);
    CHECK_EQ_INT(rb->jitter, 37);
    CHECK_EQ_INT(rb->lsr, 0xB7052000u);
    CHECK_EQ_INT(rb->dlsr, 0x54000);
    CHECK_EQ_INT(sd->type, MEDIA_RTCP_SDES);
    CHECK_EQ_INT(sd->n, 1);
    CHECK_EQ_INT(c.chunks[sd->first].ssrc, 0x11223344u);
    CHECK_EQ_INT(c.chunks[sd->first].item_count, 2);
    CHECK_EQ_INT(c.items[0].type, MEDIA_SDES_CNAME);
    CHECK(c.items[0].len == 3 && memcmp(c.items[0].text, "a@b", 3) == 0);
    CHECK_EQ_INT(c.items[1].type, MEDIA_SDES_NAME);
    CHECK(c.items[1].len == 2 && memcmp(c.items[1].text, "Al", 2) == 0);
    CHECK_EQ_INT(c.omitted, 0);
}

static void test_rr_bye_app_and_unknown(void)
{
    static const uint8_t v[] = {
        /* RR, no blocks */
        0x80, 201, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,
        /* XR (207), unknown here: kept raw */
        0x80, 207, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF,
        /* APP subtype 3, name "TEST", 4 data bytes */
        0x83, 204, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 'T', 'E', 'S', 'T', 1, 2, 3, 4,
        /* BYE two SSRCs, reason "gone" (length 4 + 3 zero fill) */
        0x82, 203, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        0x04, 'g', 'o', 'n', 'e', 0, 0, 0
    };
    media_rtcp c;
    CHECK_EQ_INT(media_rtcp_parse(&c, v, sizeof v, 0), 4);
    CHECK_EQ_INT(c.packets[0].type, MEDIA_RTCP_RR);
    CHECK_EQ_INT(c.packets[0].n, 0);
    CHECK_EQ_INT(c.packets[1].type, 207);
    CHECK(c.packets[1].data == v + 8 && c.packets[1].size == 12);
    CHECK_EQ_INT(c.packets[2].type, MEDIA_RTCP_APP);
    CHECK_EQ_INT(c.packets[2].count, 3);
    CHECK(strcmp(c.packets[2].name, "TEST") == 0);
    CHECK(c.packets[2].app_len == 4 && c.packets[2].app_data[3] == 4);
    CHECK_EQ_INT(c.packets[3].type, MEDIA_RTCP_BYE);
    CHECK_EQ_INT(c.packets[3].n, 2);
    CHECK_EQ_INT(c.bye_ssrcs[0], 0x01020304u);
    CHECK_EQ_INT(c.bye_ssrcs[1], 0x05060708u);
    CHECK(c.packets[3].reason_len == 4 && memcmp(c.packets[3].reason, "gone", 4) == 0);
}

static void test_sdes_all_item_types(void)
{
    static const uint8_t v[] = {
        0x80, 201, 0x00, 0x01, 0, 0, 0, 1,
        /* SDES two chunks: chunk 1 has every item type 1..8 */
        0x82, 202, 0x00, 0x0B,
        0x00, 0x00, 0x00, 0x09,
        1, 1, 'c', 2, 1, 'n', 3, 1, 'e', 4, 1, 'p', 5, 1, 'l', 6, 1, 't', 7, 1, 'o',
        8, 4, 2, 'x', 'y', 'v', 0,                         /* PRIV: prefix "xy", value "v"; END at a word's last byte */
        0x00, 0x00, 0x00, 0x0A, 1, 2, 'h', 'i', 0, 0, 0, 0  /* chunk 2: CNAME "hi" */
    };
    media_rtcp c;
    int i;
    CHECK_EQ_INT(media_rtcp_parse(&c, v, sizeof v, 0), 2);
    CHECK_EQ_INT(c.packets[1].n, 2);
    CHECK_EQ_INT(c.chunk_count, 2);
    CHECK_EQ_INT(c.chunks[0].item_count, 8);
    for (i = 0; i < 8; i++) CHECK_EQ_INT(c.items[i].type, i + 1);
    CHECK(c.items[7].len == 4 && c.items[7].text[0] == 2 && c.items[7].text[3] == 'v');
    CHECK_EQ_INT(c.chunks[1].ssrc, 10);
    CHECK_EQ_INT(c.chunks[1].item_count, 1);
    CHECK(memcmp(c.items[c.chunks[1].first_item].text, "hi", 2) == 0);
}

/* field by field: the struct has padding after fraction_lost */
static int same_block(const media_rtcp_report_block *a, const media_rtcp_report_block *b)
{
    return a->ssrc == b->ssrc && a->fraction_lost == b->fraction_lost && a->cumulative_lost == b->cumulative_lost &&
           a->highest_seq == b->highest_seq && a->jitter == b->jitter && a->lsr == b->lsr && a->dlsr == b->dlsr;
}

static int parse_copy(const uint8_t *v, size_t len, unsigned flags)
{
    media_rtcp c;
    uint8_t *b = (uint8_t *)malloc(len ? len : 1);
    int r;
    if (len) memcpy(b, v, len);
    r = media_rtcp_parse(&c, b, len, flags);
    free(b);
    return r;
}

static void test_validation(void)
{
    uint8_t v[128];
    size_t len;
    /* truncations of a valid compound are refused (lengths stop adding up),
       except the one that ends exactly after the SR: that is a compound itself */
    for (len = 0; len < sizeof sr_sdes; len++)
        CHECKF(parse_copy(sr_sdes, len, 0) == (len == 52 ? 1 : MEDIA_EPARSE), "prefix %d", (int)len);
    /* first packet must be SR or RR, unless reduced-size RTCP is allowed */
    memcpy(v, sr_sdes + 52, 20);
    CHECK_EQ_INT(parse_copy(v, 20, 0), MEDIA_EPARSE);
    CHECK_EQ_INT(parse_copy(v, 20, MEDIA_RTCP_REDUCED_SIZE), 1);
    {
        /* one corrupted byte of the SR + SDES compound, each malformed per A.2 */
        static const struct { int at; uint8_t value; const char *what; } bad[] = {
            { 52, 0x41, "version 1 in the second packet" },
            { 55, 5, "length field past the end of the datagram" },
            { 0, 0xA1, "padding bit on the first of two packets" },
            { 0, 0x82, "SR whose RC promises more blocks than its length holds" },
            { (int)sizeof sr_sdes - 1, 1, "non-zero byte in the SDES END fill" },
            { 61, 40, "SDES item longer than its packet" },
            { 52, 0x82, "fewer SDES chunks than SC announces" },
        };
        size_t k;
        for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            memcpy(v, sr_sdes, sizeof sr_sdes);
            v[bad[k].at] = bad[k].value;
            CHECKF(parse_copy(v, sizeof sr_sdes, 0) == MEDIA_EPARSE, "accepted: %s", bad[k].what);
        }
    }
    /* not a multiple of 4 */
    CHECK_EQ_INT(parse_copy(sr_sdes, sizeof sr_sdes - 2, 0), MEDIA_EPARSE);
    {
        /* RR + BYE with a reason length past its packet; then with SC past the end */
        uint8_t b[] = { 0x80, 201, 0, 1, 0, 0, 0, 1, 0x81, 203, 0, 2, 0, 0, 0, 2, 9, 'x', 0, 0 };
        CHECK_EQ_INT(parse_copy(b, sizeof b, 0), MEDIA_EPARSE);
        b[16] = 3;
        CHECK_EQ_INT(parse_copy(b, sizeof b, 0), 2);
        b[8] = 0x85;
        CHECK_EQ_INT(parse_copy(b, sizeof b, 0), MEDIA_EPARSE);
    }
    {
        /* APP shorter than its name; padding count 0 and larger than the packet */
        uint8_t a[] = { 0x80, 201, 0, 1, 0, 0, 0, 1, 0x80, 204, 0, 1, 0, 0, 0, 1 };
        uint8_t p[] = { 0xA0, 201, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4 };
        CHECK_EQ_INT(parse_copy(a, sizeof a, 0), MEDIA_EPARSE);
        CHECK_EQ_INT(parse_copy(p, sizeof p, 0), 1);
        p[11] = 0;
        CHECK_EQ_INT(parse_copy(p, sizeof p, 0), MEDIA_EPARSE);
        p[11] = 12;
        CHECK_EQ_INT(parse_copy(p, sizeof p, 0), MEDIA_EPARSE);
    }
}

/* RR(1 word) + one SDES packet made of the given words: each must be refused */
static void test_malformed_sdes_forms(void)
{
    static const struct { uint8_t b[16]; size_t n; const char *what; } bad[] = {
        { { 0x81, 202, 0, 2, 0, 0, 0, 9, 1, 2, 'a', 'b' }, 12, "no END item before the packet ends" },
        { { 0xA1, 202, 0, 2, 0, 0, 0, 9, 1, 0, 0, 1 }, 12, "END whose zero fill runs into the padding" },
        { { 0x81, 202, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0 }, 12, "SC promises a chunk but the packet has one (ok)" },
        { { 0x81, 202, 0, 3, 0, 0, 0, 9, 8, 2, 5, 'x', 0, 0, 0, 0 }, 16, "PRIV prefix longer than the item" },
        { { 0x81, 202, 0, 2, 0, 0, 0, 9, 8, 0, 0, 0 }, 12, "PRIV item without its prefix length" },
        { { 0x81, 202, 0, 3, 0, 0, 0, 9, 0, 0, 0, 0, 7, 7, 7, 7 }, 16, "bytes after the last chunk" },
        { { 0x82, 202, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0 }, 12, "SC of 2 with room for one chunk" },
    };
    uint8_t v[64];
    size_t k;
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        static const uint8_t rr[8] = { 0x80, 201, 0, 1, 0, 0, 0, 1 };
        int want = k == 2 ? 2 : MEDIA_EPARSE;   /* entry 2 is the one valid control case */
        memcpy(v, rr, 8);
        memcpy(v + 8, bad[k].b, bad[k].n);
        CHECKF(parse_copy(v, 8 + bad[k].n, 0) == want, "%s", bad[k].what);
    }
    {
        /* an item whose 2-byte header is cut by the packet end: 0x01 alone at the end */
        static const uint8_t cut[] = { 0x80, 201, 0, 1, 0, 0, 0, 1, 0x81, 202, 0, 1, 0, 0, 0, 9 };
        uint8_t w[20];
        memcpy(w, cut, sizeof cut);
        CHECK_EQ_INT(parse_copy(w, sizeof cut, 0), MEDIA_EPARSE);  /* chunk with no items and no END */
    }
}

static void test_rr_bye_edge_forms(void)
{
    static uint8_t v[512];
    media_rtcp c;
    size_t n;
    int i;
    /* RR whose RC (2) needs 56 bytes but has 32 */
    static const uint8_t rr[32] = { 0x82, 201, 0, 7 };
    CHECK_EQ_INT(parse_copy(rr, sizeof rr, 0), MEDIA_EPARSE);
    /* RR + BYE without a reason + BYE with 31 SSRCs: 32 > MEDIA_RTCP_MAX_BYE_SSRCS */
    memset(v, 0, sizeof v);
    v[0] = 0x80; v[1] = 201; v[3] = 1;
    v[8] = 0x81; v[9] = 203; v[11] = 1; v[15] = 77;
    n = 16;
    v[n] = 0x80 | 31; v[n + 1] = 203; v[n + 3] = 31;
    for (i = 0; i < 31; i++) v[n + 4 + 4 * i + 3] = (uint8_t)(100 + i);
    n += 4 + 31 * 4;
    CHECK_EQ_INT(media_rtcp_parse(&c, v, n, 0), 3);
    CHECK_EQ_INT(c.packets[1].reason_len, 0);
    CHECK(c.packets[1].reason != NULL && c.packets[1].reason[0] == 0);
    CHECK_EQ_INT(c.bye_ssrcs[c.packets[1].first], 77);
    CHECK_EQ_INT(c.bye_count, MEDIA_RTCP_MAX_BYE_SSRCS);
    CHECK_EQ_INT(c.packets[2].n, MEDIA_RTCP_MAX_BYE_SSRCS - 1);
    CHECK_EQ_INT(c.omitted, 32 - MEDIA_RTCP_MAX_BYE_SSRCS);
}

static void test_writers_refuse_impossible_input(void)
{
    media_rtcp_report r;
    uint8_t buf[2048];
    char long_name[300];
    uint32_t ssrcs[32] = { 1 };
    memset(&r, 0, sizeof r);
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    r.cname = long_name;   /* an SDES item holds at most 255 bytes */
    CHECK_EQ_INT(media_rtcp_report_write(buf, sizeof buf, &r), MEDIA_EINVAL);
    r.cname = NULL;
    r.block_count = 3;     /* blocks missing */
    CHECK_EQ_INT(media_rtcp_report_write(buf, sizeof buf, &r), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtcp_report_write(NULL, sizeof buf, &r), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtcp_bye_write(buf, sizeof buf, ssrcs, 32, NULL), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtcp_bye_write(buf, sizeof buf, ssrcs, 0, NULL), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtcp_bye_write(buf, sizeof buf, ssrcs, 1, long_name), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtcp_parse(NULL, buf, 8, 0), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtcp_rtt_us(NULL, 0, NULL), MEDIA_EINVAL);
}

static void test_capacity_is_counted_not_overrun(void)
{
    /* three RRs of 31 blocks = 93 blocks > MEDIA_RTCP_MAX_REPORTS (64) */
    static uint8_t v[3 * (8 + 31 * 24)];
    media_rtcp c;
    size_t off = 0;
    int k, i;
    for (k = 0; k < 3; k++) {
        v[off] = 0x80 | 31; v[off + 1] = 201; v[off + 2] = 0; v[off + 3] = (uint8_t)(1 + 31 * 6);
        memset(v + off + 4, 0, 4 + 31 * 24);
        for (i = 0; i < 31; i++) v[off + 8 + 24 * i + 3] = (uint8_t)(k * 31 + i);
        off += 8 + 31 * 24;
    }
    CHECK_EQ_INT(media_rtcp_parse(&c, v, off, 0), 3);
    CHECK_EQ_INT(c.report_count, MEDIA_RTCP_MAX_REPORTS);
    CHECK_EQ_INT(c.omitted, 93 - MEDIA_RTCP_MAX_REPORTS);
    CHECK_EQ_INT(c.reports[63].ssrc, 63);
    CHECK_EQ_INT(c.packets[2].n, 64 - 62);
}

/* appends an SDES packet of sc chunks, each with items CNAME items of 2 bytes */
static size_t sdes_packet(uint8_t *p, int sc, int items, uint32_t first_ssrc)
{
    size_t off = 4;
    int k, i;
    for (k = 0; k < sc; k++) {
        p[off] = 0; p[off + 1] = 0; p[off + 2] = (uint8_t)((first_ssrc + (uint32_t)k) >> 8); p[off + 3] = (uint8_t)(first_ssrc + (uint32_t)k);
        off += 4;
        for (i = 0; i < items; i++) { p[off] = 1; p[off + 1] = 2; p[off + 2] = 'a'; p[off + 3] = (uint8_t)('a' + i % 26); off += 4; }
        p[off] = p[off + 1] = p[off + 2] = p[off + 3] = 0;   /* END and fill */
        off += 4;
    }
    p[0] = (uint8_t)(0x80 | sc); p[1] = 202; p[2] = (uint8_t)((off / 4 - 1) >> 8); p[3] = (uint8_t)(off / 4 - 1);
    return off;
}

static void test_sdes_beyond_capacity_is_counted(void)
{
    static uint8_t v[4096];
    media_rtcp c;
    size_t n;
    /* RR, then SDES with 31 chunks and SDES with 2 more: 33 chunks > 31 kept */
    memset(v, 0, sizeof v);
    v[0] = 0x80; v[1] = 201; v[3] = 1; v[7] = 1;
    n = 8;
    n += sdes_packet(v + n, 31, 1, 100);
    n += sdes_packet(v + n, 2, 1, 200);
    CHECK_EQ_INT(media_rtcp_parse(&c, v, n, 0), 3);
    CHECK_EQ_INT(c.chunk_count, MEDIA_RTCP_MAX_SDES_CHUNKS);
    CHECK_EQ_INT(c.item_count, MEDIA_RTCP_MAX_SDES_CHUNKS);
    CHECK_EQ_INT(c.omitted, 2 + 2);   /* two chunks and their items */
    CHECK_EQ_INT(c.packets[2].n, MEDIA_RTCP_MAX_SDES_CHUNKS - 31);
    /* one chunk with 40 items: 32 kept */
    n = 8 + sdes_packet(v + 8, 1, 40, 300);
    CHECK_EQ_INT(media_rtcp_parse(&c, v, n, 0), 2);
    CHECK_EQ_INT(c.item_count, MEDIA_RTCP_MAX_SDES_ITEMS);
    CHECK_EQ_INT(c.chunks[0].item_count, MEDIA_RTCP_MAX_SDES_ITEMS);
    CHECK_EQ_INT(c.omitted, 40 - MEDIA_RTCP_MAX_SDES_ITEMS);
}

static void test_packets_beyond_capacity_keep_nothing(void)
{
    /* MEDIA_RTCP_MAX_PACKETS + 2 RRs with one block each: the last two are
       validated and counted, and their blocks take no room */
    static uint8_t v[(MEDIA_RTCP_MAX_PACKETS + 2) * 32];
    media_rtcp c;
    int k, total = MEDIA_RTCP_MAX_PACKETS + 2;
    memset(v, 0, sizeof v);
    for (k = 0; k < total; k++) {
        uint8_t *p = v + 32 * k;
        p[0] = 0x81; p[1] = 201; p[3] = 7; p[7] = (uint8_t)k; p[11] = (uint8_t)(100 + k);
    }
    CHECK_EQ_INT(media_rtcp_parse(&c, v, sizeof v, 0), MEDIA_RTCP_MAX_PACKETS);
    CHECK_EQ_INT(c.report_count, MEDIA_RTCP_MAX_PACKETS);
    CHECK_EQ_INT(c.omitted, 4);  /* two packets and their two blocks */
    CHECK_EQ_INT(c.reports[MEDIA_RTCP_MAX_PACKETS - 1].ssrc, 100 + MEDIA_RTCP_MAX_PACKETS - 1);
    v[sizeof v - 32] = 0x41;     /* a malformed packet beyond capacity still fails the compound */
    CHECK_EQ_INT(media_rtcp_parse(&c, v, sizeof v, 0), MEDIA_EPARSE);
}

static void test_write_report_round_trip(void)
{
    media_rtcp_report_block blocks[40], *b;
    media_rtcp_report r;
    media_rtcp c;
    uint8_t buf[2048];
    int n, m, i;
    size_t cap;
    uint32_t bye_ssrc = 0x5555;
    for (i = 0; i < 40; i++) {
        b = &blocks[i];
        b->ssrc = 1000u + (uint32_t)i; b->fraction_lost = (uint8_t)i; b->cumulative_lost = i - 20;
        b->highest_seq = 70000u + (uint32_t)i; b->jitter = 3u * (uint32_t)i; b->lsr = 0xB7050000u + (uint32_t)i; b->dlsr = (uint32_t)i << 8;
    }
    memset(&r, 0, sizeof r);
    r.ssrc = 0xCAFE; r.is_sender = 1; r.ntp = 0xE95F2A0080000000ull; r.rtp_timestamp = 12345;
    r.packet_count = 50; r.octet_count = 8000; r.blocks = blocks; r.block_count = 2; r.cname = "user@host";
    n = media_rtcp_report_write(buf, sizeof buf, &r);
    CHECK_EQ_INT(n, 28 + 48 + 8 + 12);  /* SR + 2 blocks + SDES(hdr, ssrc, 2+9 item + END -> 12) */
    CHECK_EQ_INT(media_rtcp_parse(&c, buf, (size_t)n, 0), 2);
    CHECK(c.packets[0].type == MEDIA_RTCP_SR && c.packets[0].ssrc == 0xCAFE && c.packets[0].ntp == r.ntp);
    CHECK(c.packets[0].rtp_timestamp == 12345 && c.packets[0].packet_count == 50 && c.packets[0].octet_count == 8000);
    CHECK_EQ_INT(c.report_count, 2);
    CHECK(same_block(&c.reports[1], &blocks[1]));
    CHECK(c.items[0].len == 9 && memcmp(c.items[0].text, "user@host", 9) == 0);
    for (cap = 0; cap < (size_t)n; cap++) CHECK_EQ_INT(media_rtcp_report_write(buf, cap, &r), MEDIA_ENOSPC);
    /* 40 blocks as a receiver: RR(31) + RR(9) + SDES; then a BYE appended */
    r.is_sender = 0; r.block_count = 40;
    n = media_rtcp_report_write(buf, sizeof buf, &r);
    CHECK_EQ_INT(n, 8 + 31 * 24 + 8 + 9 * 24 + 20);
    m = media_rtcp_bye_write(buf + n, sizeof buf - (size_t)n, &bye_ssrc, 1, "hangup");
    CHECK_EQ_INT(m, 4 + 4 + 8);
    CHECK_EQ_INT(media_rtcp_parse(&c, buf, (size_t)(n + m), 0), 4);
    CHECK_EQ_INT(c.report_count, 40);
    for (i = 0; i < 40; i++) CHECK(same_block(&c.reports[i], &blocks[i]));
    CHECK_EQ_INT(c.packets[3].type, MEDIA_RTCP_BYE);
    CHECK(c.packets[3].reason_len == 6 && memcmp(c.packets[3].reason, "hangup", 6) == 0);
    CHECK_EQ_INT(c.bye_ssrcs[0], 0x5555);
    /* no CNAME, no blocks: a bare 8-byte RR */
    r.block_count = 0; r.cname = NULL;
    CHECK_EQ_INT(media_rtcp_report_write(buf, sizeof buf, &r), 8);
    CHECK_EQ_INT(buf[0], 0x80);
    CHECK_EQ_INT(media_rtcp_bye_write(buf, 8, &bye_ssrc, 1, NULL), 8);
    CHECK_EQ_INT(media_rtcp_bye_write(buf, 7, &bye_ssrc, 1, NULL), MEDIA_ENOSPC);
}

static void test_cumulative_lost_clamp(void)
{
    media_rtcp_report_block b, out;
    media_rtcp_report r;
    media_rtcp c;
    uint8_t buf[64];
    memset(&b, 0, sizeof b);
    memset(&r, 0, sizeof r);
    r.blocks = &b; r.block_count = 1;
    b.cumulative_lost = 10000000;   /* beyond 24-bit signed: clamped to 0x7FFFFF */
    CHECK_EQ_INT(media_rtcp_report_write(buf, sizeof buf, &r), 32);
    CHECK(buf[13] == 0x7F && buf[14] == 0xFF && buf[15] == 0xFF);
    b.cumulative_lost = -10000000;  /* clamped to -0x800000 */
    media_rtcp_report_write(buf, sizeof buf, &r);
    CHECK(buf[13] == 0x80 && buf[14] == 0 && buf[15] == 0);
    CHECK_EQ_INT(media_rtcp_parse(&c, buf, 32, 0), 1);
    out = c.reports[0];
    CHECK_EQ_INT(out.cumulative_lost, -0x800000);
}

static void test_ntp_helpers(void)
{
    uint64_t ntp;
    /* 1970-01-01 is 2208988800 s after the NTP epoch (RFC 868 / RFC 5905) */
    CHECK(media_ntp_from_unix_us(0) == (uint64_t)2208988800u << 32);
    ntp = media_ntp_from_unix_us(1500000);
    CHECK(ntp == (((uint64_t)2208988801u << 32) | 0x80000000u));
    CHECK_EQ_INT(media_ntp_to_unix_us(ntp), 1500000);
    CHECK_EQ_INT(media_ntp_middle(ntp), (uint32_t)((2208988801u & 0xFFFF) << 16) | 0x8000);
    CHECK_EQ_INT(media_ntp_short_from_us(1000000), 0x10000);
    CHECK_EQ_INT(media_ntp_short_from_us(5250000), 0x54000);
    CHECK_EQ_INT(media_ntp_short_to_us(0x8000), 500000);
    {
        uint64_t us;
        for (us = 0; us < 3000000; us += 7919) CHECKF(media_ntp_to_unix_us(media_ntp_from_unix_us(us)) == us, "us %d", (int)us);
    }
    /* the wall clock is after 2020 in NTP seconds */
    CHECK((media_ntp_now() >> 32) > 2208988800u + 1577836800u);
}

static void test_rtt_rfc3550_example(void)
{
    /* RFC 3550 6.4.1, Figure 2: SR sent with LSR 0xB7052000 (46853.125 s), the
       receiver held it DLSR 0x00054000 (5.250 s), the report arrived at
       0xB7108000 (46864.500 s): RTT = 6.125 s. */
    media_rtcp_report_block rb;
    uint32_t rtt = 0;
    memset(&rb, 0, sizeof rb);
    rb.lsr = 0xB7052000u;
    rb.dlsr = 0x00054000u;
    CHECK_EQ_INT(media_rtcp_rtt_us(&rb, (uint64_t)0xB7108000u << 16, &rtt), MEDIA_OK);
    CHECK_EQ_INT(rtt, 6125000);
    rb.lsr = 0;
    CHECK_EQ_INT(media_rtcp_rtt_us(&rb, (uint64_t)0xB7108000u << 16, &rtt), MEDIA_ENOTFOUND);
    rb.lsr = 0xB7200000u;  /* "sent" after it arrived: clocks disagree */
    CHECK_EQ_INT(media_rtcp_rtt_us(&rb, (uint64_t)0xB7108000u << 16, &rtt), MEDIA_EINVAL);
}

static void test_random_compounds_round_trip(void)
{
    /* writer output always parses back to what was written */
    media_rtcp_report_block blocks[70];
    media_rtcp_report r;
    media_rtcp c;
    static uint8_t buf[4096];
    char cname[256];
    int iter, i;
    harness_seed(7);
    for (iter = 0; iter < 2000; iter++) {
        int n, k;
        memset(&r, 0, sizeof r);
        r.ssrc = harness_rand();
        r.is_sender = (int)(harness_rand() & 1);
        r.ntp = ((uint64_t)harness_rand() << 32) | harness_rand();
        r.block_count = harness_rand() % 70;
        for (i = 0; i < (int)r.block_count; i++) {
            blocks[i].ssrc = harness_rand(); blocks[i].fraction_lost = (uint8_t)harness_rand();
            blocks[i].cumulative_lost = (int32_t)(harness_rand() & 0xFFFFFF) - 0x800000;
            blocks[i].highest_seq = harness_rand(); blocks[i].jitter = harness_rand();
            blocks[i].lsr = harness_rand(); blocks[i].dlsr = harness_rand();
        }
        r.blocks = blocks;
        k = (int)(harness_rand() % 256);
        for (i = 0; i < k; i++) cname[i] = (char)('a' + harness_rand() % 26);
        cname[k] = 0;
        r.cname = cname;
        n = media_rtcp_report_write(buf, sizeof buf, &r);
        CHECK(n > 0 && (n & 3) == 0);
        if (n <= 0) continue;
        CHECK(media_rtcp_parse(&c, buf, (size_t)n, 0) >= 1);
        CHECK_EQ_INT(c.report_count, r.block_count < MEDIA_RTCP_MAX_REPORTS ? r.block_count : MEDIA_RTCP_MAX_REPORTS);
        for (i = 0; i < c.report_count; i++) CHECK(same_block(&c.reports[i], &blocks[i]));
        if (k) CHECK(c.item_count == 1 && c.items[0].len == k && memcmp(c.items[0].text, cname, (size_t)k) == 0);
    }
}

int main(void)
{
    RUN(test_sr_sdes);
    RUN(test_rr_bye_app_and_unknown);
    RUN(test_sdes_all_item_types);
    RUN(test_validation);
    RUN(test_malformed_sdes_forms);
    RUN(test_rr_bye_edge_forms);
    RUN(test_writers_refuse_impossible_input);
    RUN(test_capacity_is_counted_not_overrun);
    RUN(test_packets_beyond_capacity_keep_nothing);
    RUN(test_sdes_beyond_capacity_is_counted);
    RUN(test_write_report_round_trip);
    RUN(test_cumulative_lost_clamp);
    RUN(test_ntp_helpers);
    RUN(test_rtt_rfc3550_example);
    RUN(test_random_compounds_round_trip);
    return harness_summary();
}
