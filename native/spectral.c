/*
 * The analysis kernels of the native backend: everything genbound measures of one theory matrix
 * in ONE addon call, reading the caller's float32 or float64 array directly (no float64 copy or
 * transpose in JavaScript), with thread-local scratch.
 *
 *   denseMeasures   σ (dgesdd, values only), column norms, (1,1)- and Frobenius norms of a dense
 *                   matrix; the float64 copy LAPACK overwrites is laid out TALL (column-major
 *                   M ≥ N), so dgesdd takes its QR-first path (768×3072: ~1.4× faster than the
 *                   LQ-first path of the wide layout, OpenBLAS 0.3.21).
 *   productMeasures σ(A·B) for thin factors (QRs of A and Bᵀ, k×k core), the column norms of
 *                   A·B from R_A·B (k×n: ‖A·b_j‖ = ‖R_A·b_j‖ because Q_A has orthonormal
 *                   columns), and the (1,1)-norm Σ|(A·B)ᵢⱼ|, which needs every entry: computed
 *                   tile by tile (a few rows of A·B at a time, dgemm then a sum of |x|), so no m×n
 *                   array is ever formed; only when asked (want11: m·k·n multiply-adds, the
 *                   cost of forming the product, which is why the analysis makes it opt-in).
 *   productSvals    the singular values alone (kept for its callers and tests).
 *
 * Layout: every matrix crossing this boundary is ROW-major (see genbound.c).
 * Registered into the addon's exports by spectral_register() (called from genbound.c's init).
 */
#include <node_api.h>
#include "napi-args.h"
#include "blas.h"
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Per-thread scratch, grown on demand and kept: the factored path runs once per attention head,
 * and malloc'ing per call (mmap + page faults, i.e. sys time) cost as much as the QRs. Thread-local
 * because pool workers (worker_threads) call the addon concurrently. Requests above KEEP_MAX
 * doubles (64 MB: a 1024×4096 dense copy fits) get a one-off malloc, so a 7B-sized call does
 * not pin memory.
 */
#define KEEP_MAX ((size_t)1 << 23)
static __thread double *scratch;
static __thread size_t scratch_cap;

static double *scratch_get(size_t n, int *owned) {
  *owned = 0;
  if (n <= scratch_cap) return scratch;
  if (n > KEEP_MAX) {
    *owned = 1;
    return (double *)malloc(sizeof(double) * n);
  }
  double *p = (double *)realloc(scratch, sizeof(double) * n);
  if (!p) return NULL;
  scratch = p;
  scratch_cap = n;
  return p;
}

/* A float32 or float64 typed-array argument. */
typedef struct {
  const void *p;
  size_t len;
  int f32;
} farr;

static int get_farr(napi_env env, napi_value v, farr *out) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  void *data;
  if (napi_get_typedarray_info(env, v, &t, &out->len, &data, &ab, &off) != napi_ok) return 0;
  if (t != napi_float32_array && t != napi_float64_array) return 0;
  out->p = data;
  out->f32 = t == napi_float32_array;
  return 1;
}

/*
 * Whether any of the first n values is NaN or ±Inf: the exponent field all ones. Integer compares
 * on the IEEE bits (the high word of a double), OR-ed without branches, which the compiler
 * vectorises with SSE2; the previous floating-point sum of x − x was one serial add chain
 * (~4 cycles a value: 0.1 ms of a head product's ~2 ms).
 */
typedef uint32_t __attribute__((may_alias)) bits32; /* the float's bits, read without aliasing UB */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HIGH_WORD 0
#else
#define HIGH_WORD 1
#endif
static int any_bad(const farr *x, size_t n) {
  const bits32 *w = (const bits32 *)x->p;
  uint32_t acc = 0;
  if (x->f32) {
    for (size_t i = 0; i < n; i++) acc |= (uint32_t)((w[i] & 0x7f800000u) == 0x7f800000u);
  } else {
    /* the word holding the sign, the exponent and the top of the mantissa */
    for (size_t i = 0; i < n; i++) acc |= (uint32_t)((w[2 * i + HIGH_WORD] & 0x7ff00000u) == 0x7ff00000u);
  }
  return acc != 0;
}

/* Index of the first NaN/±Inf among the first n values, or -1. One branch-free pass first. */
static double first_bad(const farr *x, size_t n) {
  if (!any_bad(x, n)) return -1;
  if (x->f32) {
    const float *p = (const float *)x->p;
    for (size_t i = 0; i < n; i++)
      if (!isfinite(p[i])) return (double)i;
  } else {
    const double *p = (const double *)x->p;
    for (size_t i = 0; i < n; i++)
      if (!isfinite(p[i])) return (double)i;
  }
  return -1;
}

