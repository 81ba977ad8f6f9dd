/* RTP header parse/write (RFC 3550 5.1) and RFC 8285 header extensions. Vectors
   are built by hand from the RFC figures; every malformed form must be refused;
   every parse runs on a heap copy of exactly len bytes, so ASan turns any read
   past len into a failure. */
#include "../../media.h"
#include "../harness.h"

/* parse from an exact-size heap copy */
static int parse_exact(media_rtp_packet *p, const uint8_t *bytes, size_t len, uint8_t **keep)
{
    uint8_t *copy = (uint8_t *)malloc(len ? len : 1);
    int r;
    if (len) memcpy(copy, bytes, len);
    r = media_rtp_parse(p, copy, len);
    if (keep) *keep = copy;
    else free(copy);
    return r;
}

static void test_minimal_packet(void)
{
    /* V=2 P=0 X=0 CC=0 | M=0 PT=0 | seq 1 | ts 160 | ssrc 0x12345678 | 4 payload bytes */
    static const uint8_t v[] = { 0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xA0,
                                 0x12, 0x34, 0x56, 0x78, 0xFF, 0xFE, 0x7F, 0x00 };
    media_rtp_packet p;
    uint8_t *buf;
    CHECK_EQ_INT(parse_exact(&p, v, sizeof v, &buf), MEDIA_OK);
    CHECK_EQ_INT(p.version, 2);
    CHECK_EQ_INT(p.marker, 0);
    CHECK_EQ_INT(p.payload_type, 0);
    CHECK_EQ_INT(p.seq, 1);
    CHECK_EQ_INT(p.timestamp, 160);
    CHECK_EQ_INT(p.ssrc, 0x12345678u);
    CHECK_EQ_INT(p.csrc_count, 0);
    CHECK_EQ_INT(p.has_extension, 0);
    CHECK_EQ_INT(p.padding, 0);
    CHECK_EQ_INT(p.payload_len, 4);
    CHECK(p.payload == buf + 12);  /* aliases, no copy */
    free(buf);
}

static void test_marker_csrc_and_high_fields(void)
{
    /* CC=2, M=1 PT=8, seq 0xFFFF, ts 0xFFFFFFFF, two CSRCs, empty payload */
    static const uint8_t v[] = { 0x82, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x01,
                                 0x80, 0x00, 0x00, 0x02 };
    media_rtp_packet p;
    CHECK_EQ_INT(parse_exact(&p, v, sizeof v, NULL), MEDIA_OK);
    CHECK_EQ_INT(p.marker, 1);
    CHECK_EQ_INT(p.payload_type, 8);
    CHECK_EQ_INT(p.seq, 0xFFFF);
    CHECK_EQ_INT(p.timestamp, 0xFFFFFFFFu);
    CHECK_EQ_INT(p.ssrc, 0xDEADBEEFu);
    CHECK_EQ_INT(p.csrc_count, 2);
    CHECK_EQ_INT(p.csrc[0], 1);
    CHECK_EQ_INT(p.csrc[1], 0x80000002u);
    CHECK_EQ_INT(p.payload_len, 0);
}

/* RFC 8285 section 4.2 figure: one-byte elements ID 1 (1 byte), ID 2 (2 bytes),
   two padding bytes, ID 3 (4 bytes). */
static const uint8_t ext_one_byte_pkt[] = {
    0x90, 0x60, 0x12, 0x34, 0x00, 0x00, 0x10, 0x00, 0xCA, 0xFE, 0xBA, 0xBE,
    0xBE, 0xDE, 0x00, 0x03,
    0x10, 0xAA, 0x21, 0xBB,
    0xBB, 0x00, 0x00, 0x33,
    0xCC, 0xCC, 0xCC, 0xCC,
    0x01, 0x02, 0x03
};

