/*
 * Float32 training kernels for src/nn (the speed path; float64 gradient checks stay in
 * TypeScript). Each function does the whole tensor in ONE N-API call: fused multi-head
 * attention forward/backward over all bags and heads, GELU (tanh form), layer norm, bias
 * broadcast and bias-gradient column sums, and the residual add. Hand-written because the JavaScript loops they
 * replace spent most of a training step in per-element work and per-call N-API overhead;
 * there is no maintained C library for these small fused ops that we could link instead.
 *
 * Reproducibility: everything is deterministic. Reductions use a fixed order (explicit 8- or
 * 16-lane partial sums, fixed row blocks), work is handed to threads in whole bags, row blocks
 * or chunks, each computed on its own, so the output is identical for any thread count and
 * schedule (the per-head products are OpenBLAS sgemm calls, run single-threaded inside a
 * split). Built with -ffp-contract=off so the compiler never fuses a*b+c differently in
 * vectorised and scalar code. NN_NO_CLONES turns off the multi-versioning below (used to check
 * by hand that single-ISA builds give the same bytes).
 *
 * Registered into the addon's exports by nn_register() (called from genbound.c's init).
 */
#include <node_api.h>
#include "napi-args.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
                   const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
                   const int *ldc);
extern void openblas_set_num_threads(int n);
extern int openblas_get_num_threads(void);

#define MAX_THREADS 16
#define LANES 8
/* Softmax rows use 16 lanes (one AVX-512 vector; four SSE vectors): exp dominates there. */
#define SLANES 16
/* Rows per block for column reductions: fixed, so the summation order never depends on threads. */
#define ROW_BLOCK 256

#define ARGS(n)                                                                       \
  size_t argc = n;                                                                    \
  napi_value argv[n];                                                                 \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n)    \
    return fail(env, NAME ": expected " #n " arguments");

/* ---------- threads ---------- */

typedef void (*range_fn)(void *ctx, int lo, int hi);
typedef struct {
  range_fn fn;
  void *ctx;
  int n, grain;
  atomic_int next; /* first unit not yet taken */
} range_job;

/* Takes `grain` units at a time until none are left. */
static void run_units(range_job *j) {
  for (;;) {
    int lo = atomic_fetch_add(&j->next, j->grain);
    if (lo >= j->n) return;
    j->fn(j->ctx, lo, lo + j->grain < j->n ? lo + j->grain : j->n);
  }
}

static void *range_thread(void *p) {
  run_units((range_job *)p);
  return NULL;
}

/*
 * Runs fn over the units [0, n) (bags, row blocks, chunks) on `threads` threads, the caller's
 * included. Units are handed out dynamically in groups of `grain`, so a thread that the OS
 * preempts (the machine is shared) holds up at most one group instead of half the work. Every
 * kernel computes each unit on its own, whichever thread takes it, so the result does not
 * depend on the schedule. OpenBLAS is set to one thread meanwhile, so sgemm calls made inside fn
 * never start OpenBLAS's own pool from two threads at once.
 */
static void parallel_for(int threads, int n, range_fn fn, void *ctx, int uses_blas) {
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > n) threads = n;
  if (threads <= 1) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
  int blas = uses_blas ? openblas_get_num_threads() : 1;
  if (blas != 1) openblas_set_num_threads(1);
  range_job job;
  job.fn = fn;
  job.ctx = ctx;
  job.n = n;
  job.grain = n / (threads * 8) > 1 ? n / (threads * 8) : 1;
  atomic_init(&job.next, 0);
  pthread_t tid[MAX_THREADS];
  int started[MAX_THREADS];
  /* A thread that cannot be started is simply absent: the others take its units. */
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, range_thread, &job) == 0;
  run_units(&job);
  for (int t = 1; t < threads; t++)
    if (started[t]) pthread_join(tid[t], NULL);
  if (blas != 1) openblas_set_num_threads(blas);
}

/*
 * The elementwise kernels are compiled for AVX-512, AVX2 and baseline x86-64 and the loader
 * picks one for the CPU (GCC function multi-versioning), so a portable -O3 build still gets
 * wide vectors. All versions compute bit-identical results: -ffp-contract=off forbids fused
 * multiply-adds, vectorising elementwise IEEE operations does not change them, and every
 * reduction has its order fixed in the source (the vectoriser may not reorder float sums).
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && !defined(NN_NO_CLONES)
#define HOT __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HOT
#endif

/* ---------- math ---------- */

