import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { createProgress } from './progress-bar';
import { countDataRows } from './registry-commands';

function fakeStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  stream.isTTY = tty;
  stream.columns = 120;
  return { stream, text: () => chunks.join('') };
}

describe('createProgress', () => {
  it('writes one plain line per update when the stream is not a terminal', () => {
    const { stream, text } = fakeStream(false);
    const progress = createProgress('rows', 10, { stream });
    progress.update(5, '5 imported');
    progress.update(10);
    progress.stop();
    expect(text()).toBe('rows: 5/10 5 imported\nrows: 10/10\n');
  });

  it('draws a bar with the count and the summary on a terminal', () => {
    const { stream, text } = fakeStream(true);
    const progress = createProgress('rows', 200, { stream });
    progress.update(100, 'households 40');
    progress.stop();
    progress.stop();
    expect(text()).toContain('rows [');
    expect(text()).toContain('100/200 households 40');
  });

  it('counts without a known total', () => {
    const { stream, text } = fakeStream(true);
    const progress = createProgress('rows', undefined, { stream });
    progress.update(7);
    progress.stop();
    expect(text()).toContain('rows 7');
  });
});

describe('countDataRows', () => {
  it('counts the rows after the header, with or without a final newline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-rows-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.csv'), 'h1,h2\n1,2\n3,4\n');
      fs.writeFileSync(path.join(dir, 'b.csv'), 'h1,h2\n1,2\n3,4');
      fs.writeFileSync(path.join(dir, 'c.csv'), '');
      expect(await countDataRows(path.join(dir, 'a.csv'))).toBe(2);
      expect(await countDataRows(path.join(dir, 'b.csv'))).toBe(2);
      expect(await countDataRows(path.join(dir, 'c.csv'))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
