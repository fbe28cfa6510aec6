{
  "targets": [
    {
      "target_name": "genbound",
      "sources": ["native/genbound.c", "native/spectral.c", "native/nn.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-trapping-math", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lopenblas", "-lpthread", "-lm"]
    }
  ]
}