/* out[0..n) = x as float64 (only called for float32 input). */
static void widen(const float *x, size_t n, double *out) {
  for (size_t i = 0; i < n; i++) out[i] = x[i];
}

/* Σ|x| over n contiguous values, four partial sums. */
static double abs_sum(const double *x, size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += fabs(x[i]);
    s1 += fabs(x[i + 1]);
    s2 += fabs(x[i + 2]);
    s3 += fabs(x[i + 3]);
  }
  for (; i < n; i++) s0 += fabs(x[i]);
  return (s0 + s1) + (s2 + s3);
}

/* Smallest multiple of 8 ≥ n with an odd count of 64-byte lines (paddedStride in validate.ts). */
static int padded_stride(int n) {
  int ld = (n + 7) / 8 * 8;
  if ((ld / 8) % 2 == 0) ld += 8;
  return ld;
}

/* Powers of two outside which sums of squares are rescaled (no overflow, no underflow). */
#define SAFE_HI 0x1p400
#define SAFE_LO 0x1p-400

/* dgesdd (JOBZ='N') on the column-major M×N array a (lda); returns LAPACK's info or -1000 on OOM. */
static int svd_values(int M, int N, double *a, int lda, double *s) {
  int k = M < N ? M : N, lwork = -1, info_ = 0, one = 1;
  double wq;
  int *iwork = (int *)malloc(sizeof(int) * 8 * (size_t)k);
  if (!iwork) return -1000;
  dgesdd_("N", &M, &N, a, &lda, s, NULL, &one, NULL, &one, &wq, &lwork, iwork, &info_);
  if (info_ == 0) {
    lwork = (int)wq + 1;
    double *work = (double *)malloc(sizeof(double) * (size_t)lwork);
    if (!work) info_ = -1000;
    else {
      dgesdd_("N", &M, &N, a, &lda, s, NULL, &one, NULL, &one, work, &lwork, iwork, &info_);
      free(work);
    }
  }
  free(iwork);
  return info_;
}

/* The column-major m×n copy (leading dimension ld) of the row-major m×n x, as float64: 8 rows at
 * a time so that each column's writes are contiguous. */
#define TRANSPOSE_IN(T)                                                                  \
  static void transpose_in_##T(const T *x, int m, int n, double *out, int ld) {          \
    for (int i0 = 0; i0 < m; i0 += 8) {                                                  \
      int i1 = i0 + 8 < m ? i0 + 8 : m;                                                  \
      for (int j = 0; j < n; j++) {                                                      \
        double *dst = out + (size_t)j * ld;                                              \
        for (int i = i0; i < i1; i++) dst[i] = x[(size_t)i * n + j];                     \
      }                                                                                  \
    }                                                                                    \
  }
TRANSPOSE_IN(float)
TRANSPOSE_IN(double)

/* The tall float64 copy alone (see stats_copy): rows of the n×m view, or the blocked transpose. */
#define PLAIN_COPY(T)                                                                    \
  static void copy_##T(const T *x, int m, int n, double *out, int ld) {                 \
    if (n >= m) {                                                                        \
      for (int i = 0; i < m; i++)                                                        \
        for (int j = 0; j < n; j++) out[(size_t)i * ld + j] = x[(size_t)i * n + j];      \
      return;                                                                            \
    }                                                                                    \
    transpose_in_##T(x, m, n, out, ld);                                                  \
  }
PLAIN_COPY(float)
PLAIN_COPY(double)

/*
 * The copy LAPACK will overwrite, fused with the statistics pass. Row-major m×n x; `cs` (n) gets
 * Σᵢ xᵢⱼ² and `ca` (n) Σᵢ |xᵢⱼ|, summed down each column in row order. With `out`: n ≥ m copies
 * row i to out + i·ld (the column-major n×m view, tall); m > n writes the transpose (column-major
 * m×n, tall), 8 rows at a time so each column's writes are contiguous.
 */
