# The original-destination addon: one C file, N-API only (no node-addon-api, no C++), so that one build
# loads in every Node version with N-API 8, whatever headers it was compiled against.
{
  "targets": [
    {
      "target_name": "original_dst",
      "sources": ["original_dst.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
