/*
 * N-API argument helpers shared by the addon's C files (genbound.c, nn.c). Each returns 0 when
 * the argument is not what the caller asked for, and the caller throws one clear error.
 */
#ifndef GENBOUND_NAPI_ARGS_H
#define GENBOUND_NAPI_ARGS_H
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

static inline napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* Reads argument i as a non-negative 32-bit integer. */
static inline int get_int(napi_env env, napi_value v, int *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= 0 && d <= 2147483647.0) || d != (double)(int)d) return 0;
  *out = (int)d;
  return 1;
}

static inline int get_bool(napi_env env, napi_value v, int *out) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return 0;
  *out = b ? 1 : 0;
  return 1;
}

static inline int get_double(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

/* A typed array of the expected element type: data pointer (honours byteOffset) and length. */
static inline int get_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &t, len, data, &ab, &off) != napi_ok) return 0;
  return t == want;
}

/* A typed array of type `want` with at least `need` elements; null/undefined gives NULL when optional. */
static inline int get_array_opt(napi_env env, napi_value v, napi_typedarray_type want, size_t need, int optional, void **data) {
  napi_valuetype vt;
  if (napi_typeof(env, v, &vt) != napi_ok) return 0;
  if (vt == napi_null || vt == napi_undefined) {
    *data = NULL;
    return optional;
  }
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type t;
  size_t len, off;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &t, &len, data, &ab, &off) != napi_ok) return 0;
  return t == want && len >= need;
}

#endif