static void test_one_byte_extension(void)
{
    media_rtp_packet p;
    media_rtp_ext_element el;
    size_t pos = 0;
    uint8_t *buf;
    CHECK_EQ_INT(parse_exact(&p, ext_one_byte_pkt, sizeof ext_one_byte_pkt, &buf), MEDIA_OK);
    CHECK_EQ_INT(p.has_extension, 1);
    CHECK_EQ_INT(p.ext_profile, 0xBEDE);
    CHECK_EQ_INT(p.ext_len, 12);
    CHECK_EQ_INT(p.payload_len, 3);
    CHECK_EQ_INT(p.payload_type, 96);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(el.id, 1); CHECK_EQ_INT(el.len, 1); CHECK_EQ_INT(el.data[0], 0xAA);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(el.id, 2); CHECK_EQ_INT(el.len, 2); CHECK_EQ_INT(el.data[0], 0xBB); CHECK_EQ_INT(el.data[1], 0xBB);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(el.id, 3); CHECK_EQ_INT(el.len, 4); CHECK_EQ_INT(el.data[3], 0xCC);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 0);
    CHECK_EQ_INT(media_rtp_ext_find(&p, 2, &el), 2);
    CHECK_EQ_INT(media_rtp_ext_find(&p, 3, &el), 4);
    CHECK_EQ_INT(media_rtp_ext_find(&p, 4, &el), MEDIA_ENOTFOUND);
    free(buf);
}

static void test_two_byte_extension(void)
{
    /* RFC 8285 section 4.3 figure: ID 1 empty, ID 2 one byte, a pad, ID 3 four bytes */
    static const uint8_t v[] = {
        0x90, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x10, 0x00, 0x00, 0x03,
        0x01, 0x00, 0x02, 0x01,
        0x42, 0x00, 0x03, 0x04,
        0xD0, 0xD1, 0xD2, 0xD3
    };
    media_rtp_packet p;
    media_rtp_ext_element el;
    size_t pos = 0;
    uint8_t *buf;
    CHECK_EQ_INT(parse_exact(&p, v, sizeof v, &buf), MEDIA_OK);
    CHECK_EQ_INT(p.ext_profile, 0x1000);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(el.id, 1); CHECK_EQ_INT(el.len, 0);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(el.id, 2); CHECK_EQ_INT(el.len, 1); CHECK_EQ_INT(el.data[0], 0x42);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(el.id, 3); CHECK_EQ_INT(el.len, 4); CHECK_EQ_INT(el.data[3], 0xD3);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 0);
    CHECK_EQ_INT(p.payload_len, 0);
    free(buf);
}

static void test_extension_edge_cases(void)
{
    media_rtp_packet p;
    media_rtp_ext_element el;
    size_t pos;
    uint8_t block[8];
    memset(&p, 0, sizeof p);
    p.has_extension = 1;
    p.ext = block;
    p.ext_len = 8;
    /* ID 15 ends processing: what follows is ignored even if it looks valid */
    p.ext_profile = 0xBEDE;
    block[0] = 0x10; block[1] = 0x11; block[2] = 0xF0; block[3] = 0x20; block[4] = 0x00;
    block[5] = 0; block[6] = 0; block[7] = 0;
    pos = 0;
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 1);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), 0);
    CHECK_EQ_INT(media_rtp_ext_find(&p, 2, &el), MEDIA_ENOTFOUND);
    /* an element claiming more bytes than the block holds */
    block[0] = 0x1F;  /* ID 1, 16 bytes */
    pos = 0;
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), MEDIA_EPARSE);
    CHECK_EQ_INT(media_rtp_ext_find(&p, 1, &el), MEDIA_EPARSE);
    p.ext_profile = 0x1000;
    block[0] = 0x05; block[1] = 0x07;  /* 7 bytes, only 6 left */
    pos = 0;
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), MEDIA_EPARSE);
    block[0] = 0; block[1] = 0; block[2] = 0; block[3] = 0; block[4] = 0; block[5] = 0; block[6] = 0; block[7] = 0x09;
    pos = 0;
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), MEDIA_EPARSE);  /* ID without its length byte */
    p.ext_profile = 0x1234;  /* not RFC 8285 */
    pos = 0;
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &el), MEDIA_EUNSUPPORTED);
}