#define STATS_COPY(T)                                                                              \
  static void stats_copy_##T(const T *x, int m, int n, double *out, int ld, double *cs, double *ca) { \
    if (!cs) {                                                                                     \
      copy_##T(x, m, n, out, ld);                                                                  \
      return;                                                                                      \
    }                                                                                              \
    if (!out || n >= m) {                                                                          \
      for (int i = 0; i < m; i++) {                                                                \
        const T *r = x + (size_t)i * n;                                                            \
        double *o = out ? out + (size_t)i * ld : NULL;                                             \
        for (int j = 0; j < n; j++) {                                                              \
          double v = r[j];                                                                         \
          cs[j] += v * v;                                                                          \
          ca[j] += fabs(v);                                                                        \
        }                                                                                          \
        if (o)                                                                                     \
          for (int j = 0; j < n; j++) o[j] = r[j];                                                 \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    for (int i0 = 0; i0 < m; i0 += 8) {                                                            \
      int i1 = i0 + 8 < m ? i0 + 8 : m;                                                            \
      for (int j = 0; j < n; j++) {                                                                \
        double *dst = out + (size_t)j * ld;                                                        \
        double s = cs[j], a = ca[j];                                                               \
        for (int i = i0; i < i1; i++) {                                                            \
          double v = x[(size_t)i * n + j];                                                         \
          dst[i] = v;                                                                              \
          s += v * v;                                                                              \
          a += fabs(v);                                                                            \
        }                                                                                          \
        cs[j] = s;                                                                                 \
        ca[j] = a;                                                                                 \
      }                                                                                            \
    }                                                                                              \
  }
STATS_COPY(float)
STATS_COPY(double)

/* Σ (s·xᵢⱼ)² per column (a second pass, only for float64 input outside the safe range). */
static void scaled_colsq(const double *x, int m, int n, double s, double *cs) {
  memset(cs, 0, sizeof(double) * (size_t)n);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double v = s * x[(size_t)i * n + j];
      cs[j] += v * v;
    }
}

/* Column sums of squares → norms and the Frobenius norm (float64 input rescaled when needed);
 * *maxabs (when given, float64 input only) ← max|xᵢⱼ| from the same scan. */
static double finish_norms(const farr *x, int m, int n, double *cn, double *maxabs) {
  double mx = 0, s = 1, f = 0;
  if (!x->f32) {
    /* Squares of float64 values may overflow or underflow: rescale by a power of two if needed. */
    const double *p = (const double *)x->p;
    size_t mn = (size_t)m * (size_t)n;
    for (size_t i = 0; i < mn; i++) mx = fmax(mx, fabs(p[i]));
    if (mx > SAFE_HI || (mx > 0 && mx < SAFE_LO)) {
      s = ldexp(1.0, -ilogb(mx));
      scaled_colsq(p, m, n, s, cn);
    }
  }
  if (maxabs) *maxabs = mx;
  for (int j = 0; j < n; j++) {
    f += cn[j];
    cn[j] = sqrt(cn[j]) / s;
  }
  return sqrt(f) / s;
}

/*
 * denseMeasures(m, n, a, sv | null, cn | null, stats): for the row-major m×n matrix a
 * (Float32Array or Float64Array, not modified): stats[2] ← the flat index of the first NaN/Inf
 * (then nothing else is computed) or −1; with cn: cn (n) ← the column norms, stats[0] ← Σ|aᵢⱼ|,
 * stats[1] ← ‖A‖_F; with sv (min(m, n)): the singular values, descending (dgesdd on a tall
 * float64 copy in scratch). Without cn it is the plain "singular values" call.
 */
