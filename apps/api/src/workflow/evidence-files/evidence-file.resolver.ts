import { Inject, Injectable } from '@nestjs/common';
import type { ScopeResolver } from '@muskel/auth';
import { EvidenceFiles } from './evidence-files.store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The village of the evidence file named by `:id`; null (so 404) when there is no such file. */
@Injectable()
export class EvidenceFileVillageResolver implements ScopeResolver {
  constructor(@Inject(EvidenceFiles) private readonly files: EvidenceFiles) {}

  async resolve(request: { params: Record<string, string> }): Promise<string | null> {
    const id = request.params.id ?? '';
    if (!UUID.test(id)) return null;
    return (await this.files.info(id.toLowerCase()))?.villageCode ?? null;
  }
}