static void test_ext_write(void)
{
    static const uint8_t d4[4] = { 1, 2, 3, 4 }, d17[17] = { 9 };
    media_rtp_ext_element els[3], got;
    uint8_t block[64];
    uint16_t profile = 0;
    media_rtp_packet p;
    int n;
    size_t pos;
    els[0].id = 1; els[0].len = 1; els[0].data = d4;
    els[1].id = 14; els[1].len = 4; els[1].data = d4;
    n = media_rtp_ext_write(block, sizeof block, &profile, els, 2);
    /* one-byte form: 2 + 5 bytes, padded to 8 */
    CHECK_EQ_INT(n, 8);
    CHECK_EQ_INT(profile, 0xBEDE);
    CHECK_EQ_INT(block[0], 0x10);
    CHECK_EQ_INT(block[2], 0xE3);
    CHECK_EQ_INT(block[7], 0);
    memset(&p, 0, sizeof p);
    p.ext = block; p.ext_len = (size_t)n; p.ext_profile = profile; p.has_extension = 1;
    CHECK_EQ_INT(media_rtp_ext_find(&p, 14, &got), 4);
    CHECK(memcmp(got.data, d4, 4) == 0);
    /* a 17-byte element forces the two-byte form, as does id 15+ or an empty element */
    els[2].id = 200; els[2].len = 17; els[2].data = d17;
    n = media_rtp_ext_write(block, sizeof block, &profile, els, 3);
    CHECK_EQ_INT(profile, 0x1000);
    CHECK_EQ_INT(n, 28);  /* (2 + 1) + (2 + 4) + (2 + 17), already a multiple of 4 */
    p.ext_len = (size_t)n; p.ext_profile = profile;
    pos = 0;
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &got), 1); CHECK_EQ_INT(got.id, 1);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &got), 1); CHECK_EQ_INT(got.id, 14);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &got), 1); CHECK_EQ_INT(got.id, 200); CHECK_EQ_INT(got.len, 17);
    CHECK_EQ_INT(media_rtp_ext_next(&p, &pos, &got), 0);
    els[0].len = 0;
    n = media_rtp_ext_write(block, sizeof block, &profile, els, 1);
    CHECK_EQ_INT(n, 4); CHECK_EQ_INT(profile, 0x1000);
    /* too small, invalid id */
    els[0].len = 1;
    CHECK_EQ_INT(media_rtp_ext_write(block, 3, &profile, els, 2), MEDIA_ENOSPC);
    els[0].id = 0;
    CHECK_EQ_INT(media_rtp_ext_write(block, sizeof block, &profile, els, 1), MEDIA_EINVAL);
}

static void test_padding(void)
{
    /* P=1, 3 payload bytes then 5 padding bytes (count 5 in the last byte) */
    static const uint8_t v[] = { 0xA0, 0x00, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 1,
                                 0x11, 0x22, 0x33, 0, 0, 0, 0, 5 };
    media_rtp_packet p;
    uint8_t out[64], *buf;
    CHECK_EQ_INT(parse_exact(&p, v, sizeof v, &buf), MEDIA_OK);
    CHECK_EQ_INT(p.padding, 5);
    CHECK_EQ_INT(p.payload_len, 3);
    CHECK_EQ_INT(media_rtp_write(out, sizeof out, &p), (int)sizeof v);
    CHECK(memcmp(out, v, sizeof v) == 0);
    free(buf);
}

