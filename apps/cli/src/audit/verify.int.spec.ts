/**
 * The offline verifier against a real audit log on PGlite: checkpoints, bundles and consistency proofs the log
 * produces verify; each tampering (record, proof, signature, unknown key, unmet quorum, fork) fails with its own
 * code; the commands give exit codes 0, 1 and 2, write fork evidence, and open no socket.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  canonicalize,
  generateKeyPair,
  leafHash,
  parseNote,
  parseSignerKey,
  rootFromLeafHashes,
  signCheckpoint,
  signNote,
} from '@muskel/audit';
import { AuditLog, AuditLogProjection, CheckpointSigner, type ProofBundle } from '@muskel/audit-log';
import { createPgliteEventStore, type RecordedEvent, type SqlEventStore } from '@muskel/event-store';
import { type AuditIo, registerAuditCommands } from './audit-commands';
import {
  type AuditPolicy,
  checkpointNoteFromFile,
  parsePolicy,
  verifyBundle,
  verifyCheckpointAgainstPolicy,
  verifyConsistencyBetween,
} from './verify';

const ORIGIN = 'audit.test/cli-verify/v1';
const logKey = generateKeyPair(ORIGIN);
const witnessKey = generateKeyPair('witness.test/w1', SIGNATURE_TYPE_COSIGNATURE_V1);
const strangerKey = generateKeyPair(ORIGIN); // same name, another key: an impostor

/** Adds a witness cosignature line to a signed note. */
function cosign(note: string, signerKey: string): string {
  const { text } = parseNote(note);
  return note + signNote(text, [parseSignerKey(signerKey)]).slice(text.length + 1);
}

/** Flips one bit of the last byte of base64 data (a signature's or a hash's). */
function flipBase64(value: string): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[bytes.length - 1]! ^= 0x01;
  return bytes.toString('base64');
}

function flipSignature(note: string): string {
  const lines = note.split('\n');
  const last = lines.length - 2; // the note ends in a newline
  const parts = lines[last]!.split(' ');
  parts[2] = flipBase64(parts[2]!);
  lines[last] = parts.join(' ');
  return lines.join('\n');
}

function expectFailure(result: { ok: boolean; failure?: { code: string } }, code: string): void {
  expect(result.ok).toBe(false);
  expect(result.failure?.code).toBe(code);
}

