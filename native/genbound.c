/*
 * genbound's native backend: a thin N-API wrapper over the system OpenBLAS (BLAS + LAPACK,
 * Fortran symbols with 32-bit integers, no LAPACKE). Implements exactly the `NativeAddon`
 * interface in src/linalg/native-addon.ts.
 *
 * Layout convention: every matrix crossing this boundary is ROW-major. A row-major m×n array is
 * the column-major n×m array Aᵀ, so:
 *   - singular values: dgesdd on the column-major n×m view (σ(Aᵀ) = σ(A));
 *   - GEMM: row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. the Fortran call
 *     with the operands swapped and m, n exchanged;
 *   - R factor of a tall row-major A (m ≥ n): dgeqrf on a column-major (transposed) copy. (dgelqf
 *     on the column-major view Aᵀ avoids the copy but measured ~5× slower in OpenBLAS 0.3.21.)
 */
#include <node_api.h>
#include "napi-args.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "blas.h"

#define CHECK(call)                                                                  \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      napi_throw_error(env, NULL, "genbound native: N-API call failed: " #call);      \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

/*
 * dgesdd(m, n, a: Float64Array, ld = n) -> Float64Array of min(m, n) singular values, descending;
 * row i of A starts at a[i·ld]. A padded stride (see paddedStride in src/linalg/validate.ts) keeps
 * columns of the column-major view off the same cache sets: 1024² 161 → 121 ms.
 */
static napi_value js_dgesdd(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int m, n, ld;
  double *a;
  size_t len;
  if (argc < 3 || !get_int(env, argv[0], &m) || !get_int(env, argv[1], &n))
    return fail(env, "dgesdd: expected (m, n, a: Float64Array, ld?) with integer m, n >= 0");
  if (!get_array(env, argv[2], napi_float64_array, (void **)&a, &len)) return fail(env, "dgesdd: a must be a Float64Array");
  ld = n;
  if (argc >= 4 && !get_int(env, argv[3], &ld)) return fail(env, "dgesdd: ld must be an integer");
  if (ld < n || ld < 1) return fail(env, "dgesdd: ld is smaller than n");
  if (m > 0 && n > 0 && (size_t)(m - 1) * (size_t)ld + (size_t)n > len) return fail(env, "dgesdd: a is shorter than its shape");
  int k = m < n ? m : n;
  napi_value ab, out;
  double *s;
  CHECK(napi_create_arraybuffer(env, (size_t)k * sizeof(double), (void **)&s, &ab));
  CHECK(napi_create_typedarray(env, napi_float64_array, (size_t)k, ab, 0, &out));
  if (k == 0) return out;
  /* Column-major view: M = n rows, N = m columns, lda = the row stride. */
  int M = n, N = m, lda = ld, ldu = 1, ldvt = 1, lwork = -1, info_ = 0;
  double wq;
  int *iwork = (int *)malloc(sizeof(int) * 8 * (size_t)k);
  if (!iwork) return fail(env, "dgesdd: out of memory");
  dgesdd_("N", &M, &N, a, &lda, s, NULL, &ldu, NULL, &ldvt, &wq, &lwork, iwork, &info_);
  if (info_ != 0) {
    free(iwork);
    return fail(env, "dgesdd: workspace query failed");
  }
  lwork = (int)wq + 1;
  double *work = (double *)malloc(sizeof(double) * (size_t)lwork);
  if (!work) {
    free(iwork);
    return fail(env, "dgesdd: out of memory");
  }
  dgesdd_("N", &M, &N, a, &lda, s, NULL, &ldu, NULL, &ldvt, work, &lwork, iwork, &info_);
  free(work);
  free(iwork);
  if (info_ != 0) {
    char msg[128];
    snprintf(msg, sizeof msg, "dgesdd: LAPACK info = %d (%s)", info_, info_ < 0 ? "bad argument" : "did not converge");
    return fail(env, msg);
  }
  return out;
}