static void test_malformed_forms(void)
{
    uint8_t v[64];
    media_rtp_packet p;
    size_t len;
    static const uint8_t good[] = { 0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xAB };
    /* truncated header: every length below 12 */
    for (len = 0; len < 12; len++) CHECK_EQ_INT(parse_exact(&p, good, len, NULL), MEDIA_EPARSE);
    /* version 0, 1, 3 */
    memcpy(v, good, sizeof good);
    v[0] = 0x00; CHECK_EQ_INT(parse_exact(&p, v, sizeof good, NULL), MEDIA_EPARSE);
    v[0] = 0x40; CHECK_EQ_INT(parse_exact(&p, v, sizeof good, NULL), MEDIA_EPARSE);
    v[0] = 0xC0; CHECK_EQ_INT(parse_exact(&p, v, sizeof good, NULL), MEDIA_EPARSE);
    /* CSRC count past the end: CC=1 with one byte left; CC=15 with nothing */
    v[0] = 0x81; CHECK_EQ_INT(parse_exact(&p, v, 13, NULL), MEDIA_EPARSE);
    v[0] = 0x8F; CHECK_EQ_INT(parse_exact(&p, v, 12, NULL), MEDIA_EPARSE);
    v[0] = 0x81; CHECK_EQ_INT(parse_exact(&p, v, 16, NULL), MEDIA_OK);  /* exactly fits */
    /* extension header truncated, extension length past the end */
    memset(v, 0, sizeof v);
    v[0] = 0x90;
    CHECK_EQ_INT(parse_exact(&p, v, 12, NULL), MEDIA_EPARSE);
    CHECK_EQ_INT(parse_exact(&p, v, 15, NULL), MEDIA_EPARSE);
    v[14] = 0; v[15] = 2;  /* 2 words = 8 bytes */
    CHECK_EQ_INT(parse_exact(&p, v, 16 + 7, NULL), MEDIA_EPARSE);
    CHECK_EQ_INT(parse_exact(&p, v, 16 + 8, NULL), MEDIA_OK);
    v[14] = 0xFF; v[15] = 0xFF;
    CHECK_EQ_INT(parse_exact(&p, v, 64, NULL), MEDIA_EPARSE);
    /* padding count 0, larger than the payload, eating into the header */
    memset(v, 0, sizeof v);
    v[0] = 0xA0;
    v[19] = 0; CHECK_EQ_INT(parse_exact(&p, v, 20, NULL), MEDIA_EPARSE);
    v[19] = 9; CHECK_EQ_INT(parse_exact(&p, v, 20, NULL), MEDIA_EPARSE);
    v[19] = 8; CHECK_EQ_INT(parse_exact(&p, v, 20, NULL), MEDIA_OK);
    CHECK_EQ_INT(p.payload_len, 0);
    v[0] = 0xA1; v[19] = 5;  /* CC=1: header is 16, only 4 payload bytes */
    CHECK_EQ_INT(parse_exact(&p, v, 20, NULL), MEDIA_EPARSE);
    v[0] = 0xA0; v[11] = 1; CHECK_EQ_INT(parse_exact(&p, v, 12, NULL), MEDIA_EPARSE); /* count inside the header */
    CHECK_EQ_INT(media_rtp_parse(NULL, v, 20), MEDIA_EINVAL);
}

static void test_every_truncation_of_a_full_packet(void)
{
    /* CSRCs, extension, payload, padding: each strict prefix is malformed or, when
       it ends where a shorter valid packet could end, parsed within its length */
    uint8_t buf[256];
    media_rtp_packet p, q;
    uint8_t *copy;
    static const uint8_t pay[40] = { 1, 2, 3 };
    static const uint8_t ext[8] = { 0x10, 1, 0, 0, 0, 0, 0, 0 };
    int n, len;
    memset(&p, 0, sizeof p);
    p.csrc_count = 3; p.csrc[0] = 1; p.csrc[1] = 2; p.csrc[2] = 3;
    p.has_extension = 1; p.ext_profile = 0xBEDE; p.ext = ext; p.ext_len = 8;
    p.payload = pay; p.payload_len = sizeof pay; p.padding = 4;
    n = media_rtp_write(buf, sizeof buf, &p);
    CHECK_EQ_INT(n, 12 + 12 + 12 + 40 + 4);
    for (len = 0; len < n; len++) {
        int r = parse_exact(&q, buf, (size_t)len, &copy);
        /* the padding count byte is the last byte, so a prefix is at best a valid
           packet with a different padding reading; it must never claim more bytes */
        if (r == MEDIA_OK) CHECK(12 + 12 + 4 + q.ext_len + q.payload_len + q.padding == (size_t)len);
        else CHECK_EQ_INT(r, MEDIA_EPARSE);
        free(copy);
    }
    CHECK_EQ_INT(parse_exact(&q, buf, (size_t)n, NULL), MEDIA_OK);
    CHECK_EQ_INT(q.payload_len, 40);
}

