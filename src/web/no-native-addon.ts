/**
 * The browser's side of src/linalg/native-addon.ts (the Vite build puts this module in its place,
 * as a package's "browser" field would): a page has no OpenBLAS addon, so the registry's native
 * entry reports itself unavailable and the TypeScript backend runs.
 */
import type { NativeAddon } from '../linalg/native-addon.js';

export function loadNativeAddon(): NativeAddon | null {
  return null;
}

export function nativeLoadError(): string | undefined {
  return 'a browser page has no native addon';
}