static napi_value js_denseMeasures(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return fail(env, "denseMeasures: bad call");
  int m, n;
  farr x;
  double *sv, *cn, *stats;
  if (argc < 6 || !get_int(env, argv[0], &m) || !get_int(env, argv[1], &n) || !get_farr(env, argv[2], &x))
    return fail(env, "denseMeasures: expected (m, n, a: Float32Array | Float64Array, sv, cn, stats)");
  int k = m < n ? m : n;
  if ((size_t)m * (size_t)n > x.len) return fail(env, "denseMeasures: a is shorter than m*n");
  if (!get_array_opt(env, argv[3], napi_float64_array, (size_t)k, 1, (void **)&sv) ||
      !get_array_opt(env, argv[4], napi_float64_array, (size_t)n, 1, (void **)&cn) ||
      !get_array_opt(env, argv[5], napi_float64_array, 3, 0, (void **)&stats))
    return fail(env, "denseMeasures: sv (min(m, n)), cn (n) and stats (3) must be long enough Float64Arrays");
  size_t mn = (size_t)m * (size_t)n;
  stats[0] = 0;
  stats[1] = 0;
  stats[2] = first_bad(&x, mn);
  if (cn) memset(cn, 0, sizeof(double) * (size_t)n);
  if (stats[2] >= 0 || mn == 0 || (!sv && !cn)) return NULL;
  /* Tall layout for dgesdd: the column-major n×m view when n ≥ m, else the transpose (m×n). */
  int trans = m > n, M = trans ? m : n, N = trans ? n : m, ld = padded_stride(M);
  int owned = 0;
  double *cabs = cn ? (double *)calloc((size_t)n, sizeof(double)) : NULL;
  double *work = sv ? scratch_get((size_t)ld * (size_t)N, &owned) : NULL;
  if ((cn && !cabs) || (sv && !work)) {
    free(cabs);
    if (owned) free(work);
    return fail(env, "denseMeasures: out of memory");
  }
  if (x.f32) stats_copy_float((const float *)x.p, m, n, work, ld, cn, cabs);
  else stats_copy_double((const double *)x.p, m, n, work, ld, cn, cabs);
  if (cn) {
    double l11 = 0;
    for (int j = 0; j < n; j++) l11 += cabs[j];
    free(cabs);
    stats[0] = l11;
    stats[1] = finish_norms(&x, m, n, cn, NULL);
  }
  int info_ = sv ? svd_values(M, N, work, ld, sv) : 0;
  if (owned) free(work);
  if (info_ == -1000) return fail(env, "denseMeasures: out of memory");
  if (info_ != 0) {
    char msg[128];
    snprintf(msg, sizeof msg, "dgesdd: LAPACK info = %d (%s)", info_, info_ < 0 ? "bad argument" : "did not converge");
    return fail(env, msg);
  }
  return NULL;
}

/*
 * dgeqrt (compact-WY blocks) or dgeqrf (whose panels under 128 columns stay unblocked, level 2),
 * and dgeqrt's block size nb, by measurement (one thread, CPU ms, min of 200):
 *   AVX-512 kernels (SkylakeX core; Zen 4): 768×64 dgeqrt(16) 0.16 vs dgeqrf 0.29;
 *   Haswell kernels (AVX2; Zen 3, EPYC): 768×64 dgeqrf 0.52 vs dgeqrt(16) 0.53, dgeqrt(32) 0.54;
 *     1024×64 0.71 vs 0.77 / 0.75; 4096×128 dgeqrf 13.5 vs dgeqrt(16) 9.1, dgeqrt(32) 8.3.
 * Returns nb, or 0 for dgeqrf.
 */
static int qrt_block(int k) {
  const char *core = openblas_get_corename();
  int avx512 = core && (strcasecmp(core, "skylakex") == 0 || strcasecmp(core, "cooperlake") == 0 ||
                        strcasecmp(core, "sapphirerapids") == 0);
  if (avx512) return k < 16 ? k : 16; /* nb 8–32 measured alike for 768×64 */
  return k >= 128 ? 32 : 0;
}

/* out[0..n) = x as float64: a copy, or widened from float32. */
static void load_f64(const farr *x, size_t n, double *out) {
  if (x->f32) widen((const float *)x->p, n, out);
  else memcpy(out, x->p, sizeof(double) * n);
}

/* One thin QR of the product path: loads `src` (if set) into `a` as float64, then dgeqrt or dgeqrf in place. */
typedef struct {
  int m, k, nb, lwq, use_qrt, info;
  double *a, *t, *work;
  const farr *src;
} qr_job;

static void run_qr(qr_job *j) {
  if (j->src) load_f64(j->src, (size_t)j->m * (size_t)j->k, j->a);
  if (j->use_qrt) dgeqrt_(&j->m, &j->k, &j->nb, j->a, &j->m, j->t, &j->nb, j->work, &j->info);
  else dgeqrf_(&j->m, &j->k, j->a, &j->m, j->t, j->work, &j->lwq, &j->info);
}

static void *qr_thread(void *job) {
  run_qr((qr_job *)job);
  return NULL;
}

/* Below this many factor entries (m·k + k·n) OpenBLAS runs single-threaded: thread start-up and
 * synchronisation cost more than the work (768×64 factors: 0.9 ms with 2 threads vs 0.5 ms).
 * With two idle cores the two QRs side by side took 0.36 ms instead of 0.66 ms (C harness, min of
 * 300); with the other core busy they cost the same as one after the other. */
#define PRODUCT_SERIAL_MAX 1048576.0

