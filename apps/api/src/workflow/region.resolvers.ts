import { Inject, Injectable } from '@nestjs/common';
import { CommandPipeline } from '@muskel/application';
import type { Principal, ScopeResolver } from '@muskel/auth';
import {
  householdDecider,
  householdStreamName,
  isRegionCode,
  meetingDecider,
  meetingStreamName,
  parseRegionCode,
  proposalDecider,
  proposalStreamName,
} from '@muskel/domain';

type RequestLike = { params: Record<string, string>; body: unknown; query: Record<string, unknown> };

/**
 * For a request whose region is not even a valid code: the caller's own scope, so the guard lets it through to
 * validation, which answers 400 naming the field (rather than a puzzling "outside your scope").
 */
function ownScope(principal: Principal): string | null {
  return principal.grants[0]?.scope ?? null;
}

/** A region code as the guard compares it (digits only), or null when it is not one (then nobody's scope covers it). */
function canonical(input: unknown): string | null {
  return typeof input === 'string' && isRegionCode(input) ? parseRegionCode(input).code : null;
}

/** Folding the stream itself (not a projection) means a resource is never hidden or exposed by projection lag. */
async function safely(run: () => Promise<string | null>): Promise<string | null> {
  try {
    return await run();
  } catch {
    return null; // an id that is not a valid stream id names nothing
  }
}

/** The village of the proposal named by `:id`. */
@Injectable()
export class ProposalVillageResolver implements ScopeResolver {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}
  resolve(request: RequestLike): Promise<string | null> {
    return safely(async () => {
      const { state } = await this.pipeline.fold(proposalStreamName(request.params.id ?? ''), proposalDecider);
      return state.status === 'none' ? null : (state as { villageCode: string }).villageCode;
    });
  }
}

/** The village of the meeting named by `:id`. */
@Injectable()
export class MeetingVillageResolver implements ScopeResolver {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}
  resolve(request: RequestLike): Promise<string | null> {
    return safely(async () => {
      const { state } = await this.pipeline.fold(meetingStreamName(request.params.id ?? ''), meetingDecider);
      return state.status === 'none' ? null : (state.villageCode ?? null);
    });
  }
}

/** The village of the household named by `:id`. */
@Injectable()
export class HouseholdVillageResolver implements ScopeResolver {
  constructor(@Inject(CommandPipeline) private readonly pipeline: CommandPipeline) {}
  resolve(request: RequestLike): Promise<string | null> {
    return safely(async () => {
      const { state, revision } = await this.pipeline.fold(
        householdStreamName(request.params.id ?? ''),
        householdDecider,
      );
      return revision < 0 ? null : (state.location?.villageCode ?? null);
    });
  }
}

/** The regency of the batch named by `:id` (`<regency>-<yyyymm>`); it need not exist yet to be in scope. */
@Injectable()
export class BatchRegencyResolver implements ScopeResolver {
  resolve(request: RequestLike): Promise<string | null> {
    const match = /^(\d{4})-\d{6}$/.exec(request.params.id ?? '');
    return Promise.resolve(match ? match[1]! : null);
  }
}

/** The village named in the body (`villageCode`): creating a proposal or a meeting there. */
@Injectable()
export class BodyVillageResolver implements ScopeResolver {
  resolve(request: RequestLike, principal: Principal): Promise<string | null> {
    return Promise.resolve(
      canonical((request.body as { villageCode?: unknown } | undefined)?.villageCode) ?? ownScope(principal),
    );
  }
}

/** The regency named in the body (`regencyCode`): opening a batch. */
@Injectable()
export class BodyRegencyResolver implements ScopeResolver {
  resolve(request: RequestLike, principal: Principal): Promise<string | null> {
    return Promise.resolve(
      canonical((request.body as { regencyCode?: unknown } | undefined)?.regencyCode) ?? ownScope(principal),
    );
  }
}

/** The region named by the `:regionCode` path parameter (a village's registry, a regency's policy). */
@Injectable()
export class PathRegionResolver implements ScopeResolver {
  resolve(request: RequestLike, principal: Principal): Promise<string | null> {
    return Promise.resolve(canonical(request.params.regionCode) ?? ownScope(principal));
  }
}

/** The village named in the query (`?villageCode=`): importing a village's baseline list. */
@Injectable()
export class QueryVillageResolver implements ScopeResolver {
  resolve(request: RequestLike, principal: Principal): Promise<string | null> {
    return Promise.resolve(canonical(request.query.villageCode) ?? ownScope(principal));
  }
}