/*
 * qrR(m, n, a: Float64Array) -> Float64Array: the n×n upper-triangular R (row-major, zeros below
 * the diagonal) of the thin QR A = Q·R of a row-major m×n matrix with m >= n; `a` is not modified.
 */
static napi_value js_qrR(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int m, n;
  double *a;
  size_t len;
  if (argc < 3 || !get_int(env, argv[0], &m) || !get_int(env, argv[1], &n))
    return fail(env, "qrR: expected (m, n, a: Float64Array) with integer m, n >= 0");
  if (!get_array(env, argv[2], napi_float64_array, (void **)&a, &len)) return fail(env, "qrR: a must be a Float64Array");
  if ((size_t)m * (size_t)n > len) return fail(env, "qrR: a is shorter than m*n");
  if (m < n) return fail(env, "qrR: needs m >= n");
  napi_value ab, out;
  double *r;
  CHECK(napi_create_arraybuffer(env, (size_t)n * (size_t)n * sizeof(double), (void **)&r, &ab));
  CHECK(napi_create_typedarray(env, napi_float64_array, (size_t)n * (size_t)n, ab, 0, &out));
  if (n == 0) return out;
  /* Column-major copy of A (m×n, lda = m), then A = Q·R by dgeqrf. */
  int M = m, N = n, lda = m, lwork = -1, info_ = 0;
  double wq;
  double *cm = (double *)malloc(sizeof(double) * (size_t)m * (size_t)n);
  double *tau = (double *)malloc(sizeof(double) * (size_t)n);
  if (!cm || !tau) {
    free(cm);
    free(tau);
    return fail(env, "qrR: out of memory");
  }
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) cm[(size_t)j * m + i] = a[(size_t)i * n + j];
  dgeqrf_(&M, &N, cm, &lda, tau, &wq, &lwork, &info_);
  lwork = (int)wq + 1;
  double *work = (double *)malloc(sizeof(double) * (size_t)lwork);
  if (!work) {
    free(cm);
    free(tau);
    return fail(env, "qrR: out of memory");
  }
  dgeqrf_(&M, &N, cm, &lda, tau, work, &lwork, &info_);
  free(work);
  free(tau);
  if (info_ != 0) {
    free(cm);
    return fail(env, "qrR: dgeqrf failed");
  }
  /* R(i, j) = cm[i + j*m] for i <= j. */
  memset(r, 0, sizeof(double) * (size_t)n * (size_t)n);
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++) r[(size_t)i * n + j] = cm[i + (size_t)j * m];
  free(cm);
  return out;
}

/*
 * qrRcm(m, n, a: Float64Array) -> Float64Array: the n×n upper-triangular R (row-major) of the
 * thin QR of the COLUMN-major m×n matrix in `a` (equivalently: of the transpose of the row-major
 * n×m array a), m >= n; `a` is overwritten. No copy: dgeqrf works in place.
 */
static napi_value js_qrRcm(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int m, n;
  double *a;
  size_t len;
  if (argc < 3 || !get_int(env, argv[0], &m) || !get_int(env, argv[1], &n))
    return fail(env, "qrRcm: expected (m, n, a: Float64Array) with integer m, n >= 0");
  if (!get_array(env, argv[2], napi_float64_array, (void **)&a, &len)) return fail(env, "qrRcm: a must be a Float64Array");
  if ((size_t)m * (size_t)n > len) return fail(env, "qrRcm: a is shorter than m*n");
  if (m < n) return fail(env, "qrRcm: needs m >= n");
  napi_value ab, out;
  double *r;
  CHECK(napi_create_arraybuffer(env, (size_t)n * (size_t)n * sizeof(double), (void **)&r, &ab));
  CHECK(napi_create_typedarray(env, napi_float64_array, (size_t)n * (size_t)n, ab, 0, &out));
  if (n == 0) return out;
  int M = m, N = n, lda = m, lwork = -1, info_ = 0;
  double wq;
  double *tau = (double *)malloc(sizeof(double) * (size_t)n);
  if (!tau) return fail(env, "qrRcm: out of memory");
  dgeqrf_(&M, &N, a, &lda, tau, &wq, &lwork, &info_);
  lwork = (int)wq + 1;
  double *work = (double *)malloc(sizeof(double) * (size_t)lwork);
  if (!work) {
    free(tau);
    return fail(env, "qrRcm: out of memory");
  }
  dgeqrf_(&M, &N, a, &lda, tau, work, &lwork, &info_);
  free(work);
  free(tau);
  if (info_ != 0) return fail(env, "qrRcm: dgeqrf failed");
  memset(r, 0, sizeof(double) * (size_t)n * (size_t)n);
  for (int i = 0; i < n; i++)
    for (int j = i; j < n; j++) r[(size_t)i * n + j] = a[i + (size_t)j * m];
  return out;
}