/* Rows of A·B per (1,1) tile: about 512 KB of float64 (one L2), 8 to 128 rows. 768×64·64×768,
 * one thread, CPU ms (loaded machine, min of 20): 8 rows 6.0, 16 5.2, 32 4.7, 64 4.6, 128 4.4. */
static int tile_rows(int n) {
  int t = 65536 / (n > 0 ? n : 1);
  return t < 8 ? 8 : t > 128 ? 128 : t;
}

/* Products whose (1,1) tile loop ran (all m·k·n multiply-adds of A·B), process-wide: the pool's
 * worker threads share this library. Read by productL11Count(), for the tests. */
static long l11_loops = 0;

/* What one product call computes besides σ. */
typedef struct {
  double *cn;   /* column norms of A·B (n), or NULL */
  int want11;   /* also Σ|(A·B)ᵢⱼ| */
  double norm11;
  int tile;     /* rows per (1,1) tile; 0 = tile_rows(n) */
} product_extras;

/* A factor as float64: the caller's array when it is float64, else widened into a malloc'd copy. */
static const double *as_f64(const farr *x, size_t n, double **tmp) {
  *tmp = NULL;
  if (!x->f32) return (const double *)x->p;
  *tmp = (double *)malloc(sizeof(double) * (n > 0 ? n : 1));
  if (*tmp) widen((const float *)x->p, n, *tmp);
  return *tmp;
}

/*
 * σ(A·B) for row-major float32 or float64 A (m×k) and B (k×n), k ≤ min(m, n), into s (k values):
 *   the row-major A is the column-major Aᵀ, so A is transposed into scratch (m×k column-major) and
 *   factored A = Q_A·R_A; the row-major B is the column-major Bᵀ (n×k), copied and factored
 *   Bᵀ = Q_B·R_B, so B = R_Bᵀ·Q_Bᵀ and σ(A·B) = σ(R_A·R_Bᵀ), a k×k core (dtrmm), then dgesdd.
 * The QRs: dgeqrf, whose 64-column case stays in the unblocked level-2 dgeqr2 (crossover 128
 * columns), or dgeqrt (compact-WY blocks, level-3 inside) where that measured faster (qrt_block).
 * float32 factors are widened on the way into the QRs' buffers (no separate float64 copy; only the
 * (1,1) tile loop, when asked for, makes one).
 * Returns NULL or an error message.
 */
