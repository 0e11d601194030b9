/**
 * The text of a PDF as a reader's PDF viewer extracts it (pdfjs), for tests of the berita acara and BNBA documents.
 * Shared by the unit tests of the PDF renderer and the browser tests that download them.
 */
import * as path from 'node:path';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
/** pdfjs's metrics of the 14 standard PDF fonts (pdfkit's Helvetica and Courier). */
const STANDARD_FONTS = `${path.dirname(require.resolve('pdfjs-dist/package.json'))}/standard_fonts/`;

/** The text of every page of a PDF, read with pdfjs (as a person's PDF reader would extract it). */
export async function pdfText(bytes: Buffer): Promise<{ spaced: string; joined: string }> {
  // A real import(): TypeScript's CommonJS output would turn `import()` into a require() of an ES module.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const load = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<PdfJs>;
  const pdfjs = await load('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await pdfjs.getDocument({
    data: new Uint8Array(bytes),
    disableFontFace: true,
    standardFontDataUrl: STANDARD_FONTS,
  }).promise;
  const spaced: string[] = [];
  const joined: string[] = [];
  for (let number = 1; number <= document.numPages; number++) {
    const content = await (await document.getPage(number)).getTextContent();
    const strings = content.items.map((item) => ('str' in item ? item.str : ''));
    spaced.push(strings.join(' '));
    joined.push(strings.join(''));
  }
  await document.destroy();
  return { spaced: spaced.join('\n'), joined: joined.join('') };
}
