import { Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditLog, CheckpointSigner, type StoredCheckpoint } from '@muskel/audit-log';
import { Allow, Public } from '@muskel/auth';
import { ApiError } from '@muskel/http';
import { ConsistencyQuery, HistoryQuery, InclusionQuery, LeavesQuery } from './audit.dto';
import { AuditExports, ExportQuery } from './audit-export';

const b64 = (hash: Buffer): string => hash.toString('base64');
const checkpointBody = (c: StoredCheckpoint) => ({
  size: c.size,
  rootHash: b64(c.rootHash),
  signedAt: c.signedAt.toISOString(),
  note: c.note,
});

/** A proof about sizes or indexes the log does not have is the client's mistake, said plainly. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RangeError) throw new ApiError(422, 'OUT_OF_RANGE', error.message);
    throw error;
  }
}

/**
 * The audit log, read-only and public (DESIGN §9): signed checkpoints, the verifier key, inclusion and consistency
 * proofs, one event's proof bundle. Leaves carry no personal data; listing them is for auditors.
 */
@ApiTags('audit')
@Controller('audit/v1')
export class AuditController {
  constructor(
    @Inject(AuditLog) private readonly log: AuditLog,
    @Inject(CheckpointSigner) private readonly signer: CheckpointSigner,
    @Inject(AuditExports) private readonly exports: AuditExports,
  ) {}

  @Get('verifier-key')
  @Public()
  async verifierKey() {
    return { verifierKey: await this.signer.verifierKey() };
  }

  @Get('checkpoint')
  @Public()
  async latest() {
    const checkpoint = await this.signer.latest();
    if (!checkpoint) throw new ApiError(404, 'NO_CHECKPOINT', 'No checkpoint has been signed yet.');
    return checkpointBody(checkpoint);
  }

  @Get('checkpoints')
  @Public()
  async history(@Query() query: HistoryQuery) {
    return { items: (await this.signer.history(query.limit ?? 100)).map(checkpointBody) };
  }

  @Get('proofs/inclusion')
  @Public()
  inclusion(@Query() query: InclusionQuery) {
    return answering(async () => ({
      index: query.index,
      size: query.size,
      proof: (await this.log.inclusionProof(query.index, query.size)).map(b64),
    }));
  }

  @Get('proofs/consistency')
  @Public()
  consistency(@Query() query: ConsistencyQuery) {
    return answering(async () => ({
      from: query.from,
      to: query.to,
      proof: (await this.log.consistencyProof(query.from, query.to)).map(b64),
    }));
  }

  @Get('events/:eventId/bundle')
  @Public()
  async bundle(@Param('eventId', ParseUUIDPipe) eventId: string) {
    const bundle = await this.log.proofBundle(eventId);
    if (!bundle) throw new ApiError(404, 'NOT_FOUND', 'No integrated event has this id (yet).');
    return bundle;
  }

  @Get('leaves')
  @Allow(['AUDITOR'])
  leaves(@Query() query: LeavesQuery) {
    return answering(async () => ({
      items: (await this.log.leaves(query.from, query.count ?? 100)).map((leaf) => ({
        seq: leaf.seq,
        eventId: leaf.eventId,
        leafHash: b64(leaf.leafHash),
        record: leaf.record,
      })),
    }));
  }

  /** The whole log up to a signed checkpoint as a tar archive; `events=true` (AUDITOR only) adds the events. */
  @Get('export')
  @Public()
  export(
    @Query() query: ExportQuery,
    @Req() request: Parameters<AuditExports['export']>[1],
    @Res({ passthrough: true }) response: Parameters<AuditExports['export']>[2],
  ) {
    return this.exports.export(query, request, response);
  }

  /** Signs a checkpoint now (after checking it is consistent with the previous one). */
  @Post('checkpoints')
  @Allow(['ADMIN', 'AUDITOR'])
  @HttpCode(201)
  async sign() {
    return checkpointBody(await this.signer.signNow());
  }
}