static const char *product_core(int m, int k, int n, const farr *fa, const farr *fb, double *s, product_extras *ex) {
  int nb = qrt_block(k), use_qrt = nb > 0;
  int lwork = -1, lwq = -1, info_ = 0, kk = k, mx = m > n ? m : n;
  double wq, dum = 0;
  int idum = 0;
  dgesdd_("N", &kk, &kk, &dum, &kk, &dum, &dum, &kk, &dum, &kk, &wq, &lwork, &idum, &info_);
  if (info_ != 0) return "dgesdd workspace query failed";
  lwork = (int)wq + 1;
  if (use_qrt) lwq = nb * k;
  else {
    dgeqrf_(&mx, &kk, &dum, &mx, &dum, &wq, &lwq, &info_);
    lwq = (int)wq + 1;
  }
  int tile = ex && ex->want11 ? (ex->tile > 0 ? ex->tile : tile_rows(n)) : 0;
  if (tile > m) tile = m;
  size_t nA = (size_t)m * k, nB = (size_t)n * k, nT = use_qrt ? (size_t)nb * k : (size_t)k;
  size_t nY = ex && ex->cn ? nB : 0, nTile = (size_t)tile * n;
  size_t need = nA + nB + 2 * (nT + (size_t)lwq) + (size_t)k * k + (size_t)lwork + 8 * (size_t)k + nY + nTile;
  int owned;
  double *ws = scratch_get(need, &owned);
  if (!ws) return "out of memory";
  double *ca = ws, *cb = ca + nA, *ta = cb + nB, *wa = ta + nT, *tb = wa + lwq, *wb = tb + nT;
  double *core = wb + lwq, *sw = core + (size_t)k * k, *y = sw + lwork + 8 * (size_t)k, *tl = y + nY;
  int *iwork = (int *)(sw + lwork);
  qr_job ja = {m, kk, nb, lwq, use_qrt, 0, ca, ta, wa, NULL}, jb = {n, kk, nb, lwq, use_qrt, 0, cb, tb, wb, fb};

  /* Small factors: OpenBLAS single-threaded, and when it was allowed more than one thread the two
   * independent QRs run side by side instead (B's copy and QR on a helper thread). Large factors:
   * one after the other with OpenBLAS's own threads. */
  int threads = openblas_get_num_threads();
  int small = (double)m * k + (double)k * n <= PRODUCT_SERIAL_MAX;
  if (small && threads > 1) openblas_set_num_threads(1);
  pthread_t helper;
  int side_by_side = small && threads > 1 && pthread_create(&helper, NULL, qr_thread, &jb) == 0;
  if (fa->f32) transpose_in_float((const float *)fa->p, m, k, ca, m);
  else transpose_in_double((const double *)fa->p, m, k, ca, m);
  run_qr(&ja);
  if (side_by_side) pthread_join(helper, NULL);
  else run_qr(&jb);
  int infoA = ja.info, infoB = jb.info, ld = k;
  double one = 1, zero = 0;
  if (infoA == 0 && infoB == 0) {
    /* core = R_A (upper triangle of ca), then core ← core·R_Bᵀ. */
    for (int j = 0; j < k; j++) {
      for (int i = 0; i <= j; i++) core[(size_t)j * k + i] = ca[(size_t)j * m + i];
      for (int i = j + 1; i < k; i++) core[(size_t)j * k + i] = 0;
    }
    dtrmm_("R", "U", "T", "N", &kk, &kk, &one, cb, &n, core, &ld);
    dgesdd_("N", &kk, &kk, core, &ld, s, NULL, &ld, NULL, &ld, sw, &lwork, iwork, &info_);
  }
  if (infoA == 0 && ex && ex->cn) {
    /* Y = Bᵀ·R_Aᵀ (column-major n×k): Y[j + p·n] = (R_A·B)[p][j], so ‖(A·B)e_j‖ = ‖Y[j, :]‖. */
    load_f64(fb, nB, y);
    dtrmm_("R", "U", "T", "N", &n, &kk, &one, ca, &m, y, &n);
    double ymax = 0;
    for (size_t i = 0; i < nB; i++) ymax = fmax(ymax, fabs(y[i]));
    double sc = ymax > SAFE_HI || (ymax > 0 && ymax < SAFE_LO) ? ldexp(1.0, -ilogb(ymax)) : 1;
    double *cn = ex->cn;
    memset(cn, 0, sizeof(double) * (size_t)n);
    for (int p = 0; p < k; p++) {
      const double *yp = y + (size_t)p * n;
      for (int j = 0; j < n; j++) {
        double v = sc * yp[j];
        cn[j] += v * v;
      }
    }
    for (int j = 0; j < n; j++) cn[j] = sqrt(cn[j]) / sc;
  }
  const char *err = NULL;
  if (ex && ex->want11) {
    /* Rows i0..i0+t of A·B: the column-major (n×t) tile Bᵀ·A[i0:i0+t, :]ᵀ, then Σ|x|. */
    __atomic_add_fetch(&l11_loops, 1, __ATOMIC_RELAXED);
    double *wideA, *wideB, l11 = 0;
    const double *a = as_f64(fa, nA, &wideA), *b = as_f64(fb, nB, &wideB);
    if (a && b) {
      for (int i0 = 0; i0 < m; i0 += tile) {
        int t = i0 + tile <= m ? tile : m - i0;
        dgemm_("N", "N", &n, &t, &kk, &one, b, &n, a + (size_t)i0 * k, &kk, &zero, tl, &n);
        l11 += abs_sum(tl, (size_t)t * n);
      }
    } else err = "out of memory";
    free(wideA);
    free(wideB);
    ex->norm11 = l11;
  }
  if (small && threads > 1) openblas_set_num_threads(threads);
  if (owned) free(ws);
  if (err) return err;
  if (infoA != 0 || infoB != 0) return "the QR of a factor failed";
  if (info_ != 0) return info_ < 0 ? "dgesdd: bad argument" : "dgesdd did not converge";
  return NULL;
}

/*
 * The (m, k, n, a, b) arguments of the product calls: integers, Float32Array or Float64Array
 * factors long enough for A (m×k) and B (k×n). Returns NULL or the error message (in msg).
 */