/* Row-major C = alpha·op(A)·op(B) + beta·C as the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ. */
static void rm_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                     int ldb, float beta, float *c, int ldc) {
  if (m == 0 || n == 0) return;
  sgemm_(tb ? "T" : "N", ta ? "T" : "N", &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc);
}

/*
 * e^x in float32, written so the compiler vectorises loops calling it: x = k·ln2 + f with
 * |f| ≤ ln2/2 (Cody–Waite split of ln2), e^f by its degree-7 Taylor polynomial (truncation
 * ≤ 5.6e-9 relative, below float32's 6e-8), 2^k put straight into the exponent bits. x is
 * clamped to [−87, 88] (e^−87 ≈ 1.6e−38, still a normal float). k is rounded with the
 * 1.5·2^23 trick instead of floorf/rintf, which plain SSE2 cannot inline.
 */
static inline float exp_f32(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float shifter = 12582912.0f; /* 1.5·2^23 */
  float kf = (x * 1.44269504088896341f + shifter) - shifter;
  float f = x - kf * 0.693145751953125f;
  f = f - kf * 1.428606765330187e-06f;
  float p = 1.0f + f * (1.0f + f * (0.5f + f * (1.6666667e-1f + f * (4.1666668e-2f +
            f * (8.3333338e-3f + f * (1.3888889e-3f + f * 1.9841270e-4f))))));
  int32_t bits = ((int32_t)kf + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* tanh(u) = 1 − 2/(e^{2u} + 1); |u| > 9 gives ±1 to float32 precision. */
static inline float tanh_f32(float u) {
  u = u < -9.0f ? -9.0f : u;
  u = u > 9.0f ? 9.0f : u;
  return 1.0f - 2.0f / (exp_f32(2.0f * u) + 1.0f);
}

/* Σ x[j]·y[j] (y NULL: Σ x[j]) in a fixed order: 8 interleaved partial sums, then the tail. */
static inline float dot_f32(const float *x, const float *y, int n) {
  float acc[LANES] = {0};
  int j = 0;
  if (y) {
    for (; j + LANES <= n; j += LANES)
      for (int l = 0; l < LANES; l++) acc[l] += x[j + l] * y[j + l];
  } else {
    for (; j + LANES <= n; j += LANES)
      for (int l = 0; l < LANES; l++) acc[l] += x[j + l];
  }
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; j < n; j++) s += y ? x[j] * y[j] : x[j];
  return s;
}

/*
 * In-place softmax of row x[0..n−1]: keys after `last` and keys with mask[j] = 0 get
 * probability 0; a row with no visible key becomes all zeros (as the TypeScript kernel).
 */
static inline void softmax_row(float *x, int n, const uint8_t *mask, int last) {
  int end = last < n - 1 ? last : n - 1;
  int cnt = end + 1, j;
  /* Row maximum over visible keys, 16 lanes (max is exact, so the order is immaterial). */
  float m[SLANES];
  for (int l = 0; l < SLANES; l++) m[l] = -INFINITY;
  if (mask) {
    for (j = 0; j + SLANES <= cnt; j += SLANES)
      for (int l = 0; l < SLANES; l++) {
        float v = mask[j + l] ? x[j + l] : -INFINITY;
        m[l] = v > m[l] ? v : m[l];
      }
    for (; j < cnt; j++)
      if (mask[j] && x[j] > m[0]) m[0] = x[j];
  } else {
    for (j = 0; j + SLANES <= cnt; j += SLANES)
      for (int l = 0; l < SLANES; l++) m[l] = x[j + l] > m[l] ? x[j + l] : m[l];
    for (; j < cnt; j++)
      if (x[j] > m[0]) m[0] = x[j];
  }
  float mx = m[0];
  for (int l = 1; l < SLANES; l++) mx = m[l] > mx ? m[l] : mx;
  if (mx == -INFINITY) {
    memset(x, 0, sizeof(float) * (size_t)n);
    return;
  }
  /* e = exp(x − max) (0 for masked keys) and its sum in a fixed order (16 lane sums, then pairwise in lane order). */
  float acc[SLANES] = {0};
  for (j = 0; j + SLANES <= cnt; j += SLANES)
    for (int l = 0; l < SLANES; l++) {
      float e = exp_f32(x[j + l] - mx);
      if (mask) e = mask[j + l] ? e : 0.0f;
      x[j + l] = e;
      acc[l] += e;
    }
  float s = 0.0f;
  for (int l = 0; l < SLANES; l += 2) s += acc[l] + acc[l + 1];
  for (; j < cnt; j++) {
    float e = exp_f32(x[j] - mx);
    if (mask) e = mask[j] ? e : 0.0f;
    x[j] = e;
    s += e;
  }
  float inv = 1.0f / s;
  for (j = 0; j < cnt; j++) x[j] *= inv;
  if (cnt < n) memset(x + cnt, 0, sizeof(float) * (size_t)(n - cnt));
}

/* ---------- attention ---------- */

typedef struct {
  const float *q, *k, *v, *g;
  float *p, *y, *dq, *dk, *dv;
  const uint8_t *mask;
  int bn, tq, tk, dm, h, dh, causal;
  float scale, bq, bk, bv;
  int oom[MAX_THREADS]; /* per-part flag: a backward part could not allocate its dP scratch */
} attn_ctx;

HOT static void attn_fwd_range(void *vc, int b0, int b1) {
  const attn_ctx *c = (const attn_ctx *)vc;
  int tq = c->tq, tk = c->tk, dm = c->dm, dh = c->dh, shift = tk - tq;
  size_t tt = (size_t)tq * tk;
  for (int b = b0; b < b1; b++) {
    const float *qb = c->q + (size_t)b * tq * dm, *kb = c->k + (size_t)b * tk * dm, *vb = c->v + (size_t)b * tk * dm;
    const uint8_t *mb = c->mask ? c->mask + (size_t)b * tk : NULL;
    for (int hh = 0; hh < c->h; hh++) {
      float *P = c->p + ((size_t)b * c->h + hh) * tt;
      rm_sgemm(0, 1, tq, tk, dh, c->scale, qb + hh * dh, dm, kb + hh * dh, dm, 0.0f, P, tk);
      for (int i = 0; i < tq; i++) softmax_row(P + (size_t)i * tk, tk, mb, c->causal ? i + shift : tk - 1);
      rm_sgemm(0, 0, tq, dh, tk, 1.0f, P, tk, vb + hh * dh, dm, 0.0f, c->y + (size_t)b * tq * dm + hh * dh, dm);
    }
  }
}

HOT static void attn_bwd_range(void *vc, int b0, int b1) {
  const attn_ctx *c = (const attn_ctx *)vc;
  int tq = c->tq, tk = c->tk, dm = c->dm, dh = c->dh;
  size_t tt = (size_t)tq * tk;
  float *dp = (c->dq || c->dk) ? (float *)malloc(sizeof(float) * tt) : NULL;
  if ((c->dq || c->dk) && !dp) {
    /* Checked after the join. Parts write only the value 1, to slots picked by their first bag. */
    ((attn_ctx *)vc)->oom[b0 % MAX_THREADS] = 1;
    return;
  }
  for (int b = b0; b < b1; b++) {
    size_t qo = (size_t)b * tq * dm, ko = (size_t)b * tk * dm;
    for (int hh = 0; hh < c->h; hh++) {
      const float *P = c->p + ((size_t)b * c->h + hh) * tt;
      const float *gb = c->g + qo + hh * dh;
      if (c->dv) rm_sgemm(1, 0, tk, dh, tq, 1.0f, P, tk, gb, dm, c->bv, c->dv + ko + hh * dh, dm);
      if (!dp) continue;
      rm_sgemm(0, 1, tq, tk, dh, 1.0f, gb, dm, c->v + ko + hh * dh, dm, 0.0f, dp, tk);
      /* dS = s·P ⊙ (dP − rowsum(dP ⊙ P)) */
      for (int i = 0; i < tq; i++) {
        float *d = dp + (size_t)i * tk;
        const float *pr = P + (size_t)i * tk;
        float dot = dot_f32(d, pr, tk);
        for (int j = 0; j < tk; j++) d[j] = c->scale * pr[j] * (d[j] - dot);
      }
      if (c->dq) rm_sgemm(0, 0, tq, dh, tk, 1.0f, dp, tk, c->k + ko + hh * dh, dm, c->bq, c->dq + qo + hh * dh, dm);
      if (c->dk) rm_sgemm(1, 0, tk, dh, tq, 1.0f, dp, tk, c->q + qo + hh * dh, dm, c->bk, c->dk + ko + hh * dh, dm);
    }
  }
  free(dp);
}

/* Parses the shape arguments shared by both attention entries, starting at argv[i]. */
static const char *attn_shape(napi_env env, napi_value *argv, attn_ctx *c) {
  double s;
  if (!get_int(env, argv[0], &c->bn) || !get_int(env, argv[1], &c->tq) || !get_int(env, argv[2], &c->tk) ||
      !get_int(env, argv[3], &c->dm) || !get_int(env, argv[4], &c->h) || !get_double(env, argv[5], &s))
    return "bn, tq, tk, dm, heads must be non-negative integers and scale a number";
  if (c->h < 1 || c->dm % c->h != 0) return "dm must be a multiple of heads >= 1";
  c->dh = c->dm / c->h;
  c->scale = (float)s;
  return NULL;
}

/*
 * attnForward(bn, tq, tk, dm, heads, scale, q, k, v, mask|null, causal, p, y, threads):
 * q [bn,tq,dm], k, v [bn,tk,dm]; writes P [bn,heads,tq,tk] (kept for backward) and y [bn,tq,dm].
 */
#define NAME "attnForward"
static napi_value js_attn_forward(napi_env env, napi_callback_info info) {
  ARGS(14)
  attn_ctx c;
  memset(&c, 0, sizeof c);
  if (attn_shape(env, argv, &c)) return fail(env, NAME ": bad shape arguments");
  size_t nq = (size_t)c.bn * c.tq * c.dm, nk = (size_t)c.bn * c.tk * c.dm, np = (size_t)c.bn * c.h * c.tq * c.tk;
  int threads;
  if (!get_array_opt(env, argv[6], napi_float32_array, nq, 0, (void **)&c.q) ||
      !get_array_opt(env, argv[7], napi_float32_array, nk, 0, (void **)&c.k) ||
      !get_array_opt(env, argv[8], napi_float32_array, nk, 0, (void **)&c.v) ||
      !get_array_opt(env, argv[9], napi_uint8_array, (size_t)c.bn * c.tk, 1, (void **)&c.mask) ||
      !get_bool(env, argv[10], &c.causal) || !get_array_opt(env, argv[11], napi_float32_array, np, 0, (void **)&c.p) ||
      !get_array_opt(env, argv[12], napi_float32_array, nq, 0, (void **)&c.y) || !get_int(env, argv[13], &threads))
    return fail(env, NAME ": arrays must be Float32Array (mask Uint8Array or null) of the right length");
  parallel_for(threads, c.bn, attn_fwd_range, &c, 1);
  return NULL;
}
#undef NAME

/*
 * attnBackward(bn, tq, tk, dm, heads, scale, q, k, v, p, g, dq|null, dk|null, dv|null,
 *              betaQ, betaK, betaV, threads): g = dL/dy; each non-null gradient gets
 * beta·grad + its contribution (beta 0: overwrite an uninitialised buffer).
 */
#define NAME "attnBackward"
static napi_value js_attn_backward(napi_env env, napi_callback_info info) {
  ARGS(18)
  attn_ctx c;
  memset(&c, 0, sizeof c);
  if (attn_shape(env, argv, &c)) return fail(env, NAME ": bad shape arguments");
  size_t nq = (size_t)c.bn * c.tq * c.dm, nk = (size_t)c.bn * c.tk * c.dm, np = (size_t)c.bn * c.h * c.tq * c.tk;
  double bq, bk, bv;
  int threads;
  if (!get_array_opt(env, argv[6], napi_float32_array, nq, 0, (void **)&c.q) ||
      !get_array_opt(env, argv[7], napi_float32_array, nk, 0, (void **)&c.k) ||
      !get_array_opt(env, argv[8], napi_float32_array, nk, 0, (void **)&c.v) ||
      !get_array_opt(env, argv[9], napi_float32_array, np, 0, (void **)&c.p) ||
      !get_array_opt(env, argv[10], napi_float32_array, nq, 0, (void **)&c.g) ||
      !get_array_opt(env, argv[11], napi_float32_array, nq, 1, (void **)&c.dq) ||
      !get_array_opt(env, argv[12], napi_float32_array, nk, 1, (void **)&c.dk) ||
      !get_array_opt(env, argv[13], napi_float32_array, nk, 1, (void **)&c.dv) || !get_double(env, argv[14], &bq) ||
      !get_double(env, argv[15], &bk) || !get_double(env, argv[16], &bv) || !get_int(env, argv[17], &threads))
    return fail(env, NAME ": arrays must be Float32Array (gradients may be null) of the right length");
  c.bq = (float)bq;
  c.bk = (float)bk;
  c.bv = (float)bv;
  parallel_for(threads, c.bn, attn_bwd_range, &c, 1);
  for (int t = 0; t < MAX_THREADS; t++)
    if (c.oom[t]) return fail(env, NAME ": out of memory for the dP scratch");
  return NULL;
}
#undef NAME

/* ---------- GELU (tanh form) ---------- */

#define GELU_C 0.7978845608028654f /* √(2/π) */
#define GELU_A 0.044715f

typedef struct {
  const float *x, *t, *g;
  float *y, *tt, *d;
  int fresh;
} gelu_ctx;

HOT static void gelu_fwd_range(void *vc, int lo, int hi) {
  const gelu_ctx *c = (const gelu_ctx *)vc;
  const float *x = c->x;
  float *y = c->y, *t = c->tt;
  for (int i = lo; i < hi; i++) {
    float v = x[i];
    float th = tanh_f32(GELU_C * (v + GELU_A * v * v * v));
    t[i] = th;
    y[i] = 0.5f * v * (1.0f + th);
  }
}

HOT static void gelu_bwd_range(void *vc, int lo, int hi) {
  const gelu_ctx *c = (const gelu_ctx *)vc;
  const float *x = c->x, *t = c->t, *g = c->g;
  float *d = c->d;
  if (c->fresh) {
    for (int i = lo; i < hi; i++) {
      float v = x[i], th = t[i];
      d[i] = g[i] * (0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * GELU_C * (1.0f + 3.0f * GELU_A * v * v));
    }
  } else {
    for (int i = lo; i < hi; i++) {
      float v = x[i], th = t[i];
      d[i] += g[i] * (0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * GELU_C * (1.0f + 3.0f * GELU_A * v * v));
    }
  }
}

/* Elementwise work is split in chunks of this many elements (whole chunks per thread). */
#define CHUNK 16384

typedef struct {
  range_fn fn;
  void *ctx;
  int n;
} chunk_ctx;

static void chunk_range(void *vc, int lo, int hi) {
  const chunk_ctx *c = (const chunk_ctx *)vc;
  int a = lo * CHUNK, b = hi * CHUNK < c->n ? hi * CHUNK : c->n;
  c->fn(c->ctx, a, b);
}

static void parallel_elems(int threads, int n, range_fn fn, void *ctx) {
  chunk_ctx cc = {fn, ctx, n};
  parallel_for(threads, (n + CHUNK - 1) / CHUNK, chunk_range, &cc, 0);
}

/* geluForward(n, x, y, t, threads): y = gelu(x), t = tanh(c·(x + a·x³)) kept for backward. */
#define NAME "geluForward"
static napi_value js_gelu_forward(napi_env env, napi_callback_info info) {
  ARGS(5)
  gelu_ctx c;
  memset(&c, 0, sizeof c);
  int n, threads;
  if (!get_int(env, argv[0], &n) || !get_array_opt(env, argv[1], napi_float32_array, n, 0, (void **)&c.x) ||
      !get_array_opt(env, argv[2], napi_float32_array, n, 0, (void **)&c.y) ||
      !get_array_opt(env, argv[3], napi_float32_array, n, 0, (void **)&c.tt) || !get_int(env, argv[4], &threads))
    return fail(env, NAME ": expected (n, x, y, t: Float32Array of n elements, threads)");
  parallel_elems(threads, n, gelu_fwd_range, &c);
  return NULL;
}
#undef NAME

/* geluBackward(n, x, t, g, d, fresh, threads): d (=, or += unless fresh) g·gelu'(x). */
#define NAME "geluBackward"
static napi_value js_gelu_backward(napi_env env, napi_callback_info info) {
  ARGS(7)
  gelu_ctx c;
  memset(&c, 0, sizeof c);
  int n, threads;
  if (!get_int(env, argv[0], &n) || !get_array_opt(env, argv[1], napi_float32_array, n, 0, (void **)&c.x) ||
      !get_array_opt(env, argv[2], napi_float32_array, n, 0, (void **)&c.t) ||
      !get_array_opt(env, argv[3], napi_float32_array, n, 0, (void **)&c.g) ||
      !get_array_opt(env, argv[4], napi_float32_array, n, 0, (void **)&c.d) || !get_bool(env, argv[5], &c.fresh) ||
      !get_int(env, argv[6], &threads))
    return fail(env, NAME ": expected (n, x, t, g, d: Float32Array of n elements, fresh, threads)");
  parallel_elems(threads, n, gelu_bwd_range, &c);
  return NULL;
}
#undef NAME

/* ---------- layer norm ---------- */

typedef struct {
  const float *x, *gamma, *beta, *g, *xhat, *rstd_in;
  float *y, *xh, *rstd, *dx;
  double *part; /* [blocks][2·d] partial dγ, dβ per row block */
  int rows, d, fresh, want_p;
  double eps;
} ln_ctx;

HOT static void ln_fwd_range(void *vc, int r0, int r1) {
  const ln_ctx *c = (const ln_ctx *)vc;
  int d = c->d;
  for (int r = r0; r < r1; r++) {
    const float *x = c->x + (size_t)r * d;
    float *xh = c->xh + (size_t)r * d, *y = c->y + (size_t)r * d;
    /* Statistics in float64 with 4 fixed partial sums (as the TypeScript kernel, in float64). */
    double a[4] = {0, 0, 0, 0};
    int j = 0;
    for (; j + 4 <= d; j += 4)
      for (int l = 0; l < 4; l++) a[l] += x[j + l];
    double mu = (a[0] + a[1]) + (a[2] + a[3]);
    for (; j < d; j++) mu += x[j];
    mu /= d;
    double v[4] = {0, 0, 0, 0};
    for (j = 0; j + 4 <= d; j += 4)
      for (int l = 0; l < 4; l++) {
        double t = x[j + l] - mu;
        v[l] += t * t;
      }
    double var = (v[0] + v[1]) + (v[2] + v[3]);
    for (; j < d; j++) var += (x[j] - mu) * (x[j] - mu);
    double rs = 1.0 / sqrt(var / d + c->eps);
    c->rstd[r] = (float)rs;
    float muf = (float)mu, rsf = (float)rs;
    for (j = 0; j < d; j++) {
      float h = (x[j] - muf) * rsf;
      xh[j] = h;
      y[j] = h * c->gamma[j] + c->beta[j];
    }
  }
}

/* Row blocks b0..b1−1 of ROW_BLOCK rows: dx rows, and each block's dγ, dβ partial sums. */
HOT static void ln_bwd_range(void *vc, int b0, int b1) {
  const ln_ctx *c = (const ln_ctx *)vc;
  int d = c->d;
  for (int blk = b0; blk < b1; blk++) {
    int r0 = blk * ROW_BLOCK, r1 = r0 + ROW_BLOCK < c->rows ? r0 + ROW_BLOCK : c->rows;
    double *pg = c->part ? c->part + (size_t)blk * 2 * d : NULL, *pb = pg ? pg + d : NULL;
    if (pg) memset(pg, 0, sizeof(double) * 2 * (size_t)d);
    for (int r = r0; r < r1; r++) {
      const float *g = c->g + (size_t)r * d, *xh = c->xhat + (size_t)r * d;
      if (pg)
        for (int j = 0; j < d; j++) {
          pg[j] += (double)(g[j] * xh[j]);
          pb[j] += g[j];
        }
      if (!c->dx) continue;
      float m1a[LANES] = {0}, m2a[LANES] = {0};
      int j = 0;
      for (; j + LANES <= d; j += LANES)
        for (int l = 0; l < LANES; l++) {
          float gh = g[j + l] * c->gamma[j + l];
          m1a[l] += gh;
          m2a[l] += gh * xh[j + l];
        }
      float m1 = ((m1a[0] + m1a[1]) + (m1a[2] + m1a[3])) + ((m1a[4] + m1a[5]) + (m1a[6] + m1a[7]));
      float m2 = ((m2a[0] + m2a[1]) + (m2a[2] + m2a[3])) + ((m2a[4] + m2a[5]) + (m2a[6] + m2a[7]));
      for (; j < d; j++) {
        float gh = g[j] * c->gamma[j];
        m1 += gh;
        m2 += gh * xh[j];
      }
      m1 /= (float)d;
      m2 /= (float)d;
      float rs = c->rstd_in[r];
      float *dx = c->dx + (size_t)r * d;
      if (c->fresh)
        for (j = 0; j < d; j++) dx[j] = rs * (g[j] * c->gamma[j] - m1 - xh[j] * m2);
      else
        for (j = 0; j < d; j++) dx[j] += rs * (g[j] * c->gamma[j] - m1 - xh[j] * m2);
    }
  }
}

/* layerNormForward(rows, d, eps, x, gamma, beta, y, xhat, rstd[rows], threads). */
#define NAME "layerNormForward"
static napi_value js_ln_forward(napi_env env, napi_callback_info info) {
  ARGS(10)
  ln_ctx c;
  memset(&c, 0, sizeof c);
  int threads;
  if (!get_int(env, argv[0], &c.rows) || !get_int(env, argv[1], &c.d) || !get_double(env, argv[2], &c.eps))
    return fail(env, NAME ": expected integer rows, d and a number eps");
  size_t n = (size_t)c.rows * c.d;
  if (!get_array_opt(env, argv[3], napi_float32_array, n, 0, (void **)&c.x) ||
      !get_array_opt(env, argv[4], napi_float32_array, c.d, 0, (void **)&c.gamma) ||
      !get_array_opt(env, argv[5], napi_float32_array, c.d, 0, (void **)&c.beta) ||
      !get_array_opt(env, argv[6], napi_float32_array, n, 0, (void **)&c.y) ||
      !get_array_opt(env, argv[7], napi_float32_array, n, 0, (void **)&c.xh) ||
      !get_array_opt(env, argv[8], napi_float32_array, c.rows, 0, (void **)&c.rstd) || !get_int(env, argv[9], &threads))
    return fail(env, NAME ": arrays must be Float32Array of the right length");
  parallel_for(threads, c.rows, ln_fwd_range, &c, 0);
  return NULL;
}
#undef NAME

/*
 * layerNormBackward(rows, d, g, xhat, rstd, gamma, dx|null, fresh, dgamma|null, dbeta|null, threads):
 * dx (=, or += unless fresh) the input gradient; dγ += Σ g⊙x̂ and dβ += Σ g over rows (float64
 * partial sums per fixed block of rows, added in block order).
 */
#define NAME "layerNormBackward"
static napi_value js_ln_backward(napi_env env, napi_callback_info info) {
  ARGS(11)
  ln_ctx c;
  memset(&c, 0, sizeof c);
  int threads;
  float *dgam, *dbet;
  if (!get_int(env, argv[0], &c.rows) || !get_int(env, argv[1], &c.d)) return fail(env, NAME ": bad rows/d");
  size_t n = (size_t)c.rows * c.d;
  if (!get_array_opt(env, argv[2], napi_float32_array, n, 0, (void **)&c.g) ||
      !get_array_opt(env, argv[3], napi_float32_array, n, 0, (void **)&c.xhat) ||
      !get_array_opt(env, argv[4], napi_float32_array, c.rows, 0, (void **)&c.rstd_in) ||
      !get_array_opt(env, argv[5], napi_float32_array, c.d, 0, (void **)&c.gamma) ||
      !get_array_opt(env, argv[6], napi_float32_array, n, 1, (void **)&c.dx) || !get_bool(env, argv[7], &c.fresh) ||
      !get_array_opt(env, argv[8], napi_float32_array, c.d, 1, (void **)&dgam) ||
      !get_array_opt(env, argv[9], napi_float32_array, c.d, 1, (void **)&dbet) || !get_int(env, argv[10], &threads))
    return fail(env, NAME ": arrays must be Float32Array of the right length (dx, dgamma, dbeta may be null)");
  int blocks = (c.rows + ROW_BLOCK - 1) / ROW_BLOCK;
  if (dgam || dbet) {
    c.part = (double *)malloc(sizeof(double) * 2 * (size_t)c.d * (size_t)(blocks > 0 ? blocks : 1));
    if (!c.part) return fail(env, NAME ": out of memory");
  }
  parallel_for(threads, blocks, ln_bwd_range, &c, 0);
  if (c.part) {
    for (int j = 0; j < c.d; j++) {
      double sg = 0, sb = 0;
      for (int b = 0; b < blocks; b++) {
        sg += c.part[(size_t)b * 2 * c.d + j];
        sb += c.part[(size_t)b * 2 * c.d + c.d + j];
      }
      if (dgam) dgam[j] += (float)sg;
      if (dbet) dbet[j] += (float)sb;
    }
    free(c.part);
  }
  return NULL;
}
#undef NAME

/* ---------- residual add ---------- */

typedef struct {
  const float *a, *b;
  float *y;
} add_ctx;

HOT static void add_range(void *vc, int lo, int hi) {
  const add_ctx *c = (const add_ctx *)vc;
  for (int i = lo; i < hi; i++) c->y[i] = c->a[i] + c->b[i];
}

/* vecAdd(n, a, b, y, threads): y = a + b elementwise (y may be a or b). */
#define NAME "vecAdd"
static napi_value js_vec_add(napi_env env, napi_callback_info info) {
  ARGS(5)
  add_ctx c;
  int n, threads;
  if (!get_int(env, argv[0], &n) || !get_array_opt(env, argv[1], napi_float32_array, n, 0, (void **)&c.a) ||
      !get_array_opt(env, argv[2], napi_float32_array, n, 0, (void **)&c.b) ||
      !get_array_opt(env, argv[3], napi_float32_array, n, 0, (void **)&c.y) || !get_int(env, argv[4], &threads))
    return fail(env, NAME ": expected (n, a, b, y: Float32Array of n elements, threads)");
  parallel_elems(threads, n, add_range, &c);
  return NULL;
}
#undef NAME

/* ---------- bias ---------- */

/* biasRows(rows, n, b, y): every row of y [rows, n] set to b (the GEMM then adds x·Wᵀ). */
#define NAME "biasRows"
static napi_value js_bias_rows(napi_env env, napi_callback_info info) {
  ARGS(4)
  int rows, n;
  float *b, *y;
  if (!get_int(env, argv[0], &rows) || !get_int(env, argv[1], &n) ||
      !get_array_opt(env, argv[2], napi_float32_array, n, 0, (void **)&b) ||
      !get_array_opt(env, argv[3], napi_float32_array, (size_t)rows * n, 0, (void **)&y))
    return fail(env, NAME ": expected (rows, n, b: Float32Array(n), y: Float32Array(rows·n))");
  for (int r = 0; r < rows; r++) memcpy(y + (size_t)r * n, b, sizeof(float) * (size_t)n);
  return NULL;
}
#undef NAME

/* Within a block of 16 rows sums run in float32 (vectorised); blocks are added in float64. */
HOT static void col_sums(const float *g, int rows, int n, float *blk, double *acc) {
  for (int r0 = 0; r0 < rows; r0 += 16) {
    int r1 = r0 + 16 < rows ? r0 + 16 : rows;
    memset(blk, 0, sizeof(float) * (size_t)n);
    for (int r = r0; r < r1; r++) {
      const float *gr = g + (size_t)r * n;
      for (int j = 0; j < n; j++) blk[j] += gr[j];
    }
    for (int j = 0; j < n; j++) acc[j] += blk[j];
  }
}

/*
 * colSums(rows, n, g, db): db[j] += Σ_r g[r, j], summed in float64 per fixed block of rows and
 * the blocks added in order.
 */
#define NAME "colSums"
static napi_value js_col_sums(napi_env env, napi_callback_info info) {
  ARGS(4)
  int rows, n;
  float *g, *db;
  if (!get_int(env, argv[0], &rows) || !get_int(env, argv[1], &n) ||
      !get_array_opt(env, argv[2], napi_float32_array, (size_t)rows * n, 0, (void **)&g) ||
      !get_array_opt(env, argv[3], napi_float32_array, n, 0, (void **)&db))
    return fail(env, NAME ": expected (rows, n, g: Float32Array(rows·n), db: Float32Array(n))");
  double *acc = (double *)calloc((size_t)n, sizeof(double));
  float *blk = (float *)malloc(sizeof(float) * (size_t)n);
  if (!acc || !blk) {
    free(acc);
    free(blk);
    return fail(env, NAME ": out of memory");
  }
  col_sums(g, rows, n, blk, acc);
  for (int j = 0; j < n; j++) db[j] += (float)acc[j];
  free(acc);
  free(blk);
  return NULL;
}
#undef NAME

/* Adds the kernels above to the addon's exports (called once from genbound.c's init). */
napi_status nn_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"attnForward", NULL, js_attn_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"attnBackward", NULL, js_attn_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"geluForward", NULL, js_gelu_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"geluBackward", NULL, js_gelu_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormForward", NULL, js_ln_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormBackward", NULL, js_ln_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"biasRows", NULL, js_bias_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"colSums", NULL, js_col_sums, NULL, NULL, NULL, napi_enumerable, NULL},
      {"vecAdd", NULL, js_vec_add, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
