/**
 * `muskel audit verify-*`: the offline verifier. It reads only the files named on the command line and opens no
 * network connection, so an auditor can run it on an air-gapped machine against files fetched by any means.
 * Exit codes: 0 verified, 1 verification failed (code, what and where on stderr), 2 usage or unreadable input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  type AuditPolicy,
  type Failure,
  checkpointNoteFromFile,
  parsePolicy,
  verifyBundle,
  verifyCheckpointAgainstPolicy,
  verifyConsistencyBetween,
} from './verify';
import { registerVerifyExport } from './verify-export';

/** Where the commands write and report their exit code: the process by default, a capture in tests. */
export interface AuditIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  setExitCode: (code: number) => void;
}

const processIo: AuditIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** An input that cannot be read or parsed: a usage problem (exit 2), not a verdict on the log. */
class InputError extends Error {}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function readPolicy(file: string): AuditPolicy {
  const parsed = parsePolicy(readJson(file));
  if (!parsed.ok) throw new InputError(`${file}: ${parsed.failure.where}: ${parsed.failure.what}`);
  return parsed.policy;
}

function readCheckpoint(file: string): string {
  const read = checkpointNoteFromFile(readText(file));
  if (!read.ok) throw new InputError(`${file}: ${read.failure.what}`);
  return read.note;
}

/** Malformed inputs are unreadable (2); every other failure is a verdict against the log (1). */
function report(io: AuditIo, failure: Failure, file: string): number {
  io.stdout(`FAILED: ${failure.what}.`);
  io.stderr(`code: ${failure.code}`);
  io.stderr(`what: ${failure.what}`);
  io.stderr(`where: ${file}: ${failure.where}`);
  return failure.code === 'MALFORMED_INPUT' ? 2 : 1;
}

export function runVerifyCheckpoint(io: AuditIo, checkpointFile: string, policyFile: string): number {
  const policy = readPolicy(policyFile);
  const result = verifyCheckpointAgainstPolicy(readCheckpoint(checkpointFile), policy);
  if (!result.ok) return report(io, result.failure, checkpointFile);
  const { origin, size, rootHash, signers } = result.checkpoint;
  io.stdout(
    `OK: checkpoint of ${origin} at size ${size} (root ${rootHash.toString('base64')}) is signed by ${signers.join(', ')}.`,
  );
  return 0;
}

export function runVerifyBundle(io: AuditIo, bundleFile: string, policyFile: string): number {
  const policy = readPolicy(policyFile);
  const result = verifyBundle(readJson(bundleFile), policy);
  if (!result.ok) return report(io, result.failure, bundleFile);
  const { eventId, index, checkpoint } = result;
  io.stdout(
    `OK: event ${eventId} is leaf ${index} of ${checkpoint.origin}, included in the checkpoint of size ${checkpoint.size} signed by ${checkpoint.signers.join(', ')}.`,
  );
  return 0;
}

export function runVerifyConsistency(
  io: AuditIo,
  files: { old: string; new: string; proof: string; policy: string; evidenceDir?: string },
): number {
  const policy = readPolicy(files.policy);
  const oldNote = readCheckpoint(files.old);
  const newNote = readCheckpoint(files.new);
  const proof = readJson(files.proof);
  const result = verifyConsistencyBetween(oldNote, newNote, proof, policy);
  if (result.ok) {
    io.stdout(
      `OK: the checkpoint of size ${result.new.size} extends the checkpoint of size ${result.old.size} of ${result.old.origin}.`,
    );
    return 0;
  }
  const { where } = result.failure;
  const file = where.startsWith('new') ? files.new : where.startsWith('old') ? files.old : files.proof;
  const code = report(io, result.failure, file);
  if (result.fork && files.evidenceDir !== undefined) {
    try {
      fs.mkdirSync(files.evidenceDir, { recursive: true });
      // The notes byte for byte: their signatures are what makes them evidence to third parties.
      fs.writeFileSync(path.join(files.evidenceDir, 'old-checkpoint'), result.fork.oldNote);
      fs.writeFileSync(path.join(files.evidenceDir, 'new-checkpoint'), result.fork.newNote);
      fs.writeFileSync(path.join(files.evidenceDir, 'consistency-proof.json'), `${JSON.stringify(proof)}\n`);
      io.stderr(`evidence: both signed checkpoints and the proof written to ${files.evidenceDir}`);
    } catch (error) {
      io.stderr(`evidence: could not be written to ${files.evidenceDir}: ${(error as Error).message}`);
    }
  }
  return code;
}

/** Runs a command body, turning every error into a message and an exit code, never a stack trace. */
function guarded(io: AuditIo, work: () => number): void {
  let code: number;
  try {
    code = work();
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`muskel: ${error.message}`);
      code = 2;
    } else {
      io.stderr(`muskel: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      code = 1;
    }
  }
  io.setExitCode(code);
}

/** Adds `audit verify-checkpoint`, `audit verify-bundle` and `audit verify-consistency` to the program. */
export function registerAuditCommands(program: Command, io: AuditIo = processIo): void {
  const audit = program
    .command('audit')
    .description('verify the audit log offline: checkpoints, proof bundles, consistency (no network)');

  audit
    .command('verify-checkpoint')
    .description('check a signed checkpoint (raw note or the API JSON) against a trust policy')
    .argument('<checkpoint-file>', 'the checkpoint: raw signed note or GET /audit/v1/checkpoint JSON')
    .requiredOption('--policy <policy.json>', 'trust policy: {origin, verifierKeys, quorum?}')
    .action((checkpointFile: string, options: { policy: string }) =>
      guarded(io, () => runVerifyCheckpoint(io, checkpointFile, options.policy)),
    );

  audit
    .command('verify-bundle')
    .description("check one event's proof bundle: signed checkpoint, leaf hash, inclusion proof, canonical record")
    .argument('<bundle.json>', 'the bundle from GET /audit/v1/events/:eventId/bundle')
    .requiredOption('--policy <policy.json>', 'trust policy: {origin, verifierKeys, quorum?}')
    .action((bundleFile: string, options: { policy: string }) =>
      guarded(io, () => runVerifyBundle(io, bundleFile, options.policy)),
    );

  audit
    .command('verify-consistency')
    .description('check that a newer checkpoint extends an older one; keeps the evidence of a fork')
    .argument('<old-checkpoint>', 'the older checkpoint (raw note or API JSON)')
    .argument('<new-checkpoint>', 'the newer checkpoint (raw note or API JSON)')
    .argument('<proof.json>', 'the proof from GET /audit/v1/proofs/consistency ({from, to, proof} or an array)')
    .requiredOption('--policy <policy.json>', 'trust policy: {origin, verifierKeys, quorum?}')
    .option('--evidence-dir <dir>', 'where to write both signed checkpoints when they conflict')
    .action((oldFile: string, newFile: string, proofFile: string, options: { policy: string; evidenceDir?: string }) =>
      guarded(io, () =>
        runVerifyConsistency(io, {
          old: oldFile,
          new: newFile,
          proof: proofFile,
          policy: options.policy,
          evidenceDir: options.evidenceDir,
        }),
      ),
    );

  registerVerifyExport(audit, io);
}
