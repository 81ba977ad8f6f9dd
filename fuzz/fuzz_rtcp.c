/* libFuzzer target: media_rtcp_parse on arbitrary bytes, strict and reduced-size.
   Every pointer it returns must lie inside the input; counts must respect the
   capacities; and what the writers make of the parsed report, CNAME and BYE
   must parse back to the same values. */
#include "../media.h"
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static int inside(const void *p, size_t n, const uint8_t *data, size_t size)
{
    const uint8_t *b = (const uint8_t *)p;
    return b >= data && n <= size && b + n <= data + size;
}

static void round_trip(const media_rtcp *c)
{
    static uint8_t out[70000];
    static media_rtcp d;
    const media_rtcp_packet *first = &c->packets[0];
    media_rtcp_report rep;
    char cname[256];
    int n, i;
    if (c->packet_count == 0 || (first->type != MEDIA_RTCP_SR && first->type != MEDIA_RTCP_RR)) return;
    memset(&rep, 0, sizeof rep);
    rep.ssrc = first->ssrc;
    rep.is_sender = first->type == MEDIA_RTCP_SR;
    rep.ntp = first->ntp;
    rep.rtp_timestamp = first->rtp_timestamp;
    rep.packet_count = first->packet_count;
    rep.octet_count = first->octet_count;
    rep.blocks = c->reports + first->first;
    rep.block_count = first->n;
    cname[0] = 0;
    for (i = 0; i < c->item_count; i++) {
        /* the writer takes a C string: only CNAMEs without NUL bytes round-trip */
        if (c->items[i].type == MEDIA_SDES_CNAME && c->items[i].len && !memchr(c->items[i].text, 0, c->items[i].len)) {
            memcpy(cname, c->items[i].text, c->items[i].len);
            cname[c->items[i].len] = 0;
            break;
        }
    }
    rep.cname = cname;
    n = media_rtcp_report_write(out, sizeof out, &rep);
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(media_rtcp_parse(&d, out, (size_t)n, 0) >= 1);
    FUZZ_CHECK(d.packets[0].type == first->type && d.packets[0].ssrc == first->ssrc);
    if (rep.is_sender)
        FUZZ_CHECK(d.packets[0].ntp == first->ntp && d.packets[0].rtp_timestamp == first->rtp_timestamp &&
                   d.packets[0].packet_count == first->packet_count && d.packets[0].octet_count == first->octet_count);
    FUZZ_CHECK(d.report_count == first->n);
    for (i = 0; i < d.report_count; i++)
        FUZZ_CHECK(d.reports[i].ssrc == rep.blocks[i].ssrc && d.reports[i].fraction_lost == rep.blocks[i].fraction_lost &&
                   d.reports[i].cumulative_lost == rep.blocks[i].cumulative_lost &&
                   d.reports[i].highest_seq == rep.blocks[i].highest_seq && d.reports[i].jitter == rep.blocks[i].jitter &&
                   d.reports[i].lsr == rep.blocks[i].lsr && d.reports[i].dlsr == rep.blocks[i].dlsr);
    if (cname[0]) FUZZ_CHECK(d.item_count == 1 && d.items[0].len == strlen(cname) && memcmp(d.items[0].text, cname, d.items[0].len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static media_rtcp c;
    unsigned flags;
    for (flags = 0; flags <= MEDIA_RTCP_REDUCED_SIZE; flags++) {
        int r = media_rtcp_parse(&c, data, size, flags), i;
        if (r < 0) { FUZZ_CHECK(r == MEDIA_EPARSE); continue; }
        FUZZ_CHECK(r == c.packet_count && r >= 1 && r <= MEDIA_RTCP_MAX_PACKETS);
        FUZZ_CHECK(c.report_count <= MEDIA_RTCP_MAX_REPORTS && c.item_count <= MEDIA_RTCP_MAX_SDES_ITEMS &&
                   c.chunk_count <= MEDIA_RTCP_MAX_SDES_CHUNKS && c.bye_count <= MEDIA_RTCP_MAX_BYE_SSRCS);
        for (i = 0; i < c.packet_count; i++) {
            const media_rtcp_packet *p = &c.packets[i];
            FUZZ_CHECK(inside(p->data, p->size, data, size) && p->size >= 4);
            if (p->type == MEDIA_RTCP_BYE && p->reason_len) FUZZ_CHECK(inside(p->reason, p->reason_len, p->data, p->size));
            if (p->type == MEDIA_RTCP_APP) FUZZ_CHECK(inside(p->app_data, p->app_len, p->data, p->size));
        }
        for (i = 0; i < c.item_count; i++) FUZZ_CHECK(inside(c.items[i].text, c.items[i].len, data, size));
        if (flags == 0) round_trip(&c);
    }
    return 0;
}