static void test_write_errors(void)
{
    uint8_t buf[64], pay[8] = { 0 };
    media_rtp_packet p;
    size_t cap;
    memset(&p, 0, sizeof p);
    p.payload = pay; p.payload_len = 8;
    for (cap = 0; cap < 20; cap++) CHECK_EQ_INT(media_rtp_write(buf, cap, &p), MEDIA_ENOSPC);
    CHECK_EQ_INT(media_rtp_write(buf, 20, &p), 20);
    p.payload_type = 128; CHECK_EQ_INT(media_rtp_write(buf, 64, &p), MEDIA_EINVAL);
    p.payload_type = 0; p.csrc_count = 16; CHECK_EQ_INT(media_rtp_write(buf, 64, &p), MEDIA_EINVAL);
    p.csrc_count = 0; p.ext = pay; p.ext_len = 3; CHECK_EQ_INT(media_rtp_write(buf, 64, &p), MEDIA_EINVAL);
    p.ext_len = 0; p.ext = NULL;
    p.padding = 1;
    CHECK_EQ_INT(media_rtp_write(buf, 64, &p), 21);
    CHECK_EQ_INT(buf[0], 0xA0);
    CHECK_EQ_INT(buf[20], 1);
}

static void test_impossible_arguments_are_refused(void)
{
    uint8_t buf[64], data[4] = { 1, 2, 3, 4 };
    media_rtp_packet p;
    media_rtp_ext_element el;
    uint16_t prof;
    size_t pos = 0;
    static uint8_t big[4 * 65536 + 64];
    static media_rtp_ext_element many[1100];
    static const uint8_t src[255] = { 7 };
    int i;
    memset(&p, 0, sizeof p);
    memset(buf, 0x80, sizeof buf);
    CHECK_EQ_INT(media_rtp_parse(NULL, buf, 12), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtp_parse(&p, NULL, 12), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtp_write(NULL, 64, &p), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtp_write(buf, 64, NULL), MEDIA_EINVAL);
    p.payload_len = 4;                          /* a length without data */
    CHECK_EQ_INT(media_rtp_write(buf, 64, &p), MEDIA_EINVAL);
    p.payload = data;
    p.csrc_count = 1;
    CHECK_EQ_INT(media_rtp_write(buf, 64, &p), 20);
    p.ext_len = 8;                              /* extension length without data */
    CHECK_EQ_INT(media_rtp_write(buf, 64, &p), MEDIA_EINVAL);
    p.ext_len = 4u * 65536u;                    /* more words than the 16-bit field holds */
    p.ext = big;
    CHECK_EQ_INT(media_rtp_write(big, sizeof big, &p), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtp_ext_next(NULL, &pos, &el), MEDIA_EINVAL);
    el.id = 1; el.len = 2; el.data = NULL;      /* data missing */
    CHECK_EQ_INT(media_rtp_ext_write(buf, sizeof buf, &prof, &el, 1), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtp_ext_write(buf, sizeof buf, NULL, &el, 0), MEDIA_EINVAL);
    /* 1100 elements of 2 + 255 bytes (282,700) do not fit one block (65535 words) */
    for (i = 0; i < 1100; i++) { many[i].id = 200; many[i].len = 255; many[i].data = src; }
    CHECK_EQ_INT(media_rtp_ext_write(big, sizeof big, &prof, many, 1100), MEDIA_EINVAL);
    CHECK_EQ_INT(media_rtp_ext_write(big, sizeof big, &prof, many, 1000), 257000);  /* 64250 words fit */
}

