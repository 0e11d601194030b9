import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@muskel/auth';
import { AppConfig } from '@muskel/config';
import { ApiError } from '@muskel/http';
import { MetricsService } from './metrics.service';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compared as SHA-256 digests (equal lengths) in constant time, so the answer's timing says nothing of the token. */
function presentsToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/**
 * `GET /metrics`: Prometheus' text format. It holds counts, ages and names of projections, nothing personal. Without
 * METRICS_TOKEN it is public (scraped on an internal network); with it, only a request presenting that token as a
 * bearer token gets an answer. User sessions and API tokens do not open it: a scraper is not a user.
 */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics: projection lag, leases, oldest transaction, reactor failures, process',
  })
  @ApiProduces('text/plain')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const token = this.config.METRICS_TOKEN;
    if (token !== undefined && !presentsToken(authorization, token)) {
      throw new ApiError(401, 'METRICS_TOKEN_REQUIRED', 'GET /metrics needs the metrics bearer token.', {
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
    }
    const body = await this.metrics.metrics();
    // end() rather than send(): send() rewrites the media type's parameters, and scrapers match it as written.
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end(body);
  }
}
