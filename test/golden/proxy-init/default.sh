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
iptables -w 10 -t nat -A MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 4140
iptables -w 10 -t nat -A PREROUTING -p tcp -j MESH_INBOUND
iptables -w 10 -t nat -A OUTPUT -p tcp -j MESH_OUTBOUND
