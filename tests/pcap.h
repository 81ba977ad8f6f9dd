/* Minimal pcap writer for tests: raw IPv4 (LINKTYPE_RAW) + UDP between
   127.0.0.1 ports, each record stamped with a capture time the test chooses, so
   an analyser sees exactly the arrival times the test fed to the library. */
#ifndef MEDIA_TEST_PCAP_H
#define MEDIA_TEST_PCAP_H
#include <stdio.h>
#include <stdint.h>
#include <string.h>
static void pcap_put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }
static void pcap_put16(FILE *f, uint16_t v) { fwrite(&v, 2, 1, f); }
static void pcap_begin(FILE *f)
{
    pcap_put32(f, 0xA1B2C3D4u); pcap_put16(f, 2); pcap_put16(f, 4);
    pcap_put32(f, 0); pcap_put32(f, 0); pcap_put32(f, 65535); pcap_put32(f, 101);
}
static void pcap_udp(FILE *f, uint64_t t_us, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len)
{
    uint8_t h[28];
    uint32_t sum = 0;
    size_t i, total = 28 + len;
    memset(h, 0, sizeof h);
    h[0] = 0x45; h[2] = (uint8_t)(total >> 8); h[3] = (uint8_t)total; h[6] = 0x40; h[8] = 64; h[9] = 17;
    h[12] = 127; h[15] = 1; h[16] = 127; h[19] = 1;
    for (i = 0; i < 20; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    sum = ~sum & 0xFFFF; h[10] = (uint8_t)(sum >> 8); h[11] = (uint8_t)sum;
    h[20] = (uint8_t)(sport >> 8); h[21] = (uint8_t)sport; h[22] = (uint8_t)(dport >> 8); h[23] = (uint8_t)dport;
    h[24] = (uint8_t)((8 + len) >> 8); h[25] = (uint8_t)(8 + len);
    pcap_put32(f, (uint32_t)(t_us / 1000000u)); pcap_put32(f, (uint32_t)(t_us % 1000000u));
    pcap_put32(f, (uint32_t)total); pcap_put32(f, (uint32_t)total);
    fwrite(h, 1, 28, f); fwrite(data, 1, len, f);
}
#endif
