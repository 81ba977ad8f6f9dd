/* libFuzzer target: media_rtp_parse on arbitrary bytes. A parsed packet must
   stay inside the input, survive write -> parse unchanged, and its RFC 8285
   elements must be walkable without leaving the extension block. */
#include "../media.h"
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[70000], out2[70000];
    media_rtp_packet p, q;
    media_rtp_ext_element el;
    size_t pos = 0, guard = 0;
    int n, r;
    if (media_rtp_parse(&p, data, size) != MEDIA_OK) return 0;
    FUZZ_CHECK(p.payload >= data && p.payload + p.payload_len + p.padding == data + size);
    FUZZ_CHECK(!p.ext || (p.ext >= data && p.ext + p.ext_len <= p.payload));
    while ((r = media_rtp_ext_next(&p, &pos, &el)) == 1) {
        FUZZ_CHECK(el.data >= p.ext && el.data + el.len <= p.ext + p.ext_len);
        FUZZ_CHECK(++guard <= p.ext_len);
    }
    FUZZ_CHECK(r == 0 || r == MEDIA_EPARSE || r == MEDIA_EUNSUPPORTED);
    n = media_rtp_write(out, sizeof out, &p);
    FUZZ_CHECK(n == (int)size);
    /* identical bytes except padding content, which the writer zero-fills */
    FUZZ_CHECK(memcmp(out, data, size - p.padding) == 0);
    FUZZ_CHECK(media_rtp_parse(&q, out, (size_t)n) == MEDIA_OK);
    FUZZ_CHECK(q.marker == p.marker && q.payload_type == p.payload_type && q.seq == p.seq &&
               q.timestamp == p.timestamp && q.ssrc == p.ssrc && q.csrc_count == p.csrc_count &&
               memcmp(q.csrc, p.csrc, 4u * p.csrc_count) == 0 && q.has_extension == p.has_extension &&
               q.ext_profile == p.ext_profile && q.ext_len == p.ext_len && q.payload_len == p.payload_len &&
               q.padding == p.padding);
    FUZZ_CHECK(media_rtp_write(out2, sizeof out2, &q) == n && memcmp(out, out2, (size_t)n) == 0);
    /* rewritten in place with its CSRCs dropped (a relay's edit): the extension
       and payload must come out intact although they move within the buffer */
    memcpy(out2, data, size);
    FUZZ_CHECK(media_rtp_parse(&q, out2, size) == MEDIA_OK);
    q.csrc_count = 0;
    n = media_rtp_write(out2, sizeof out2, &q);
    FUZZ_CHECK(n == (int)(size - 4u * p.csrc_count));
    FUZZ_CHECK(media_rtp_parse(&q, out2, (size_t)n) == MEDIA_OK);
    FUZZ_CHECK(q.ext_len == p.ext_len && (!p.ext_len || memcmp(q.ext, p.ext, p.ext_len) == 0));
    FUZZ_CHECK(q.payload_len == p.payload_len && (!p.payload_len || memcmp(q.payload, p.payload, p.payload_len) == 0));
    return 0;
}
