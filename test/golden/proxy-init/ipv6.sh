iptables-legacy -w 10 -t nat -D PREROUTING -p tcp -j MESH_INBOUND 2>/dev/null || true
iptables-legacy -w 10 -t nat -D OUTPUT -p tcp -j MESH_OUTBOUND 2>/dev/null || true
iptables-legacy -w 10 -t nat -F MESH_INBOUND 2>/dev/null || true
iptables-legacy -w 10 -t nat -X MESH_INBOUND 2>/dev/null || true
iptables-legacy -w 10 -t nat -F MESH_OUTBOUND 2>/dev/null || true
iptables-legacy -w 10 -t nat -X MESH_OUTBOUND 2>/dev/null || true
iptables-legacy -w 10 -t nat -N MESH_INBOUND
iptables-legacy -w 10 -t nat -A MESH_INBOUND -p tcp -m multiport --dports 4190,4191,15006 -j RETURN
iptables-legacy -w 10 -t nat -A MESH_INBOUND -p tcp -j REDIRECT --to-ports 15006
iptables-legacy -w 10 -t nat -N MESH_OUTBOUND
iptables-legacy -w 10 -t nat -A MESH_OUTBOUND -m owner --uid-owner 1337 -j RETURN
iptables-legacy -w 10 -t nat -A MESH_OUTBOUND -o lo -j RETURN
iptables-legacy -w 10 -t nat -A MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 15001
iptables-legacy -w 10 -t nat -A PREROUTING -p tcp -j MESH_INBOUND
iptables-legacy -w 10 -t nat -A OUTPUT -p tcp -j MESH_OUTBOUND
ip6tables-legacy -w 10 -t nat -D PREROUTING -p tcp -j MESH_INBOUND 2>/dev/null || true
ip6tables-legacy -w 10 -t nat -D OUTPUT -p tcp -j MESH_OUTBOUND 2>/dev/null || true
ip6tables-legacy -w 10 -t nat -F MESH_INBOUND 2>/dev/null || true
ip6tables-legacy -w 10 -t nat -X MESH_INBOUND 2>/dev/null || true
ip6tables-legacy -w 10 -t nat -F MESH_OUTBOUND 2>/dev/null || true
ip6tables-legacy -w 10 -t nat -X MESH_OUTBOUND 2>/dev/null || true
ip6tables-legacy -w 10 -t nat -N MESH_INBOUND
ip6tables-legacy -w 10 -t nat -A MESH_INBOUND -p tcp -m multiport --dports 4190,4191,15006 -j RETURN
ip6tables-legacy -w 10 -t nat -A MESH_INBOUND -p tcp -j REDIRECT --to-ports 15006
ip6tables-legacy -w 10 -t nat -N MESH_OUTBOUND
ip6tables-legacy -w 10 -t nat -A MESH_OUTBOUND -m owner --uid-owner 1337 -j RETURN
ip6tables-legacy -w 10 -t nat -A MESH_OUTBOUND -o lo -j RETURN
ip6tables-legacy -w 10 -t nat -A MESH_OUTBOUND -p tcp -j REDIRECT --to-ports 15001
ip6tables-legacy -w 10 -t nat -A PREROUTING -p tcp -j MESH_INBOUND
ip6tables-legacy -w 10 -t nat -A OUTPUT -p tcp -j MESH_OUTBOUND
