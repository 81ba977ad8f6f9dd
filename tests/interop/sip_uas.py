#!/usr/bin/python3
"""A SIP peer of the test's own (RFC 3261 over UDP, just enough for one
call): it answers one INVITE with the SDP mediacall writes for the offer,
then ends the call when the caller says BYE (200 OK) or when mediacall ends
first (our BYE).

usage: sip_uas.py PORT DIR SECONDS MEDIACALL_ARGS...

The offer is written to DIR/offer.sdp, mediacall runs as
MEDIACALL_ARGS --remote DIR/offer.sdp --sdp-out DIR/answer.sdp (its stdout to
DIR/mc.json), and its answer goes back in the 200 OK. Everything ends
within SECONDS; prints one line per SIP event."""
import os
import re
import socket
import subprocess
import sys
import time


def header(msg, name):
    m = re.search(r"^(?:%s):\s*(.*?)\r$" % name, msg, re.M | re.I)
    return m.group(1) if m else ""


def reply(req, code, text, body=b"", extra=""):
    hdrs = []
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for line in re.findall(r"^(?:%s):.*?\r$" % name, req, re.M | re.I):
            if name == "To" and code == 200 and "tag=" not in line:
                line = line[:-1] + ";tag=mc1\r"
            hdrs.append(line[:-1])
    hdrs.append("Contact: <sip:mc@127.0.0.1:%d>" % PORT)
    if body:
        hdrs.append("Content-Type: application/sdp")
    hdrs.append("Content-Length: %d" % len(body))
    return ("SIP/2.0 %d %s\r\n" % (code, text) + "\r\n".join(hdrs) + "\r\n" + extra + "\r\n").encode() + body


def main():
    global PORT
    PORT, d, limit, mc_args = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", PORT))
    s.settimeout(0.2)
    end = time.time() + limit
    mc = None
    invite = None
    peer = None
    out = None
    while time.time() < end:
        if mc and mc.poll() is not None and invite:
            # mediacall ended first: we hang up
            contact = re.search(r"<(sip:[^>]*)>", header(invite, "Contact|m")) or re.search(r"(sip:\S+)", invite)
            bye = (
                "BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKbye1\r\nMax-Forwards: 70\r\n"
                "From: %s;tag=mc1\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"
                % (contact.group(1), PORT, header(invite, "To|t"), header(invite, "From|f"), header(invite, "Call-ID|i"))
            )
            s.sendto(bye.encode(), peer)
            print("sent BYE", flush=True)
            invite = None
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        msg = data.decode(errors="replace")
        first = msg.split("\r\n", 1)[0]
        if first.startswith("INVITE") and mc is None:
            peer, invite = addr, msg
            body = msg.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in msg else ""
            with open(os.path.join(d, "offer.sdp"), "w") as f:
                f.write(body)
            s.sendto(reply(msg, 100, "Trying"), addr)
            ans = os.path.join(d, "answer.sdp")
            if os.path.exists(ans):
                os.remove(ans)   # (one from an earlier run would be taken for mediacall's)
            out = open(os.path.join(d, "mc.json"), "w")
            mc = subprocess.Popen(mc_args + ["--remote", os.path.join(d, "offer.sdp"), "--sdp-out",
                                             os.path.join(d, "answer.sdp")], stdout=out, stderr=subprocess.STDOUT)
            while not os.path.exists(ans) and mc.poll() is None and time.time() < end:
                time.sleep(0.05)
            if os.path.exists(ans):
                with open(ans, "rb") as f:
                    sdp = f.read()
                s.sendto(reply(msg, 200, "OK", sdp), addr)
                print("INVITE answered 200 with mediacall's SDP", flush=True)
            else:
                s.sendto(reply(msg, 488, "Not Acceptable Here"), addr)
                print("INVITE refused 488: mediacall gave no answer", flush=True)
        elif first.startswith("INVITE"):
            s.sendto(reply(msg, 200, "OK", open(os.path.join(d, "answer.sdp"), "rb").read()), addr)   # a retransmission
        elif first.startswith("ACK"):
            print("ACK", flush=True)
        elif first.startswith("BYE"):
            s.sendto(reply(msg, 200, "OK"), addr)
            print("BYE from the caller", flush=True)
            if mc and mc.poll() is None:
                mc.terminate()   # mediacall ends the call properly on SIGTERM
            invite = None
        elif first.startswith("SIP/2.0"):
            print("response:", first, flush=True)
            if mc and mc.poll() is not None:
                break
        elif first.split(" ", 1)[0] in ("OPTIONS", "CANCEL"):
            s.sendto(reply(msg, 200, "OK"), addr)
        if mc and mc.poll() is not None and invite is None and first.startswith(("BYE", "SIP/2.0")):
            break
    if mc and mc.poll() is None:
        mc.terminate()
        try:
            mc.wait(5)
        except subprocess.TimeoutExpired:
            mc.kill()
    if out:
        out.close()


if __name__ == "__main__":
    main()