describe('offline audit verifier on a PGlite audit log', () => {
  let dir: string;
  let store: SqlEventStore;
  let log: AuditLog;
  let oldNote: string;
  let newNote: string;
  let oldSize: number;
  let newSize: number;
  let bundle: ProofBundle;
  let proof: { from: number; to: number; proof: string[] };
  let leafHashes: Buffer[];
  const policy: AuditPolicy = { origin: ORIGIN, verifierKeys: [logKey.verifierKey, witnessKey.verifierKey] };

  async function appendAndIntegrate(count: number): Promise<void> {
    for (let n = 0; n < count; n++) {
      await store.appendToStream(
        `household-${randomUUID()}`,
        [{ id: randomUUID(), type: 'MemberAdded', data: { n }, metadata: { occurredAt: new Date().toISOString() } }],
        { expected: 'no_stream' },
      );
    }
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    // integrate() is idempotent per event id: the already integrated ones are skipped.
    await store.withTransaction(async (tx) => {
      const projection = new AuditLogProjection();
      await projection.setup(tx);
      await projection.applyBatch(events, tx);
    });
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-cli-audit-'));
    store = await createPgliteEventStore({ dataDir: path.join(dir, 'db') });
    await store.init();
    log = new AuditLog(store.executor);
    const signer = new CheckpointSigner(store, { origin: ORIGIN, signerKey: logKey.signerKey });
    expect(await signer.verifierKey()).toBe(logKey.verifierKey);
    await appendAndIntegrate(5);
    ({ note: oldNote, size: oldSize } = await signer.signNow());
    await appendAndIntegrate(6);
    ({ note: newNote, size: newSize } = await signer.signNow());
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    bundle = (await log.proofBundle(events[3]!.id))!;
    proof = {
      from: oldSize,
      to: newSize,
      proof: (await log.consistencyProof(oldSize, newSize)).map((h) => h.toString('base64')),
    };
    leafHashes = (await log.leaves(0, newSize)).map((l) => l.leafHash);
  });

  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('verify functions', () => {
    it('accepts the checkpoints the log signed, with and without a witness quorum', () => {
      expect([oldSize, newSize]).toEqual([5, 11]);
      const result = verifyCheckpointAgainstPolicy(newNote, policy);
      expect(result).toMatchObject({ ok: true, checkpoint: { origin: ORIGIN, size: 11, signers: [ORIGIN] } });
      const cosigned = cosign(newNote, witnessKey.signerKey);
      expect(verifyCheckpointAgainstPolicy(cosigned, { ...policy, quorum: 2 })).toMatchObject({
        ok: true,
        checkpoint: { signers: [ORIGIN, 'witness.test/w1'] },
      });
    });

    it('refuses a flipped signature byte, an unknown key, a missed quorum and another origin', () => {
      expectFailure(verifyCheckpointAgainstPolicy(flipSignature(newNote), policy), 'BAD_SIGNATURE');
      expectFailure(
        verifyCheckpointAgainstPolicy(newNote, { origin: ORIGIN, verifierKeys: [strangerKey.verifierKey] }),
        'UNKNOWN_KEY',
      );
      expectFailure(verifyCheckpointAgainstPolicy(newNote, { ...policy, quorum: 2 }), 'QUORUM_NOT_MET');
      // The same signature counted twice is still one key.
      const twice = newNote + newNote.slice(newNote.lastIndexOf('\u2014'));
      expectFailure(verifyCheckpointAgainstPolicy(twice, { ...policy, quorum: 2 }), 'QUORUM_NOT_MET');
      expectFailure(verifyCheckpointAgainstPolicy(newNote, { ...policy, origin: 'other.test/log' }), 'UNKNOWN_ORIGIN');
      // A witness's bad cosignature rejects the note even though the log's own signature is fine.
      expectFailure(
        verifyCheckpointAgainstPolicy(flipSignature(cosign(newNote, witnessKey.signerKey)), policy),
        'BAD_SIGNATURE',
      );
      expectFailure(verifyCheckpointAgainstPolicy('not a note', policy), 'MALFORMED_INPUT');
    });

    it('validates the policy', () => {
      expect(parsePolicy({ origin: ORIGIN, verifierKeys: [logKey.verifierKey] })).toMatchObject({
        ok: true,
        policy: { quorum: 1 },
      });
      for (const bad of [
        null,
        { origin: ORIGIN, verifierKeys: [] },
        { origin: ORIGIN, verifierKeys: ['nonsense'] },
        { origin: ORIGIN, verifierKeys: [logKey.verifierKey, logKey.verifierKey] },
        { origin: ORIGIN, verifierKeys: [logKey.verifierKey], quorum: 2 },
        { verifierKeys: [logKey.verifierKey] },
      ]) {
        expectFailure(parsePolicy(bad), 'MALFORMED_INPUT');
      }
    });

    it('accepts the proof bundle of an event, also with a cosigned checkpoint under quorum 2', () => {
      expect(bundle.checkpoint?.size).toBe(newSize);
      expect(verifyBundle(bundle, policy)).toMatchObject({ ok: true, eventId: bundle.eventId, index: 3 });
      const cosigned = {
        ...bundle,
        checkpoint: { ...bundle.checkpoint!, note: cosign(newNote, witnessKey.signerKey) },
      };
      expect(verifyBundle(cosigned, { ...policy, quorum: 2 }).ok).toBe(true);
      expect(verifyBundle(JSON.parse(JSON.stringify(bundle)) as unknown, policy).ok).toBe(true);
    });

    it('refuses a tampered bundle with the right code', () => {
      const record = Buffer.from(bundle.record, 'utf8');
      record[record.length - 5]! ^= 0x01;
      const flippedRecord = record.toString('utf8');
      expectFailure(verifyBundle({ ...bundle, record: flippedRecord }, policy), 'LEAF_HASH_MISMATCH');
      // The leaf hash recomputed as well: the proof no longer leads to the signed root.
      const rehashed = { ...bundle, record: flippedRecord, leafHash: leafHash(record).toString('base64') };
      expectFailure(verifyBundle(rehashed, policy), 'INCLUSION_FAILED');
      const proofFlipped = [...bundle.inclusionProof!];
      proofFlipped[0] = flipBase64(proofFlipped[0]!);
      expectFailure(verifyBundle({ ...bundle, inclusionProof: proofFlipped }, policy), 'INCLUSION_FAILED');
      expectFailure(verifyBundle({ ...bundle, index: 4 }, policy), 'INCLUSION_FAILED');
      expectFailure(
        verifyBundle({ ...bundle, checkpoint: { ...bundle.checkpoint!, note: flipSignature(newNote) } }, policy),
        'BAD_SIGNATURE',
      );
      expectFailure(verifyBundle(bundle, { ...policy, quorum: 2 }), 'QUORUM_NOT_MET');
      expectFailure(verifyBundle({ ...bundle, eventId: randomUUID() }, policy), 'EVENT_ID_MISMATCH');
      expectFailure(
        verifyBundle({ ...bundle, checkpoint: { ...bundle.checkpoint!, size: 99 } }, policy),
        'BUNDLE_MISMATCH',
      );
      expectFailure(verifyBundle({ ...bundle, checkpoint: null, inclusionProof: null }, policy), 'NO_CHECKPOINT');
      expectFailure(verifyBundle({ ...bundle, index: 'three' }, policy), 'MALFORMED_INPUT');
    });

    it('refuses a record that is in the log but not canonical JSON', () => {
      // A one-leaf log signed by the same key: the record is included, only its form is wrong.
      const record = JSON.stringify({ v: 1, seq: 0, eventId: bundle.eventId }, null, 1);
      const hash = leafHash(Buffer.from(record, 'utf8'));
      const note = signCheckpoint({ origin: ORIGIN, size: 1, rootHash: hash, extensions: [] }, [
        parseSignerKey(logKey.signerKey),
      ]);
      const oneLeaf = {
        eventId: bundle.eventId,
        index: 0,
        record,
        leafHash: hash.toString('base64'),
        checkpoint: { note, size: 1, rootHash: hash.toString('base64') },
        inclusionProof: [],
      };
      expectFailure(verifyBundle(oneLeaf, policy), 'NOT_CANONICAL');
      const canonical = canonicalize(JSON.parse(record) as Record<string, number | string>);
      const canonicalHash = leafHash(Buffer.from(canonical, 'utf8'));
      const fixedNote = signCheckpoint({ origin: ORIGIN, size: 1, rootHash: canonicalHash, extensions: [] }, [
        parseSignerKey(logKey.signerKey),
      ]);
      expect(
        verifyBundle(
          {
            ...oneLeaf,
            record: canonical,
            leafHash: canonicalHash.toString('base64'),
            checkpoint: { note: fixedNote, size: 1, rootHash: canonicalHash.toString('base64') },
          },
          policy,
        ).ok,
      ).toBe(true);
    });

    it('accepts the consistency proof between the two checkpoints, as object or bare array', () => {
      expect(verifyConsistencyBetween(oldNote, newNote, proof, policy)).toMatchObject({
        ok: true,
        old: { size: oldSize },
        new: { size: newSize },
      });
      expect(verifyConsistencyBetween(oldNote, newNote, proof.proof, policy).ok).toBe(true);
      expect(verifyConsistencyBetween(newNote, newNote, [], policy).ok).toBe(true);
    });

    it('refuses a flipped proof, swapped checkpoints, a proof for other sizes and a bad signature', () => {
      const flipped = [...proof.proof];
      flipped[0] = flipBase64(flipped[0]!);
      const result = verifyConsistencyBetween(oldNote, newNote, flipped, policy);
      expectFailure(result, 'INCONSISTENT');
      expect(result.ok === false && result.fork).toEqual({ oldNote, newNote });
      expectFailure(verifyConsistencyBetween(newNote, oldNote, [], policy), 'SIZE_REGRESSION');
      expectFailure(verifyConsistencyBetween(newNote, oldNote, proof, policy), 'SIZE_REGRESSION');
      expectFailure(verifyConsistencyBetween(oldNote, newNote, { ...proof, from: 4 }, policy), 'MALFORMED_INPUT');
      const badSignature = verifyConsistencyBetween(flipSignature(oldNote), newNote, proof, policy);
      expectFailure(badSignature, 'BAD_SIGNATURE');
      expect(badSignature.ok === false && badSignature.fork).toBeUndefined();
    });

    it('names an old checkpoint of a forked log, signed with the same key, as fork evidence', () => {
      // Same key, same size, a different history from leaf 2 on.
      const forked = [...leafHashes.slice(0, 2), ...[2, 3, 4].map((i) => leafHash(Buffer.from(`forged ${i}`)))];
      const forkNote = signCheckpoint(
        { origin: ORIGIN, size: oldSize, rootHash: rootFromLeafHashes(forked), extensions: [] },
        [parseSignerKey(logKey.signerKey)],
      );
      expect(verifyCheckpointAgainstPolicy(forkNote, policy).ok).toBe(true);
      const result = verifyConsistencyBetween(forkNote, newNote, proof, policy);
      expectFailure(result, 'INCONSISTENT');
      expect(result.ok === false && result.failure.what).toContain('evidence of a fork');
      expect(result.ok === false && result.fork).toEqual({ oldNote: forkNote, newNote });
      // Equal sizes, different roots: a fork no proof could reconcile.
      const sameSize = verifyConsistencyBetween(forkNote, oldNote, [], policy);
      expectFailure(sameSize, 'INCONSISTENT');
      expect(sameSize.ok === false && sameSize.fork).toEqual({ oldNote: forkNote, newNote: oldNote });
    });

    it('reads a checkpoint file as a raw note or as the API JSON', () => {
      expect(checkpointNoteFromFile(newNote)).toEqual({ ok: true, note: newNote });
      const api = JSON.stringify({ size: newSize, rootHash: 'x', signedAt: 'y', note: newNote });
      expect(checkpointNoteFromFile(api)).toEqual({ ok: true, note: newNote });
      expectFailure(checkpointNoteFromFile('{"size": 3}'), 'MALFORMED_INPUT');
      expectFailure(checkpointNoteFromFile('{oops'), 'MALFORMED_INPUT');
    });
  });

  describe('commands', () => {
    let files: string;
    const write = (name: string, content: string | object): string => {
      const file = path.join(files, name);
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    };

    /** Runs the program in-process as main.ts does: commander usage errors become exit code 2. */
    async function run(...args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[] }> {
      const out: string[] = [];
      const err: string[] = [];
      let code: number | undefined;
      const io: AuditIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l), setExitCode: (c) => (code = c) };
      const program = new Command('muskel')
        .exitOverride()
        .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
      registerAuditCommands(program, io);
      try {
        await program.parseAsync(['audit', ...args], { from: 'user' });
      } catch (error) {
        if (!(error instanceof CommanderError)) throw error;
        code = error.exitCode === 0 ? 0 : 2;
      }
      return { code, out, err };
    }

    beforeAll(() => {
      files = fs.mkdtempSync(path.join(os.tmpdir(), 'muskel-cli-audit-files-'));
    });
    afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

    it('exits 0 with a one-line verdict when everything verifies', async () => {
      const policyFile = write('policy.json', policy);
      const checkpointJson = write('checkpoint.json', { size: newSize, rootHash: '', signedAt: '', note: newNote });
      const rawOld = write('old-checkpoint', oldNote);
      const bundleFile = write('bundle.json', bundle);
      const proofFile = write('proof.json', proof);
      for (const args of [
        ['verify-checkpoint', checkpointJson, '--policy', policyFile],
        ['verify-checkpoint', rawOld, '--policy', policyFile],
        ['verify-bundle', bundleFile, '--policy', policyFile],
        ['verify-consistency', rawOld, checkpointJson, proofFile, '--policy', policyFile],
      ]) {
        const { code, out, err } = await run(...args);
        expect({ args, code, err }).toEqual({ args, code: 0, err: [] });
        expect(out).toHaveLength(1);
        expect(out[0]).toMatch(/^OK: /);
      }
    });

    it('exits 1 with code, what and where on stderr when verification fails', async () => {
      const policyFile = write('policy.json', policy);
      const bad = write('bad-checkpoint', flipSignature(newNote));
      const result = await run('verify-checkpoint', bad, '--policy', policyFile);
      expect(result.code).toBe(1);
      expect(result.out).toHaveLength(1);
      expect(result.out[0]).toMatch(/^FAILED: /);
      expect(result.err[0]).toBe('code: BAD_SIGNATURE');
      expect(result.err[1]).toMatch(/^what: /);
      expect(result.err[2]).toContain(bad);
      const record = bundle.record.replace('"seq":3', '"seq":4');
      const tampered = write('tampered-bundle.json', { ...bundle, record });
      const bundleRun = await run('verify-bundle', tampered, '--policy', policyFile);
      expect(bundleRun.code).toBe(1);
      expect(bundleRun.err[0]).toBe('code: LEAF_HASH_MISMATCH');
    });

    it('writes both signed checkpoints to the evidence directory on a fork', async () => {
      const policyFile = write('policy.json', policy);
      const forkNote = signCheckpoint(
        { origin: ORIGIN, size: oldSize, rootHash: leafHash(Buffer.from('forged')), extensions: [] },
        [parseSignerKey(logKey.signerKey)],
      );
      const evidence = path.join(files, 'evidence');
      const result = await run(
        'verify-consistency',
        write('fork-old', forkNote),
        write('new.json', { note: newNote }),
        write('proof.json', proof),
        '--policy',
        policyFile,
        '--evidence-dir',
        evidence,
      );
      expect(result.code).toBe(1);
      expect(result.err[0]).toBe('code: INCONSISTENT');
      expect(result.err.join('\n')).toContain('evidence of a fork');
      expect(fs.readFileSync(path.join(evidence, 'old-checkpoint'), 'utf8')).toBe(forkNote);
      expect(fs.readFileSync(path.join(evidence, 'new-checkpoint'), 'utf8')).toBe(newNote);
      expect(JSON.parse(fs.readFileSync(path.join(evidence, 'consistency-proof.json'), 'utf8'))).toEqual(proof);
    });

    it('exits 2 on usage errors and unreadable input, without a stack trace', async () => {
      const policyFile = write('policy.json', policy);
      const checkpoint = write('checkpoint', newNote);
      const cases: string[][] = [
        ['verify-checkpoint', checkpoint], // --policy missing
        ['verify-bundle'], // argument missing
        ['verify-nothing'],
        ['verify-checkpoint', path.join(files, 'does-not-exist'), '--policy', policyFile],
        ['verify-checkpoint', checkpoint, '--policy', write('bad-policy.json', '{not json')],
        ['verify-checkpoint', checkpoint, '--policy', write('weak-policy.json', { origin: ORIGIN, verifierKeys: [] })],
        ['verify-checkpoint', write('garbage', 'hello\n'), '--policy', policyFile],
        ['verify-bundle', write('not-bundle.json', { eventId: 1 }), '--policy', policyFile],
      ];
      for (const args of cases) {
        const { code, err } = await run(...args);
        expect({ args, code }).toEqual({ args, code: 2 });
        expect(err.join('\n')).not.toMatch(/\n\s+at /);
      }
    });

    it('opens no network connection', async () => {
      const connect = jest.spyOn(net.Socket.prototype, 'connect');
      try {
        const policyFile = write('policy.json', policy);
        await run('verify-bundle', write('bundle.json', bundle), '--policy', policyFile);
        await run(
          'verify-consistency',
          write('o', oldNote),
          write('n', newNote),
          write('p.json', proof),
          '--policy',
          policyFile,
        );
        expect(connect).not.toHaveBeenCalled();
      } finally {
        connect.mockRestore();
      }
    });
  });
});
