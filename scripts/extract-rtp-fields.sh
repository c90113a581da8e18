#!/usr/bin/env bash
# Dump every RTP packet (and every RTCP datagram) that tshark sees in each fixture capture, as
# small TSV files under fixtures/derived/, so that RtpStreamStats/RtcpStats can be checked
# against tshark's `-z rtp,streams` truth without the project's own pcap reader and dissector.
#
#   scripts/extract-rtp-fields.sh [capture...]     (default: fixtures/public/* and fixtures/lab/*)
#
# Output per capture F (basename B):
#   fixtures/derived/B.rtp.tsv   one line per RTP packet, columns:
#     frame  epoch_sec  epoch_nsec  src  sport  dst  dport  ssrc  seq  timestamp  pt  marker
#     payload_bytes  event_id  event_end  event_duration
#   payload_bytes = udp.length - 8 - 12 - 4*CC - (X ? 4 + 4*ext.len : 0) - padding count.
#   event_* are the RFC 4733 fields when tshark decodes the payload as rtpevent, else empty.
#   fixtures/derived/B.rtcp.tsv  one line per UDP datagram tshark calls RTCP, columns:
#     frame  epoch_sec  epoch_nsec  src  sport  dst  dport  udp_payload_hex
# The same preferences as the truth files: `-o rtp.heuristic_rtp:TRUE`, nothing else.
# Files with no RTP (or no RTCP) get no .rtp.tsv (or .rtcp.tsv).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/derived
mkdir -p "$out"

if [ "$#" -eq 0 ]; then
  set -- $(ls fixtures/public/*.pcap fixtures/public/*.pcapng fixtures/lab/*.pcap fixtures/lab/*.pcapng fixtures/derived/synthetic/*.pcap 2>/dev/null)
fi

# tshark prints one value per protocol instance joined by ','; when a frame carries the layer
# more than once (an ICMP error quoting a datagram: outer,inner) the last one is the RTP's own.
last() { awk -F, '{print $NF}' <<<"$1"; }

for f in "$@"; do
  b=$(basename "$f")
  tshark -r "$f" -o rtp.heuristic_rtp:TRUE -Y 'rtp.version == 2 && rtp.ssrc && !icmp && !icmpv6' -T fields -E separator=/t \
    -e frame.number -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
    -e udp.srcport -e udp.dstport -e rtp.ssrc -e rtp.seq -e rtp.timestamp -e rtp.p_type \
    -e rtp.marker -e udp.length -e rtp.cc -e rtp.ext -e rtp.ext.len -e rtp.padding.count \
    -e rtpevent.event_id -e rtpevent.end_of_event -e rtpevent.duration 2>/dev/null |
  awk -F'\t' -v OFS='\t' '
    function lastv(s,  a, n) { n = split(s, a, ","); return a[n] }
    BEGIN { print "frame","epoch_sec","epoch_nsec","src","sport","dst","dport","ssrc","seq","timestamp","pt","marker","payload_bytes","event_id","event_end","event_duration" }
    {
      split($2, t, ".");
      nsec = substr(t[2] "000000000", 1, 9) + 0;
      src = lastv($3 != "" ? $3 : $4); dst = lastv($5 != "" ? $5 : $6);
      ext = ($16 == "1" || $16 == "True") ? 4 + 4 * ($17 + 0) : 0;
      pay = lastv($14) - 8 - 12 - 4 * ($15 + 0) - ext - ($18 + 0);
      mk = ($13 == "1" || $13 == "True") ? 1 : 0;
      ee = $20 == "" ? "" : (($20 == "1" || $20 == "True") ? 1 : 0);
      print $1, t[1], nsec, src, lastv($7), dst, lastv($8), $9, $10, $11, $12, mk, pay, $19, ee, $21
    }' > "$out/$b.rtp.tsv"
  [ "$(wc -l < "$out/$b.rtp.tsv")" -gt 1 ] || rm -f "$out/$b.rtp.tsv"

  tshark -r "$f" -o rtp.heuristic_rtp:TRUE -Y 'rtcp && !icmp && !icmpv6' -T fields -E separator=/t \
    -e frame.number -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
    -e udp.srcport -e udp.dstport -e udp.payload 2>/dev/null |
  awk -F'\t' -v OFS='\t' '
    function lastv(s,  a, n) { n = split(s, a, ","); return a[n] }
    BEGIN { print "frame","epoch_sec","epoch_nsec","src","sport","dst","dport","udp_payload_hex" }
    {
      split($2, t, ".");
      nsec = substr(t[2] "000000000", 1, 9) + 0;
      src = lastv($3 != "" ? $3 : $4); dst = lastv($5 != "" ? $5 : $6);
      gsub(":", "", $9);
      print $1, t[1], nsec, src, lastv($7), dst, lastv($8), $9
    }' > "$out/$b.rtcp.tsv"
  [ "$(wc -l < "$out/$b.rtcp.tsv")" -gt 1 ] || rm -f "$out/$b.rtcp.tsv"
done
