import { Injectable, type PipeTransform } from '@nestjs/common';
import { isRegionCode, parseRegionCode } from '@muskel/domain';
import { ApiError } from '@muskel/http';

function regionPipe(level: 'regency' | 'village', digits: number) {
  @Injectable()
  class RegionCodePipe implements PipeTransform<string, string> {
    transform(value: string): string {
      const parsed = isRegionCode(value) ? parseRegionCode(value) : undefined;
      if (parsed?.level !== level) {
        throw new ApiError(400, 'VALIDATION_FAILED', `The path must name a ${level} code (${digits} digits).`, {
          errors: [
            {
              field: 'regionCode',
              code: 'isRegionCode',
              message: `regionCode must be a ${digits}-digit ${level} code`,
            },
          ],
        });
      }
      return parsed.code;
    }
  }
  return RegionCodePipe;
}

/** `:regionCode` as a regency (4 digits, dots allowed), canonical digits out. */
export const RegencyCodePipe = regionPipe('regency', 4);
/** `:regionCode` as a village (10 digits, dots allowed), canonical digits out. */
export const VillageCodePipe = regionPipe('village', 10);