static void test_write_in_place(void)
{
    /* the payload encoded straight into the datagram is left where it is */
    uint8_t buf[200];
    media_rtp_packet p, q;
    int i;
    memset(&p, 0, sizeof p);
    for (i = 0; i < 160; i++) buf[12 + i] = (uint8_t)i;
    p.payload = buf + 12; p.payload_len = 160; p.seq = 7; p.ssrc = 9; p.marker = 1; p.payload_type = 0;
    CHECK_EQ_INT(media_rtp_write(buf, sizeof buf, &p), 172);
    CHECK_EQ_INT(media_rtp_parse(&q, buf, 172), MEDIA_OK);
    CHECK_EQ_INT(q.marker, 1);
    for (i = 0; i < 160; i++) CHECK(q.payload[i] == (uint8_t)i);
    /* and a payload overlapping the header area is moved correctly */
    for (i = 0; i < 160; i++) buf[i] = (uint8_t)(i ^ 0x5A);
    p.payload = buf; p.csrc_count = 1; p.csrc[0] = 0xABCDEF01u;
    CHECK_EQ_INT(media_rtp_write(buf, sizeof buf, &p), 176);
    CHECK_EQ_INT(media_rtp_parse(&q, buf, 176), MEDIA_OK);
    for (i = 0; i < 160; i++) CHECK(q.payload[i] == (uint8_t)(i ^ 0x5A));
    CHECK_EQ_INT(q.csrc[0], 0xABCDEF01u);
}

/* A relay parses a packet, changes its CSRC list and writes it back into the
   same buffer: extension and payload move while they are the source. */
static void test_rewrite_in_place_with_another_header_size(void)
{
    uint8_t buf[256], ext[8] = { 0x10, 0xAB, 0x21, 0xCD, 0xEF, 0, 0, 0 }, pay[40];
    media_rtp_packet p, q;
    int i, n, cc;
    for (i = 0; i < 40; i++) pay[i] = (uint8_t)(200 - i);
    for (cc = 0; cc <= 6; cc += 3) {
        int to;
        for (to = 0; to <= 6; to += 3) {
            memset(&p, 0, sizeof p);
            p.csrc_count = (uint8_t)cc;
            for (i = 0; i < cc; i++) p.csrc[i] = 0x11111111u * (uint32_t)(i + 1);
            p.has_extension = 1; p.ext_profile = 0xBEDE; p.ext = ext; p.ext_len = 8;
            p.payload = pay; p.payload_len = 40; p.seq = 9;
            n = media_rtp_write(buf, sizeof buf, &p);
            CHECK_EQ_INT(media_rtp_parse(&q, buf, (size_t)n), MEDIA_OK);   /* q aliases buf */
            q.csrc_count = (uint8_t)to;
            for (i = 0; i < to; i++) q.csrc[i] = 0xA0000000u + (uint32_t)i;
            n = media_rtp_write(buf, sizeof buf, &q);
            CHECK_EQ_INT(n, 12 + 4 * to + 12 + 40);
            CHECK_EQ_INT(media_rtp_parse(&p, buf, (size_t)n), MEDIA_OK);
            CHECKF(p.csrc_count == to && p.ext_len == 8 && memcmp(p.ext, ext, 8) == 0, "%d -> %d CSRCs: extension", cc, to);
            CHECKF(p.payload_len == 40 && memcmp(p.payload, pay, 40) == 0, "%d -> %d CSRCs: payload", cc, to);
            for (i = 0; i < to; i++) CHECK_EQ_INT(p.csrc[i], 0xA0000000u + (uint32_t)i);
        }
    }
}