static const char *parse_factors(napi_env env, napi_value *argv, const char *name, int *m, int *k, int *n, farr *fa,
                                 farr *fb, char *msg, size_t cap) {
  if (!get_int(env, argv[0], m) || !get_int(env, argv[1], k) || !get_int(env, argv[2], n) ||
      !get_farr(env, argv[3], fa) || !get_farr(env, argv[4], fb)) {
    snprintf(msg, cap, "%s: expected (m, k, n, a, b: Float32Array | Float64Array, ...) with integers m, k, n >= 0", name);
    return msg;
  }
  if ((size_t)*m * (size_t)*k > fa->len || (size_t)*k * (size_t)*n > fb->len) {
    snprintf(msg, cap, "%s: a or b is shorter than its shape", name);
    return msg;
  }
  return NULL;
}

/*
 * Shared by productSvals and productMeasures: parses (m, k, n, a, b), checks shapes and values,
 * runs product_core into a new Float64Array of k values. On a NaN/Inf, bad[0] / bad[1] get the
 * flat index in A / B (productMeasures reports it; productSvals throws).
 */
static napi_value product_entry(napi_env env, napi_value *argv, const char *name, product_extras *ex, double *bad) {
  int m, k, n;
  farr fa, fb;
  char msg[160];
  if (parse_factors(env, argv, name, &m, &k, &n, &fa, &fb, msg, sizeof msg)) return fail(env, msg);
  if (k > m || k > n) {
    snprintf(msg, sizeof msg, "%s: needs k <= min(m, n)", name);
    return fail(env, msg);
  }
  napi_value ab, out;
  double *s;
  if (napi_create_arraybuffer(env, (size_t)k * sizeof(double), (void **)&s, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, (size_t)k, ab, 0, &out) != napi_ok)
    return fail(env, "genbound native: could not allocate the result");
  if (ex && ex->cn) memset(ex->cn, 0, sizeof(double) * (size_t)n);
  if (ex) ex->norm11 = 0;
  if (k == 0) return out;
  size_t nA = (size_t)m * k, nB = (size_t)k * n;
  bad[0] = first_bad(&fa, nA);
  bad[1] = first_bad(&fb, nB);
  if (bad[0] >= 0 || bad[1] >= 0) return out;
  const char *err = product_core(m, k, n, &fa, &fb, s, ex);
  if (err) {
    snprintf(msg, sizeof msg, "%s: %s", name, err);
    return fail(env, msg);
  }
  return out;
}

/*
 * productSvals(m, k, n, a, b) -> Float64Array of the k singular values (descending) of A·B for
 * row-major A (m×k) and B (k×n), k ≤ min(m, n), float32 or float64; a and b are not modified.
 */
static napi_value js_productSvals(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5)
    return fail(env, "productSvals: expected (m, k, n, a: Float64Array, b: Float64Array) with integers m, k, n >= 0");
  double bad[2] = {-1, -1};
  napi_value out = product_entry(env, argv, "productSvals", NULL, bad);
  if (out && (bad[0] >= 0 || bad[1] >= 0)) return fail(env, "productSvals: a or b contains NaN or Inf");
  return out;
}

/*
 * productMeasures(m, k, n, a, b, cn, stats, want11, tile?) -> Float64Array of the k singular values
 * of A·B (as productSvals); cn (n) ← the column norms of A·B; with want11 true, stats[0] ← Σ|(A·B)ᵢⱼ|
 * (tile rows at a time, every entry: m·k·n multiply-adds; `tile` overrides the row count, for
 * measurements), else stats[0] ← NaN and the tile loop does not run; stats[1] / stats[2] ← the
 * flat index of the first NaN/Inf in A / B, or −1 (then nothing is computed).
 */
static napi_value js_productMeasures(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8)
    return fail(env, "productMeasures: expected (m, k, n, a, b, cn, stats, want11, tile?)");
  product_extras ex = {NULL, 0, 0, 0};
  double *stats;
  int n;
  if (!get_int(env, argv[2], &n) || !get_array_opt(env, argv[5], napi_float64_array, (size_t)n, 0, (void **)&ex.cn) ||
      !get_array_opt(env, argv[6], napi_float64_array, 3, 0, (void **)&stats))
    return fail(env, "productMeasures: cn (n values) and stats (3 values) must be Float64Arrays");
  if (!get_bool(env, argv[7], &ex.want11)) return fail(env, "productMeasures: want11 must be a boolean");
  if (argc >= 9 && !get_int(env, argv[8], &ex.tile)) return fail(env, "productMeasures: tile must be an integer");
  double bad[2] = {-1, -1};
  napi_value out = product_entry(env, argv, "productMeasures", &ex, bad);
  stats[0] = ex.want11 ? ex.norm11 : NAN;
  stats[1] = bad[0];
  stats[2] = bad[1];
  return out;
}

