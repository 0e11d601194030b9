/**
 * NIK and KK checks in the browser with the domain's own parsers: a structural rejection is a blocking error, a
 * doubt (birth date or sex that disagree with the NIK, another district) is a warning the operator may keep.
 * Messages never repeat the number itself.
 */
import { DomainError, parseKkNumber, parseNik } from '@muskel/domain';
import { t, type MessageKey } from '../../i18n';

export interface Check {
  errors: string[];
  warnings: string[];
}

const OK: Check = { errors: [], warnings: [] };
const reasonOf = (error: unknown) =>
  error instanceof DomainError && typeof error.details?.reason === 'string' ? error.details.reason : 'NOT_16_DIGITS';

/** An empty value is only "required" once the operator tried to send the form. */
export function checkNik(
  nik: string,
  context: { birthDate?: string; sex?: string; villageCode: string },
  required: boolean,
): Check {
  if (nik.trim() === '') return required ? { errors: [t('secretary.proposal.required')], warnings: [] } : OK;
  try {
    const parsed = parseNik(nik, {
      birthDate: context.birthDate || undefined,
      sex: context.sex === 'M' || context.sex === 'F' ? context.sex : undefined,
      villageCode: context.villageCode,
      referenceYear: new Date().getFullYear(),
    });
    return { errors: [], warnings: parsed.warnings.map((w) => t(`secretary.nik.${w.code}` as MessageKey)) };
  } catch (error) {
    return { errors: [t(`secretary.nik.${reasonOf(error)}` as MessageKey)], warnings: [] };
  }
}

export function checkKk(kk: string, required: boolean): Check {
  if (kk.trim() === '') return required ? { errors: [t('secretary.proposal.required')], warnings: [] } : OK;
  try {
    parseKkNumber(kk, { referenceYear: new Date().getFullYear() });
    return OK;
  } catch (error) {
    return { errors: [t(`secretary.kk.${reasonOf(error)}` as MessageKey)], warnings: [] };
  }
}
