import { Injectable } from '@nestjs/common';
import type { ScopeResolver } from '@muskel/auth';
import { NATIONAL } from '@muskel/domain';

/** Reference lists are national: only a grant whose scope covers NATIONAL imports them. */
@Injectable()
export class NationalScopeResolver implements ScopeResolver {
  resolve(): Promise<string> {
    return Promise.resolve(NATIONAL);
  }
}
