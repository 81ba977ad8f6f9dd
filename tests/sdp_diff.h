/* Shared by the SDP tests and fuzz_sdp: compares two media_sdp field by field.
   Include after media.h. */
#ifndef MEDIA_TEST_SDP_DIFF_H
#define MEDIA_TEST_SDP_DIFF_H
#include <string.h>

/* Field-by-field equality through the public structure: strings compared as
   text, so two descriptions laid out differently in their arenas compare equal. */
static int sdp_str_eq(const media_sdp *a, media_sdp_ref ra, const media_sdp *b, media_sdp_ref rb)
{
    return strcmp(media_sdp_str_get(a, ra), media_sdp_str_get(b, rb)) == 0;
}
static int sdp_conn_eq(const media_sdp *a, const media_sdp_conn *ca, const media_sdp *b, const media_sdp_conn *cb)
{
    return (ca->address == 0) == (cb->address == 0) && ca->family == cb->family && sdp_str_eq(a, ca->nettype, b, cb->nettype) &&
           sdp_str_eq(a, ca->addrtype, b, cb->addrtype) && sdp_str_eq(a, ca->address, b, cb->address);
}
static const char *sdp_diff(const media_sdp *a, const media_sdp *b)
{
    int i;
    if (!sdp_str_eq(a, a->origin_username, b, b->origin_username) || !sdp_str_eq(a, a->origin_sess_id, b, b->origin_sess_id) ||
        a->origin_version != b->origin_version || !sdp_conn_eq(a, &a->origin, b, &b->origin)) return "origin";
    if (!sdp_str_eq(a, a->name, b, b->name)) return "name";
    if (!sdp_conn_eq(a, &a->conn, b, &b->conn)) return "session c=";
    if (a->media_count != b->media_count || a->attr_count != b->attr_count || a->session_attrs != b->session_attrs ||
        a->line_count != b->line_count || a->session_lines != b->session_lines) return "counts";
    for (i = 0; i < a->media_count; i++) {
        const media_sdp_media *x = &a->media[i], *y = &b->media[i];
        if (!sdp_str_eq(a, x->media, b, y->media) || x->port != y->port || x->nports != y->nports ||
            !sdp_str_eq(a, x->proto, b, y->proto) || x->is_rtp != y->is_rtp || x->fmt_count != y->fmt_count ||
            !sdp_str_eq(a, x->fmt, b, y->fmt) || !sdp_conn_eq(a, &x->conn, b, &y->conn) || x->attr_first != y->attr_first ||
            x->attr_count != y->attr_count || x->line_first != y->line_first || x->line_count != y->line_count) return "media";
        if (x->is_rtp && memcmp(x->pt, y->pt, x->fmt_count)) return "payload types";
    }
    for (i = 0; i < a->attr_count; i++) {
        const media_sdp_attr *x = &a->attr[i], *y = &b->attr[i];
        if (!sdp_str_eq(a, x->name, b, y->name) || (x->value == 0) != (y->value == 0) || !sdp_str_eq(a, x->value, b, y->value) ||
            x->name_len != y->name_len || x->value_len != y->value_len) return "attribute";
    }
    for (i = 0; i < a->line_count; i++)
        if (a->line[i].type != b->line[i].type || !sdp_str_eq(a, a->line[i].value, b, b->line[i].value) ||
            a->line[i].len != b->line[i].len) return "line";
    return NULL;
}

#endif
