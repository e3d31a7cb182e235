import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@kkb/auth';
import { FeedQuery } from './feed.query';
import { FeedService, type FeedPage } from './feed.service';
import { FeedPageView } from './feed.views';

const PROBLEM = {
  'application/problem+json': {
    schema: {
      type: 'object',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, reason: { type: 'string' } },
          },
        },
      },
    },
  },
};

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class FeedController {
  constructor(private readonly feed: FeedService) {}

  @Get()
  @ApiOperation({
    summary: 'Read the event feed',
    description:
      "The platform's events within the caller's region scope, oldest first, after a cursor: for integrators who can run neither NATS nor a webhook endpoint. Pass `next` as `after` to read on; with `wait`, an empty page comes only once the wait is over (long poll).",
  })
  @ApiOkResponse({ type: FeedPageView })
  @ApiBadRequestResponse({
    description: 'A malformed parameter, or a cursor this API did not issue',
    content: PROBLEM,
  })
  @ApiUnauthorizedResponse({ description: 'No valid bearer token', content: PROBLEM })
  @ApiForbiddenResponse({ description: "`region` is outside the caller's scope", content: PROBLEM })
  @ApiTooManyRequestsResponse({ description: 'Rate limit reached; see Retry-After', content: PROBLEM })
  read(@Query() q: FeedQuery, @CurrentUser() user: Principal): Promise<FeedPage> {
    return this.feed.read(user, q);
  }
}
