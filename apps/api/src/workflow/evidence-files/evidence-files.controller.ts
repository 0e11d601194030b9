import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { deterministicId, type CommandContext } from '@muskel/application';
import { Allow, type Principal } from '@muskel/auth';
import { parseRegionCode, scopeCovers } from '@muskel/domain';
import { AppConfig } from '@muskel/config';
import { ApiError } from '@muskel/http';
import { sha256Digest } from '@muskel/jobs';
import { Context, CurrentPrincipal } from '../../common/command-context.decorator';
import { PersonalDataReads } from '../personal-data/personal-data-reads';
import { QueryVillageResolver } from '../region.resolvers';
import { scopesOf, WORKFLOW_READERS } from '../scopes';
import { EvidenceFileVillageResolver } from './evidence-file.resolver';
import { FindEvidenceQuery, UploadEvidenceQuery } from './evidence-files.dto';
import { EVIDENCE_MEDIA_TYPES, EvidenceFiles, type EvidenceFileInfo } from './evidence-files.store';

/** The first bytes each accepted type starts with: a Word file renamed `.pdf` is refused, not stored. */
const SIGNATURES: Record<string, readonly number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};
const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

function answerOf(file: EvidenceFileInfo) {
  return {
    fileId: file.fileId,
    digest: file.digest,
    size: file.size,
    mediaType: file.mediaType,
    kind: file.kind,
    villageCode: file.villageCode,
    uploadedAt: file.uploadedAt,
  };
}

/**
 * Evidence files of proposals (a death certificate scan, a moving letter, a field-visit photo, a signed refusal):
 * the village uploads the file, the proposal's evidence item carries its digest, and the regency's verifier (or an
 * auditor) finds the file by that digest and downloads it. Files are personal data: reading one is recorded.
 */
@ApiTags('evidence-files')
@Controller('evidence-files')
export class EvidenceFilesController {
  constructor(
    @Inject(EvidenceFiles) private readonly files: EvidenceFiles,
    @Inject(PersonalDataReads) private readonly reads: PersonalDataReads,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post()
  @Allow(['VILLAGE_OPERATOR'], { source: 'request', resolver: QueryVillageResolver })
  @HttpCode(201)
  @ApiOperation({ summary: 'Uploads an evidence file (PDF, JPEG or PNG); the same bytes again are the same file' })
  @ApiConsumes(...EVIDENCE_MEDIA_TYPES)
  @ApiBody({ description: 'The file itself, as the body', schema: { type: 'string', format: 'binary' } })
  async upload(@Req() request: Request, @Query() query: UploadEvidenceQuery, @Context() context: CommandContext) {
    const matched = request.is([...EVIDENCE_MEDIA_TYPES]);
    if (matched === null) throw new ApiError(400, 'EMPTY_FILE', 'The file is empty.');
    if (matched === false) {
      throw new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the file as ${EVIDENCE_MEDIA_TYPES.join(', ')} (a scan as PDF, a photo as JPEG or PNG).`,
      );
    }
    const bytes = await this.readBody(request);
    if (bytes.length === 0) throw new ApiError(400, 'EMPTY_FILE', 'The file is empty.');
    const signature = SIGNATURES[matched] ?? [];
    if (!signature.every((byte, index) => bytes[index] === byte)) {
      throw new ApiError(400, 'INVALID_FILE', `The content is not a ${EXTENSIONS[matched]?.toUpperCase()} file.`);
    }
    const villageCode = parseRegionCode(query.villageCode).code;
    const digest = sha256Digest(bytes);
    const file = await this.files.put({
      // From the cause: the same bytes for the same village are one file, whoever uploads them and how often.
      id: deterministicId('evidence-file', villageCode, digest),
      digest,
      mediaType: matched,
      kind: query.kind,
      villageCode,
      uploadedBy: context.actor.userId,
      uploadedAt: context.occurredAt,
      bytes,
    });
    return answerOf(file);
  }

  @Get()
  @Allow(WORKFLOW_READERS)
  @ApiOperation({ summary: "Finds the evidence files with this digest in the caller's scope (no content)" })
  async find(@Query() query: FindEvidenceQuery, @CurrentPrincipal() principal: Principal) {
    // A lookup, filtered to the caller's scopes rather than refused (like GET /proposals).
    const scopes = scopesOf(principal, WORKFLOW_READERS);
    const files = await this.files.findByDigest(query.digest);
    return {
      items: files
        .filter((file) => scopes.some((scope) => scopeCovers(scope, file.villageCode)))
        .map((file) => answerOf(file)),
    };
  }

  @Get(':id')
  @Allow(WORKFLOW_READERS, { source: 'resource', resolver: EvidenceFileVillageResolver })
  @ApiOperation({ summary: 'Downloads an evidence file (personal data: the read is recorded)' })
  @ApiProduces(...EVIDENCE_MEDIA_TYPES)
  // A scan of a civil document: no shared or browser cache keeps a copy.
  @Header('Cache-Control', 'no-store')
  async download(@Param('id', ParseUUIDPipe) id: string, @Context() context: CommandContext) {
    const file = await this.files.get(id.toLowerCase());
    if (!file) throw new ApiError(404, 'NOT_FOUND', 'No evidence file has this id.');
    // Recorded before the first byte leaves: a read that cannot be recorded is not served.
    await this.reads.record(context, { what: 'evidence-file', ids: [file.fileId] });
    return new StreamableFile(file.bytes, {
      type: file.mediaType,
      length: file.size,
      disposition: `attachment; filename="bukti-${file.fileId}.${EXTENSIONS[file.mediaType] ?? 'bin'}"`,
    });
  }

  private async readBody(request: Request): Promise<Buffer> {
    const max = this.config.EVIDENCE_MAX_BYTES;
    const tooLarge = () =>
      new ApiError(
        413,
        'FILE_TOO_LARGE',
        `An evidence file has at most ${max} bytes (${Math.floor(max / 1048576)} MB).`,
      );
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) throw tooLarge();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}