/* out ← c²·AᵀA·x, row by row (the portable kernel; see gram_apply). */
static void gram_apply_plain(int m, int n, const double *a, const double *x, double *out, double c, int i0) {
  for (int i = i0; i < m; i++) {
    const double *r = a + (size_t)i * n;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += r[j] * x[j];
      s1 += r[j + 1] * x[j + 1];
      s2 += r[j + 2] * x[j + 2];
      s3 += r[j + 3] * x[j + 3];
    }
    for (; j < n; j++) s0 += r[j] * x[j];
    double t = (s0 + s1 + s2 + s3) * c * c; /* (sum·c)·c: neither step under- or overflows */
    if (t == 0) continue;
    for (j = 0; j < n; j++) out[j] += t * r[j];
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GRAM_AVX2 1
/*
 * The same product, four rows at a time with 256-bit vectors (no FMA: -ffp-contract=off holds):
 * the four dot products share each load of x, and out is read and written once per four rows.
 * 768×768, one thread, thread CPU ms (min of 50, Zen 3 at load ~6): 0.38 → 0.19; 1024² 0.59 →
 * 0.30; 4096² 18.4 → 10.2; 3072×768 2.40 → 1.50 (the portable loop compiles to SSE2 at best).
 * Same sums in another order: G·x differs in the last bits, σ₁ from Lanczos by ≤ its tolerance.
 */
__attribute__((target("avx2"))) static void gram_apply_avx2(int m, int n, const double *a, const double *x, double *out,
                                                             double c) {
  int i = 0;
  for (; i + 3 < m; i += 4) {
    const double *r0 = a + (size_t)i * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      __m256d xv = _mm256_loadu_pd(x + j);
      s0 = _mm256_add_pd(s0, _mm256_mul_pd(_mm256_loadu_pd(r0 + j), xv));
      s1 = _mm256_add_pd(s1, _mm256_mul_pd(_mm256_loadu_pd(r1 + j), xv));
      s2 = _mm256_add_pd(s2, _mm256_mul_pd(_mm256_loadu_pd(r2 + j), xv));
      s3 = _mm256_add_pd(s3, _mm256_mul_pd(_mm256_loadu_pd(r3 + j), xv));
    }
    double b[4][4], t[4];
    _mm256_storeu_pd(b[0], s0);
    _mm256_storeu_pd(b[1], s1);
    _mm256_storeu_pd(b[2], s2);
    _mm256_storeu_pd(b[3], s3);
    for (int q = 0; q < 4; q++) {
      const double *rq = r0 + (size_t)q * n;
      double s = (b[q][0] + b[q][1]) + (b[q][2] + b[q][3]);
      for (int jj = j; jj < n; jj++) s += rq[jj] * x[jj];
      t[q] = s * c * c;
    }
    __m256d t0 = _mm256_set1_pd(t[0]), t1 = _mm256_set1_pd(t[1]), t2 = _mm256_set1_pd(t[2]), t3 = _mm256_set1_pd(t[3]);
    for (j = 0; j + 3 < n; j += 4) {
      __m256d p01 = _mm256_add_pd(_mm256_mul_pd(t0, _mm256_loadu_pd(r0 + j)), _mm256_mul_pd(t1, _mm256_loadu_pd(r1 + j)));
      __m256d p23 = _mm256_add_pd(_mm256_mul_pd(t2, _mm256_loadu_pd(r2 + j)), _mm256_mul_pd(t3, _mm256_loadu_pd(r3 + j)));
      _mm256_storeu_pd(out + j, _mm256_add_pd(_mm256_loadu_pd(out + j), _mm256_add_pd(p01, p23)));
    }
    for (; j < n; j++) out[j] += (t[0] * r0[j] + t[1] * r1[j]) + (t[2] * r2[j] + t[3] * r3[j]);
  }
  gram_apply_plain(m, n, a, x, out, c, i); /* the last m mod 4 rows */
}
#endif

