import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@muskel/http';
import { JobFiles } from '@muskel/jobs';

/**
 * Which export digest a submission records (BatchSubmitted.exportDigest): the file sent to SIKS-NG must be one
 * Muskel rendered for this batch, so the digest on the log points at a file the auditors can fetch.
 * - digest given, and the batch has exports: it must be the digest of one of them (422 EXPORT_DIGEST_UNKNOWN);
 * - digest omitted: the latest export's XLSX (the file SIKS-NG takes), else its latest file (422 EXPORT_REQUIRED
 *   when the batch has none);
 * - digest given and the batch has no export at all: accepted as given, for batches exported before Muskel rendered
 *   exports (and files prepared by hand during an outage). The digest is then the only record of that file.
 */
@Injectable()
export class ExportDigestRule {
  constructor(@Inject(JobFiles) private readonly files: JobFiles) {}

  async resolve(batchId: string, given: string | undefined): Promise<string> {
    const exports = await this.files.list(batchId, 'siks-export');
    if (given !== undefined) {
      if (exports.length > 0 && !exports.some((file) => file.digest === given)) {
        throw new ApiError(
          422,
          'EXPORT_DIGEST_UNKNOWN',
          'The export digest is not the digest of an export of this batch; see GET /batches/:id/exports.',
        );
      }
      return given;
    }
    const latest = exports.find((file) => file.fileName.endsWith('.xlsx')) ?? exports[0];
    if (!latest) {
      throw new ApiError(
        422,
        'EXPORT_REQUIRED',
        'This batch has no export yet: export it (POST /batches/:id/exports) or give the exported file digest.',
      );
    }
    return latest.digest;
  }
}
