// getOriginalDst(fd) -> { host, port }: where a connection that iptables REDIRECTed to this process was
// addressed before the NAT rewrite, read from conntrack with getsockopt(SO_ORIGINAL_DST) (IPv4) or
// getsockopt(IP6T_SO_ORIGINAL_DST) (IPv6). Linux only; throws an Error with an errno `code` on failure
// (ENOENT: conntrack does not know the connection, ENOPROTOOPT: no netfilter support for the family).
#include <node_api.h>
#include <stdio.h>

#ifdef __linux__
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

// From <linux/netfilter_ipv4.h> and <linux/netfilter_ipv6/ip6_tables.h>; defined here because those kernel
// headers clash with glibc's <netinet/in.h>. Both are part of the kernel's stable user-space ABI.
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif
#endif

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char message[160];
#ifdef __linux__
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  const char *code = err == ENOENT ? "ENOENT"
                     : err == ENOPROTOOPT ? "ENOPROTOOPT"
                     : err == EBADF ? "EBADF"
                     : err == ENOTSOCK ? "ENOTSOCK"
                     : err == EOPNOTSUPP ? "EOPNOTSUPP"
                     : "EIO";
#else
  (void)err;
  snprintf(message, sizeof message, "%s: SO_ORIGINAL_DST exists only on Linux", syscall);
  const char *code = "ENOSYS";
#endif
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value address_object(napi_env env, const char *host, unsigned port) {
  napi_value result, host_value, port_value;
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, host, NAPI_AUTO_LENGTH, &host_value) != napi_ok) return NULL;
  if (napi_create_uint32(env, port, &port_value) != napi_ok) return NULL;
  napi_set_named_property(env, result, "host", host_value);
  napi_set_named_property(env, result, "port", port_value);
  return result;
}

static napi_value get_original_dst(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "getOriginalDst(fd): fd must be a file descriptor");
    return NULL;
  }
#ifdef __linux__
  struct sockaddr_storage local;
  socklen_t len = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) return throw_errno(env, "getsockname", errno);
  char host[INET6_ADDRSTRLEN];

  // IPv4 connections, including those accepted on a dual-stack IPv6 socket (v4-mapped local address),
  // are tracked by the IPv4 conntrack: ask it with SOL_IP.
  int v4 = local.ss_family == AF_INET ||
           (local.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&local)->sin6_addr));
  if (v4) {
    struct sockaddr_in dst;
    socklen_t dlen = sizeof dst;
    memset(&dst, 0, sizeof dst);
    if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &dst, &dlen) != 0) {
      return throw_errno(env, "getsockopt(SO_ORIGINAL_DST)", errno);
    }
    if (inet_ntop(AF_INET, &dst.sin_addr, host, sizeof host) == NULL) return throw_errno(env, "inet_ntop", errno);
    return address_object(env, host, ntohs(dst.sin_port));
  }
  if (local.ss_family == AF_INET6) {
    struct sockaddr_in6 dst;
    socklen_t dlen = sizeof dst;
    memset(&dst, 0, sizeof dst);
    if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &dst, &dlen) != 0) {
      return throw_errno(env, "getsockopt(IP6T_SO_ORIGINAL_DST)", errno);
    }
    if (inet_ntop(AF_INET6, &dst.sin6_addr, host, sizeof host) == NULL) return throw_errno(env, "inet_ntop", errno);
    return address_object(env, host, ntohs(dst.sin6_port));
  }
  return throw_errno(env, "getsockname", EOPNOTSUPP);
#else
  return throw_errno(env, "getOriginalDst", 0);
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "getOriginalDst", NAPI_AUTO_LENGTH, get_original_dst, NULL, &fn) != napi_ok) {
    return NULL;
  }
  napi_set_named_property(env, exports, "getOriginalDst", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