/* out = c²·AᵀA·x for the row-major m×n A; AVX2 where the CPU has it (checked once per call). */
static void gram_apply(int m, int n, const double *a, const double *x, double *out, double c) {
  memset(out, 0, sizeof(double) * (size_t)n);
#ifdef GRAM_AVX2
  if (__builtin_cpu_supports("avx2")) {
    gram_apply_avx2(m, n, a, x, out, c);
    return;
  }
#endif
  gram_apply_plain(m, n, a, x, out, c, 0);
}

/*
 * gramApply(m, n, a, x, out, c): out = c²·AᵀA·x for a row-major m×n A (x, out: n), in ONE pass
 * over A: each row (four rows, gram_apply_avx2) gives t = c·(aᵢ·x), then out += (c·t)·aᵢ while the
 * row is still in cache. The spectral-norm Lanczos iteration is memory-bound, and two GEMV calls
 * read A twice. The scale c (a power of two, 1/max|aᵢⱼ|) keeps the squares in range. No BLAS
 * routine fuses the two products.
 */
static napi_value js_gramApply(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int m, n;
  double *a, *x, *out, c;
  size_t la, lx, lo;
  if (argc < 6 || !get_int(env, argv[0], &m) || !get_int(env, argv[1], &n) ||
      !get_array(env, argv[2], napi_float64_array, (void **)&a, &la) ||
      !get_array(env, argv[3], napi_float64_array, (void **)&x, &lx) ||
      !get_array(env, argv[4], napi_float64_array, (void **)&out, &lo) || !get_double(env, argv[5], &c))
    return fail(env, "gramApply: expected (m, n, a, x, out: Float64Array, c: number)");
  if ((size_t)m * (size_t)n > la || (size_t)n > lx || (size_t)n > lo) return fail(env, "gramApply: an array is too short");
  gram_apply(m, n, a, x, out, c);
  return NULL;
}

/*
 * gramMatrix(m, n, a, alpha) -> Float64Array: the k×k symmetric alpha·A·Aᵀ (m <= n) or alpha·AᵀA
 * (m > n), k = min(m, n), full (both triangles), for a row-major m×n A. The row-major A is the
 * column-major X = Aᵀ (n×m, ld n), so A·Aᵀ = Xᵀ·X and AᵀA = X·Xᵀ: one dsyrk (half of dgemm's flops).
 * For the spectral norm of strongly rectangular matrices: the Lanczos passes then stream k² values
 * instead of m·n. Callers keep |alpha·aᵢⱼ²| in range (alpha is applied after the products).
 */
static napi_value js_gramMatrix(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int m, n;
  double *a, alpha;
  size_t la;
  if (argc < 4 || !get_int(env, argv[0], &m) || !get_int(env, argv[1], &n) ||
      !get_array(env, argv[2], napi_float64_array, (void **)&a, &la) || !get_double(env, argv[3], &alpha))
    return fail(env, "gramMatrix: expected (m, n, a: Float64Array, alpha: number)");
  if ((size_t)m * (size_t)n > la) return fail(env, "gramMatrix: a is shorter than m*n");
  int k = m <= n ? m : n, inner = m <= n ? n : m, ld = n;
  napi_value ab, out;
  double *g, zero = 0;
  CHECK(napi_create_arraybuffer(env, (size_t)k * (size_t)k * sizeof(double), (void **)&g, &ab));
  CHECK(napi_create_typedarray(env, napi_float64_array, (size_t)k * (size_t)k, ab, 0, &out));
  if (k == 0) return out;
  if (inner == 0) {
    memset(g, 0, sizeof(double) * (size_t)k * (size_t)k);
    return out;
  }
  dsyrk_("U", m <= n ? "T" : "N", &k, &inner, &alpha, a, &ld, &zero, g, &k);
  for (int j = 0; j < k; j++)
    for (int i = j + 1; i < k; i++) g[(size_t)j * k + i] = g[(size_t)i * k + j]; /* lower from upper */
  return out;
}

