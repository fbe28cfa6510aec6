/**
 * Every limit genbound's readers enforce on untrusted files, in one place. Crossing one is a
 * one-line BadFileError naming the file and the limit; none of them is reached by a real
 * checkpoint (the largest public models stay orders of magnitude below each).
 */

/** Bytes read from the start of a file to recognise its format by content. */
export const SNIFF_BYTES = 4096;

/** Largest safetensors JSON header, as in the reference implementation (100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** Most tensors one file (or one sharded index) may declare. */
export const MAX_TENSORS = 1_000_000;

/** Largest JSON file read whole: config.json, adapter_config.json, *.index.json, tfjs model.json. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Largest integer a model config may give for a size or count (hidden size, heads, layers,
 * intermediate size, head_dim, LoRA rank). 2^24 is far above any real model (the widest public
 * hidden sizes are near 2^15) and keeps products of two such sizes exact in float64.
 */
export const MAX_CONFIG_INT = 1 << 24;

/** Largest pickle (data.pkl, or a legacy checkpoint's pickled header) parsed in memory. */
export const MAX_PICKLE_BYTES = 1 << 30;

/**
 * Most items in one pickled list, tuple or dict, and most values on the unpickler's stack at once
 * (every container is built from stack values, so this bounds them all). A state dict of
 * MAX_TENSORS tensors is one dict of that many entries; its sizes and strides are a few items.
 * A 10 MB pickle of one 4.5M-item list peaked near 410 MB before this limit.
 */
export const MAX_PICKLE_ITEMS = 1 << 21;

/** Most memo entries of one pickle (torch memoises about 8 objects per tensor: 8 × MAX_TENSORS). */
export const MAX_PICKLE_MEMO = 1 << 23;

/** Largest GGUF header (metadata + tensor infos) parsed in memory. */
export const MAX_GGUF_HEADER = 1 << 30;

/** Largest ONNX protobuf parsed in memory (protobuf's own limit for one message is 2 GiB). */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;

/** Most nodes a computation graph (ONNX, tfjs) may hold. */
export const MAX_GRAPH_NODES = 1_000_000;

/** Most shard files one checkpoint (index or tfjs manifest) may list. */
export const MAX_SHARDS = 100_000;

/** Most graph nodes one constant-folding query may visit (results are memoised across queries). */
export const MAX_FOLD_NODES = 10_000;

/** Longest list of values constant folding produces; longer results are "unknown". */
export const MAX_FOLD_VALUES = 64;

/** Largest list file `genbound compare` reads (one model path per line). */
export const MAX_LIST_BYTES = 1 << 20;

/** Most models one list file may name. */
export const MAX_LIST_MODELS = 10_000;

/** Longest line of a list file (characters; Linux's PATH_MAX is 4096 bytes). */
export const MAX_LIST_LINE = 4096;
