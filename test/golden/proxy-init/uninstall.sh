iptables -w 10 -t nat -D PREROUTING -p tcp -j MESH_INBOUND 2>/dev/null || true
iptables -w 10 -t nat -D OUTPUT -p tcp -j MESH_OUTBOUND 2>/dev/null || true
iptables -w 10 -t nat -F MESH_INBOUND 2>/dev/null || true
iptables -w 10 -t nat -X MESH_INBOUND 2>/dev/null || true
iptables -w 10 -t nat -F MESH_OUTBOUND 2>/dev/null || true
iptables -w 10 -t nat -X MESH_OUTBOUND 2>/dev/null || true