/* Parsed arguments of a row-major GEMM call (shared by sgemm, dgemm and sgemmBatched). */
typedef struct {
  int ta, tb, m, n, k, lda, ldb, ldc;
  double alpha, beta;
  void *a, *b, *c;
  size_t la, lb, lc;
} gemm_args;

/* Minimum array length for a row-major operand of `rows` rows with row stride ld. */
static size_t need(int rows, int cols, int ld) {
  if (rows == 0 || cols == 0) return 0;
  return (size_t)(rows - 1) * (size_t)ld + (size_t)cols;
}

static const char *check_gemm(const gemm_args *g) {
  int ar = g->ta ? g->k : g->m, ac = g->ta ? g->m : g->k;
  int br = g->tb ? g->n : g->k, bc = g->tb ? g->k : g->n;
  if (g->lda < (ac > 1 ? ac : 1) || g->ldb < (bc > 1 ? bc : 1) || g->ldc < (g->n > 1 ? g->n : 1))
    return "leading dimension smaller than the row length";
  if (need(ar, ac, g->lda) > g->la) return "A is too short for its shape";
  if (need(br, bc, g->ldb) > g->lb) return "B is too short for its shape";
  if (need(g->m, g->n, g->ldc) > g->lc) return "C is too short for its shape";
  return NULL;
}

/* Row-major C = alpha·op(A)·op(B) + beta·C as the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ. */
static void run_sgemm(const gemm_args *g, const float *a, const float *b, float *c) {
  if (g->m == 0 || g->n == 0) return;
  float al = (float)g->alpha, be = (float)g->beta;
  sgemm_(g->tb ? "T" : "N", g->ta ? "T" : "N", &g->n, &g->m, &g->k, &al, b, &g->ldb, a, &g->lda, &be, c, &g->ldc);
}

static void run_dgemm(const gemm_args *g, const double *a, const double *b, double *c) {
  if (g->m == 0 || g->n == 0) return;
  dgemm_(g->tb ? "T" : "N", g->ta ? "T" : "N", &g->n, &g->m, &g->k, &g->alpha, b, &g->ldb, a, &g->lda, &g->beta, c,
         &g->ldc);
}

/* Parses (transA, transB, m, n, k, alpha, a, lda, [strideA], b, ldb, [strideB], beta, c, ldc, [strideC]). */
static int parse_gemm(napi_env env, napi_value *argv, napi_typedarray_type t, int batched, gemm_args *g,
                      int strides[3]) {
  int i = 0;
  if (!get_bool(env, argv[i++], &g->ta) || !get_bool(env, argv[i++], &g->tb)) return 0;
  if (!get_int(env, argv[i++], &g->m) || !get_int(env, argv[i++], &g->n) || !get_int(env, argv[i++], &g->k)) return 0;
  if (!get_double(env, argv[i++], &g->alpha)) return 0;
  if (!get_array(env, argv[i++], t, &g->a, &g->la) || !get_int(env, argv[i++], &g->lda)) return 0;
  if (batched && !get_int(env, argv[i++], &strides[0])) return 0;
  if (!get_array(env, argv[i++], t, &g->b, &g->lb) || !get_int(env, argv[i++], &g->ldb)) return 0;
  if (batched && !get_int(env, argv[i++], &strides[1])) return 0;
  if (!get_double(env, argv[i++], &g->beta)) return 0;
  if (!get_array(env, argv[i++], t, &g->c, &g->lc) || !get_int(env, argv[i++], &g->ldc)) return 0;
  if (batched && !get_int(env, argv[i++], &strides[2])) return 0;
  return 1;
}