/* productL11Count() -> how many products have run the (1,1) tile loop in this process. */
static napi_value js_productL11Count(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_double(env, (double)__atomic_load_n(&l11_loops, __ATOMIC_RELAXED), &out);
  return out;
}

/*
 * formedProduct(m, k, n, a, b, c, cn, stats): for a product no smaller than its factors (k ≥
 * min(m, n): a layer's value map V = W_V·W_O, which the Bartlett chain needs), C = A·B formed by
 * one dgemm into the caller's row-major m×n Float64Array c, from float32 or float64 factors
 * (float32 widened here, in the thread's scratch: no float64 copies in JavaScript), and in the
 * same call cn (n) ← C's column norms, stats[0] ← Σ|cᵢⱼ|, stats[1] ← ‖C‖_F, stats[2] ← max|cᵢⱼ|
 * (the scale of the Lanczos σ₁, so JavaScript need not scan C again), stats[3] / stats[4] ← the
 * flat index of the first NaN/Inf in A / B or −1 (then nothing else is computed). The same dgemm
 * and norm passes as forming C from float64 copies and calling denseMeasures: same bits.
 */
static napi_value js_formedProduct(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  char msg[160];
  int m, k, n;
  farr fa, fb;
  double *c, *cn, *stats;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8)
    return fail(env, "formedProduct: expected (m, k, n, a, b, c, cn, stats)");
  if (parse_factors(env, argv, "formedProduct", &m, &k, &n, &fa, &fb, msg, sizeof msg)) return fail(env, msg);
  size_t mn = (size_t)m * (size_t)n, nA = (size_t)m * k, nB = (size_t)k * n;
  if (!get_array_opt(env, argv[5], napi_float64_array, mn, 0, (void **)&c) ||
      !get_array_opt(env, argv[6], napi_float64_array, (size_t)n, 0, (void **)&cn) ||
      !get_array_opt(env, argv[7], napi_float64_array, 5, 0, (void **)&stats))
    return fail(env, "formedProduct: c (m*n), cn (n) and stats (5) must be long enough Float64Arrays");
  stats[0] = stats[1] = stats[2] = 0;
  stats[3] = first_bad(&fa, nA);
  stats[4] = first_bad(&fb, nB);
  memset(cn, 0, sizeof(double) * (size_t)n);
  if (stats[3] >= 0 || stats[4] >= 0 || mn == 0) return NULL;
  if (k == 0) {
    memset(c, 0, sizeof(double) * mn);
    return NULL;
  }
  int owned = 0;
  size_t need = (fa.f32 ? nA : 0) + (fb.f32 ? nB : 0);
  double *w = need ? scratch_get(need, &owned) : NULL;
  double *ca = (double *)calloc(n > 0 ? (size_t)n : 1, sizeof(double));
  if ((need && !w) || !ca) {
    if (owned) free(w);
    free(ca);
    return fail(env, "formedProduct: out of memory");
  }
  const double *a = (const double *)fa.p, *b = (const double *)fb.p;
  if (fa.f32) {
    widen((const float *)fa.p, nA, w);
    a = w;
  }
  if (fb.f32) {
    widen((const float *)fb.p, nB, w + (fa.f32 ? nA : 0));
    b = w + (fa.f32 ? nA : 0);
  }
  /* Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ. */
  double one = 1, zero = 0;
  dgemm_("N", "N", &n, &m, &k, &one, b, &n, a, &k, &zero, c, &n);
  if (owned) free(w);
  farr fc = {c, mn, 0};
  stats_copy_double(c, m, n, NULL, 0, cn, ca);
  double l11 = 0;
  for (int j = 0; j < n; j++) l11 += ca[j];
  free(ca);
  stats[0] = l11;
  stats[1] = finish_norms(&fc, m, n, cn, &stats[2]);
  return NULL;
}

napi_status spectral_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"productSvals", NULL, js_productSvals, NULL, NULL, NULL, napi_enumerable, NULL},
      {"productMeasures", NULL, js_productMeasures, NULL, NULL, NULL, napi_enumerable, NULL},
      {"denseMeasures", NULL, js_denseMeasures, NULL, NULL, NULL, napi_enumerable, NULL},
      {"productL11Count", NULL, js_productL11Count, NULL, NULL, NULL, napi_enumerable, NULL},
      {"formedProduct", NULL, js_formedProduct, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