static void test_random_round_trips(void)
{
    uint8_t pay[300], ext[64], a[1024], b[1024];  /* worst case 12+60+4+64+300+255 */
    int iter;
    harness_seed(42);
    for (iter = 0; iter < 20000; iter++) {
        media_rtp_packet p, q;
        int n, m, i;
        memset(&p, 0, sizeof p);
        p.marker = (uint8_t)(harness_rand() & 1);
        p.payload_type = (uint8_t)(harness_rand() & 127);
        p.seq = (uint16_t)harness_rand();
        p.timestamp = harness_rand();
        p.ssrc = harness_rand();
        p.csrc_count = (uint8_t)(harness_rand() % 16);
        for (i = 0; i < p.csrc_count; i++) p.csrc[i] = harness_rand();
        if (harness_rand() & 1) {
            p.has_extension = 1;
            p.ext_profile = (uint16_t)harness_rand();
            p.ext_len = 4 * (harness_rand() % 17);
            for (i = 0; i < (int)p.ext_len; i++) ext[i] = (uint8_t)harness_rand();
            p.ext = ext;
        }
        p.payload_len = harness_rand() % 301;
        for (i = 0; i < (int)p.payload_len; i++) pay[i] = (uint8_t)harness_rand();
        p.payload = pay;
        p.padding = (uint8_t)((harness_rand() & 3) == 0 ? 1 + harness_rand() % 255 : 0);
        n = media_rtp_write(a, sizeof a, &p);
        CHECK(n > 0);
        if (n <= 0) continue;
        CHECK_EQ_INT(media_rtp_parse(&q, a, (size_t)n), MEDIA_OK);
        CHECK(q.marker == p.marker && q.payload_type == p.payload_type && q.seq == p.seq);
        CHECK(q.timestamp == p.timestamp && q.ssrc == p.ssrc && q.csrc_count == p.csrc_count);
        CHECK(memcmp(q.csrc, p.csrc, 4u * p.csrc_count) == 0);
        CHECK(q.has_extension == p.has_extension && q.ext_len == p.ext_len && q.ext_profile == p.ext_profile);
        CHECK(q.ext_len == 0 || memcmp(q.ext, ext, q.ext_len) == 0);
        CHECK(q.payload_len == p.payload_len && memcmp(q.payload, pay, p.payload_len) == 0);
        CHECK(q.padding == p.padding);
        m = media_rtp_write(b, sizeof b, &q);
        CHECK(m == n && memcmp(a, b, (size_t)n) == 0);
    }
}

static void test_wrap_safe_arithmetic(void)
{
    CHECK_EQ_INT(media_rtp_seq_diff(0, 65535), 1);
    CHECK_EQ_INT(media_rtp_seq_diff(65535, 0), -1);
    CHECK_EQ_INT(media_rtp_seq_diff(100, 100), 0);
    CHECK_EQ_INT(media_rtp_seq_diff(32767, 0), 32767);
    CHECK_EQ_INT(media_rtp_seq_diff(32768, 0), -32768);
    CHECK_EQ_INT(media_rtp_ts_diff(80, 0xFFFFFFB0u), 160);
    CHECK_EQ_INT(media_rtp_ts_diff(0xFFFFFFB0u, 80), -160);
    CHECK_EQ_INT(media_rtp_ts_diff(0x80000000u, 0), INT32_MIN);
    CHECK_EQ_INT(media_rtp_ts_diff(0x7FFFFFFFu, 0), INT32_MAX);
}

int main(void)
{
    RUN(test_minimal_packet);
    RUN(test_marker_csrc_and_high_fields);
    RUN(test_one_byte_extension);
    RUN(test_two_byte_extension);
    RUN(test_extension_edge_cases);
    RUN(test_ext_write);
    RUN(test_padding);
    RUN(test_malformed_forms);
    RUN(test_every_truncation_of_a_full_packet);
    RUN(test_write_errors);
    RUN(test_impossible_arguments_are_refused);
    RUN(test_write_in_place);
    RUN(test_rewrite_in_place_with_another_header_size);
    RUN(test_random_round_trips);
    RUN(test_wrap_safe_arithmetic);
    return harness_summary();
}