static napi_value gemm_entry(napi_env env, napi_callback_info info, int dbl, int batched, const char *name) {
  size_t want = batched ? 17 : 13;
  size_t argc = 17;
  napi_value argv[17];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char msg[160];
  gemm_args g;
  int strides[3] = {0, 0, 0}, batch = 1;
  if (argc < want || !parse_gemm(env, argv, dbl ? napi_float64_array : napi_float32_array, batched, &g, strides) ||
      (batched && !get_int(env, argv[16], &batch))) {
    snprintf(msg, sizeof msg, "%s: bad arguments (booleans, non-negative integers, %s arrays expected)", name,
             dbl ? "Float64" : "Float32");
    return fail(env, msg);
  }
  /* Validate the last matrix of the batch: each operand's lengths shrink by the batch offset. */
  gemm_args last = g;
  size_t offA = (size_t)(batch > 0 ? batch - 1 : 0) * (size_t)strides[0];
  size_t offB = (size_t)(batch > 0 ? batch - 1 : 0) * (size_t)strides[1];
  size_t offC = (size_t)(batch > 0 ? batch - 1 : 0) * (size_t)strides[2];
  last.la = g.la >= offA ? g.la - offA : 0;
  last.lb = g.lb >= offB ? g.lb - offB : 0;
  last.lc = g.lc >= offC ? g.lc - offC : 0;
  const char *err = batch > 0 ? check_gemm(&last) : NULL;
  if (err) {
    snprintf(msg, sizeof msg, "%s: %s", name, err);
    return fail(env, msg);
  }
  for (int i = 0; i < batch; i++) {
    if (dbl)
      run_dgemm(&g, (const double *)g.a + (size_t)i * strides[0], (const double *)g.b + (size_t)i * strides[1],
                (double *)g.c + (size_t)i * strides[2]);
    else
      run_sgemm(&g, (const float *)g.a + (size_t)i * strides[0], (const float *)g.b + (size_t)i * strides[1],
                (float *)g.c + (size_t)i * strides[2]);
  }
  return NULL;
}

static napi_value js_sgemm(napi_env env, napi_callback_info info) { return gemm_entry(env, info, 0, 0, "sgemm"); }
static napi_value js_dgemm(napi_env env, napi_callback_info info) { return gemm_entry(env, info, 1, 0, "dgemm"); }
static napi_value js_sgemmBatched(napi_env env, napi_callback_info info) {
  return gemm_entry(env, info, 0, 1, "sgemmBatched");
}

static napi_value js_setNumThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int n;
  if (argc < 1 || !get_int(env, argv[0], &n) || n < 1) return fail(env, "setNumThreads: expected an integer >= 1");
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value js_config(napi_env env, napi_callback_info info) {
  (void)info;
  char buf[512];
  snprintf(buf, sizeof buf, "%s; core %s; threads %d", openblas_get_config(), openblas_get_corename(),
           openblas_get_num_threads());
  napi_value out;
  CHECK(napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &out));
  return out;
}

/* native/nn.c: src/nn's float32 training kernels. */
extern napi_status nn_register(napi_env env, napi_value exports);
/* native/spectral.c: the analysis kernels (productSvals, productMeasures, denseMeasures). */
extern napi_status spectral_register(napi_env env, napi_value exports);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"dgesdd", NULL, js_dgesdd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"qrR", NULL, js_qrR, NULL, NULL, NULL, napi_enumerable, NULL},
      {"qrRcm", NULL, js_qrRcm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gramApply", NULL, js_gramApply, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gramMatrix", NULL, js_gramMatrix, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sgemm", NULL, js_sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sgemmBatched", NULL, js_sgemmBatched, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dgemm", NULL, js_dgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setNumThreads", NULL, js_setNumThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, js_config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (nn_register(env, exports) != napi_ok) return NULL;
  if (spectral_register(env, exports) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
