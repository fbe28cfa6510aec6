/** genbound's training library: tensors, autodiff, layers, optimisers, checkpoints. See docs/nn.md. */
export { Tensor, backward, noGrad, isGradEnabled, tidy, setBufferPooling, clearBufferPool, type DType, type Data } from './tensor.js';
export { Rng } from './rng.js';
export { gemm, gemmBatched, gemmBackend, setGemmBackend, setGemmThreads, type GemmBackend } from './gemm.js';
export { add, sub, mul, scale, relu, gelu, tanh, sum, mean, mse, reshape } from './ops/elementwise.js';
export { linear } from './ops/linear.js';
export { layerNorm, meanPool, embedding, prependTokens } from './ops/layers.js';
export { multiHeadAttention, type AttentionOptions } from './ops/attention.js';
export { conv1d } from './ops/conv.js';
export { Module, Linear, LayerNorm, Embedding, Conv1d, PromptTokens, type InitOptions } from './module.js';
export {
  TransformerRegressor, Block, SelfAttention, FeedForward,
  type TransformerRegressorConfig, type TransformerConfigJson, type Activation,
} from './transformer.js';
export { Adam, AdamW, clipGradNorm, schedules, applySchedule, type AdamOptions, type Schedule } from './optim.js';
export { gradCheck, randomTensor, type GradCheckResult } from './gradcheck.js';
export { saveTransformer, loadTransformer, saveModule, loadModule, moduleTensors, WEIGHTS_FILE, CONFIG_FILE, type SaveOptions } from './serialize.js';
