/**
 * A count of the products A·B formed explicitly (every entry computed into one array) anywhere in
 * the engine, split by whether the inner dimension was thin (k < min(m, n): a per-head product,
 * whose measures the factored path gives without it) or not (a product no larger than its
 * factors, such as a layer's value map). Per thread: pool workers keep their own count
 * (SpectralPool.counters() adds them up). The tests use it to prove that the default analysis
 * path forms no N×N head product.
 */
export const formedProducts = { thin: 0, other: 0 };

/**
 * Thin products whose (1,1)-norm the js backend computed: every entry of A·B, one row at a time
 * (m·k·n multiply-adds, as many as forming it). Per thread, like formedProducts. The native
 * backend counts its own tile loops in C (addon.productL11Count(), process-wide).
 */
export const l11Passes = { js: 0 };

/** Records one explicit product of an m×k and a k×n matrix. */
export function noteFormedProduct(m: number, k: number, n: number): void {
  if (k < Math.min(m, n)) formedProducts.thin++;
  else formedProducts.other++;
}

/** Records one (1,1)-norm pass over a thin product's entries (js backend). */
export function noteL11Pass(): void {
  l11Passes.js++;
}
