import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  Param,
  Post,
  Query,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { ProblemException } from '@kkb/platform';
import { DeadLetterAdminService, type DeadLetterActor } from './dead-letter-admin.service';
import {
  DeadLetterAuditPage,
  DeadLetterAuditQuery,
  DeadLetterConsumerQuery,
  DeadLetterDetailView,
  DeadLetterPage,
  DeadLetterDiscardView,
  ListDeadLettersQuery,
  DeadLetterReplayAllDto,
  DeadLetterReplayResultView,
} from './dead-letter-admin.views';

/** A dead letter's sequence in the DLQ stream: digits, 1..2^53-1, else a 400 naming the field. */
@Injectable()
export class SequencePipe implements PipeTransform<string, number> {
  transform(value: string, meta: ArgumentMetadata): number {
    const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
    if (n >= 1 && Number.isSafeInteger(n)) return n;
    throw ProblemException.validation([
      { field: meta.data ?? 'seq', reason: 'must be a dead-letter sequence: a whole number from 1' },
    ]);
  }
}

function cursorSeq(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (/^\d{1,16}$/.test(cursor) && Number.isSafeInteger(Number(cursor))) return Number(cursor);
  throw ProblemException.validation([
    { field: 'cursor', reason: 'must be the nextCursor of a previous page' },
  ]);
}

const actorOf = (p: Principal): DeadLetterActor => ({ sub: p.sub, role: p.role });

/**
 * The dead letters of every service, for national operators only: the DLQ stream is one for the
 * whole platform, so one service (notifications) serves the API for all consumers and each
 * replay is carried out by the service that owns the consumer (see DeadLetterReplayer).
 */
@ApiTags('dead-letters')
@ApiBearerAuth()
@Roles(Role.national)
@Controller('api/v1/dead-letters')
export class DeadLetterAdminController {
  constructor(private readonly admin: DeadLetterAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Dead letters, of one consumer or all, oldest (or newest) first' })
  @ApiOkResponse({ type: DeadLetterPage })
  list(@Query() q: ListDeadLettersQuery): Promise<DeadLetterPage> {
    const after = q.after ?? cursorSeq(q.cursor);
    return this.admin.list({ consumer: q.consumer, order: q.order, limit: q.limit, after });
  }

  @Get('audit')
  @ApiOperation({ summary: 'Who inspected, replayed or discarded which letter, newest first' })
  @ApiOkResponse({ type: DeadLetterAuditPage })
  audit(@Query() q: DeadLetterAuditQuery): Promise<DeadLetterAuditPage> {
    if (q.cursor !== undefined) cursorSeq(q.cursor);
    return this.admin.auditLog({ consumer: q.consumer, limit: q.limit, cursor: q.cursor });
  }

  @Get(':seq')
  @ApiOperation({ summary: 'One dead letter with the event as received (audited)' })
  @ApiOkResponse({ type: DeadLetterDetailView })
  show(
    @Param('seq', SequencePipe) seq: number,
    @CurrentUser() user: Principal,
  ): Promise<DeadLetterDetailView> {
    return this.admin.show(seq, actorOf(user));
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay every letter of one consumer, oldest first; each letter’s result',
  })
  @ApiOkResponse({ type: [DeadLetterReplayResultView] })
  replayAll(
    @Body() dto: DeadLetterReplayAllDto,
    @CurrentUser() user: Principal,
  ): Promise<DeadLetterReplayResultView[]> {
    return this.admin.replayAll(dto.consumer, actorOf(user));
  }

  @Post(':seq/replay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Re-deliver the event to its consumer only, through its inbox; the letter is removed once the consumer took it (a new letter if it fails again)',
  })
  @ApiOkResponse({ type: DeadLetterReplayResultView })
  replay(
    @Param('seq', SequencePipe) seq: number,
    @CurrentUser() user: Principal,
  ): Promise<DeadLetterReplayResultView> {
    return this.admin.replay(seq, actorOf(user));
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: 'Discard every letter of one consumer (audited, then deleted)' })
  @ApiOkResponse({ type: [DeadLetterDiscardView] })
  discardAll(
    @Query() q: DeadLetterConsumerQuery,
    @CurrentUser() user: Principal,
  ): Promise<DeadLetterDiscardView[]> {
    return this.admin.discardAll(q.consumer, actorOf(user));
  }

  @Delete(':seq')
  @HttpCode(204)
  @ApiOperation({ summary: 'Discard one letter (audited, then deleted from the stream)' })
  async discard(@Param('seq', SequencePipe) seq: number, @CurrentUser() user: Principal): Promise<void> {
    await this.admin.discard(seq, actorOf(user));
  }
}
