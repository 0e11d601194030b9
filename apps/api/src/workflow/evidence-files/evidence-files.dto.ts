import { ApiProperty } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { EVIDENCE_KINDS, type EvidenceKind } from '@muskel/domain';
import { DIGEST, DIGEST_MESSAGE, villageCodeRule } from '../workflow.dto';

export class UploadEvidenceQuery {
  @ApiProperty({ example: '3515142001', description: 'The village whose proposal the evidence supports' })
  @villageCodeRule()
  villageCode!: string;

  @ApiProperty({ enum: EVIDENCE_KINDS, description: 'What the file is (a death certificate scan, a moving letter...)' })
  @IsIn(EVIDENCE_KINDS)
  kind!: EvidenceKind;
}

export class FindEvidenceQuery {
  @ApiProperty({ example: `sha256:${'0'.repeat(64)}`, description: "The digest a proposal's evidence item carries" })
  @Matches(DIGEST, { message: DIGEST_MESSAGE })
  digest!: string;
}
