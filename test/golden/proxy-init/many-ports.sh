iptables -w 10 -t nat -D PREROUTING -p tcp -j MESH_INBOUND 2>/dev/null || true
iptables -w 10 -t nat -D OUTPUT -p tcp -j MESH_OUTBOUND 2>/dev/null || true
iptables -w 10 -t nat -F MESH_INBOUND 2>/dev/null || true
iptables -w 10 -t nat -X MESH_INBOUND 2>/dev/null || true
iptables -w 10 -t nat -F MESH_OUTBOUND 2>/dev/null || true
iptables -w 10 -t nat -X MESH_OUTBOUND 2>/dev/null || true
iptables -w 10 -t nat -N MESH_INBOUND
iptables -w 10 -t nat -A MESH_INBOUND -p tcp -m multiport --dports 4143,4190,4191 -j RETURN
iptables -w 10 -t nat -A MESH_INBOUND -p tcp -j REDIRECT --to-ports 4143
iptables -w 10 -t nat -N MESH_OUTBOUND
iptables -w 10 -t nat -A MESH_OUTBOUND -m owner --uid-owner 2102 -j RETURN
iptables -w 10 -t nat -A MESH_OUTBOUND -o lo -j RETURN
iptables -w 10 -t nat -A MESH_OUTBOUND -p tcp -m multiport --dports 8000,8002,8004,8006,8008,8010,8012,8014,8016,8018,8020,8022,8024,8026,8028 -j RETURN
iptables -w 10 -t nat -A MESH_OUTBOUND -p tcp -m multiport --dports 8030,8032,8034,8036,8038,9000:9100 -j RETURN
iptables -w 10 -t nat -A MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 4140
iptables -w 10 -t nat -A PREROUTING -p tcp -j MESH_INBOUND
iptables -w 10 -t nat -A OUTPUT -p tcp -j MESH_OUTBOUND
