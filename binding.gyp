{
  "targets": [
    {
      "target_name": "genbound",
      "sources": ["native/genbound.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lopenblas"]
    }
  ]
}
