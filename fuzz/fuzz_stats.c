/* libFuzzer target: arbitrary packet sequences through the receiver statistics.
   Each 12-byte record is one event: a packet (SSRC from a small set so changes
   happen, sequence, timestamp, arrival step that may go backwards), an SR, or a
   report. Counters must stay consistent and the report fields in range; UBSan
   guards the arithmetic. */
#include "../media.h"
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    media_rtp_stats st;
    media_rtp_packet p;
    media_rtcp_report_block rb;
    uint64_t now = 1000000;
    uint32_t rate;
    size_t off = 4;
    if (size < 4) return 0;
    rate = ((uint32_t)data[0] << 24) | ((uint32_t)data[1] << 16) | ((uint32_t)data[2] << 8) | data[3];
    media_rtp_stats_init(&st, rate);
    memset(&p, 0, sizeof p);
    for (; off + 12 <= size; off += 12) {
        const uint8_t *r = data + off;
        int64_t step = (int64_t)(int16_t)((r[8] << 8) | r[9]) * (r[10] & 0x80 ? 100000 : 100);
        now = step < 0 && (uint64_t)-step > now ? 0 : now + (uint64_t)step;
        switch (r[0] & 15) {
        case 14:
            media_rtp_stats_sender_report(&st, ((uint64_t)r[1] << 40) | ((uint64_t)r[2] << 24) | r[3], now);
            break;
        case 15:
            media_rtp_stats_report_block(&st, &rb, now);
            FUZZ_CHECK(rb.cumulative_lost <= 0x7FFFFF && rb.cumulative_lost >= -0x800000);
            FUZZ_CHECK(rb.highest_seq == media_rtp_stats_ext_max(&st));
            break;
        default: {
            int v;
            p.ssrc = (r[0] >> 4) & 3;
            p.seq = (uint16_t)((r[1] << 8) | r[2]);
            p.timestamp = ((uint32_t)r[3] << 24) | ((uint32_t)r[4] << 16) | ((uint32_t)r[5] << 8) | r[6];
            p.payload_len = r[7];
            v = media_rtp_stats_update(&st, &p, now);
            FUZZ_CHECK(v >= MEDIA_RTP_ACCEPTED && v <= MEDIA_RTP_RESTARTED);
            break;
        }
        }
        FUZZ_CHECK(st.received <= st.packets);
        FUZZ_CHECK(st.duplicates + st.reordered <= st.packets);
        FUZZ_CHECK(media_rtp_stats_loss_percent(&st) >= 0.0 && media_rtp_stats_loss_percent(&st) <= 100.0);
        FUZZ_CHECK(media_rtp_stats_burst_ratio(&st) >= 1.0);
        {
            double mos = media_rtp_stats_mos(&st, 50, MEDIA_EMODEL_G711_IE, MEDIA_EMODEL_G711_BPL);
            FUZZ_CHECK(mos >= 1.0 && mos <= 4.5);
        }
    }
    return 0;
}
