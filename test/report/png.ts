import { inflateSync } from 'node:zlib';
/** Minimal PNG checks for tests: signature, IHDR size. (Decoding pixels is resvg's job.) */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) throw new Error('not a PNG');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (String.fromCharCode(...png.slice(12, 16)) !== 'IHDR') throw new Error('PNG without IHDR');
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

/** Width and height attributes of an SVG root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('SVG without width/height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * Decompress a PNG's image data and check it has exactly height scanlines of width pixels
 * (filter byte + bytes per pixel for the colour type). Returns the raw scanline bytes.
 */
export function pngInflate(png: Uint8Array): { width: number; height: number; raw: Uint8Array } {
  const { width, height } = pngSize(png);
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const bitDepth = png[24];
  const colorType = png[25];
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (bitDepth !== 8 || channels === undefined) throw new Error(`unexpected PNG format depth=${bitDepth} colour=${colorType}`);
  const idat: Uint8Array[] = [];
  for (let off = 8; off < png.length; ) {
    const len = dv.getUint32(off);
    const type = String.fromCharCode(...png.slice(off + 4, off + 8));
    if (type === 'IDAT') idat.push(png.slice(off + 8, off + 8 + len));
    if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = new Uint8Array(inflateSync(Buffer.concat(idat)));
  if (raw.length !== height * (1 + width * channels)) throw new Error(`PNG data has ${raw.length} bytes, expected ${height * (1 + width * channels)}`);
  return { width, height, raw };
}
