import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { UuidPipe } from '@kkb/platform';
import { ListSubmissionsQuery } from './list-submissions.query';
import { RejectSubmissionDto } from './reject-submission.dto';
import { SubmissionService } from './submission.service';
import { SubmissionListItemView, submissionView, SubmissionView } from './submission.view';
import { SubmitSubmissionDto } from './submit-submission.dto';

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('api/v1')
export class SubmissionController {
  constructor(private readonly service: SubmissionService) {}

  /**
   * Submits a profile or monthly report. 201 when created; 200 with the stored submission for a
   * retry with the same id and body; 409 for the same id with a different body. A new submission
   * for the same kampung, kind and period supersedes the current one.
   */
  @Post('submissions')
  @ApiOperation({ summary: 'Submit a kampung profile or monthly report (idempotent by id)' })
  @Roles(Role.field_officer)
  @ApiBody({ type: SubmitSubmissionDto })
  @ApiCreatedResponse({ type: SubmissionView, description: 'Created' })
  @ApiOkResponse({ type: SubmissionView, description: 'A retry with the same id and body: the stored one' })
  async submit(
    // Untyped on purpose: the use case validates shape and answers together, in one problem.
    @Body() body: Record<string, unknown>,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubmissionView> {
    const outcome = await this.service.submit(body, user);
    if (outcome.outcome === 'unchanged') void reply.status(200);
    return submissionView(outcome.submission);
  }

  /**
   * Submissions in the caller's region (narrowed by `region`), newest first; superseded ones are
   * the history. Each carries the kampung's name; `region` outside the caller's scope is a 403.
   */
  @Get('submissions')
  @ApiOperation({ summary: "Submissions in the caller's region, newest first" })
  @ApiOkResponse({ type: [SubmissionListItemView] })
  async list(
    @Query() q: ListSubmissionsQuery,
    @CurrentUser() user: Principal,
  ): Promise<SubmissionListItemView[]> {
    const rows = await this.service.list(q, user);
    return rows.map((r) => ({ ...submissionView(r), kampungName: r.kampungName }));
  }

  @Get('submissions/:id')
  @ApiOperation({ summary: 'One submission with its answers' })
  @ApiOkResponse({ type: SubmissionView })
  async get(@Param('id', UuidPipe) id: string, @CurrentUser() user: Principal): Promise<SubmissionView> {
    return submissionView(await this.service.get(id, user));
  }

  /** A verifier of the kampung's region confirms a submitted submission. */
  @Post('submissions/:id/verify')
  @ApiOperation({ summary: 'Verify a submitted submission' })
  @HttpCode(200)
  @Roles(Role.verifier)
  @ApiOkResponse({ type: SubmissionView })
  async verify(@Param('id', UuidPipe) id: string, @CurrentUser() user: Principal): Promise<SubmissionView> {
    return submissionView(await this.service.verify(id, user));
  }

  /** A verifier of the kampung's region sends a submission back; a corrected one gets a new id. */
  @Post('submissions/:id/reject')
  @ApiOperation({ summary: 'Reject a submitted submission, with the reason' })
  @HttpCode(200)
  @Roles(Role.verifier)
  @ApiOkResponse({ type: SubmissionView })
  async reject(
    @Param('id', UuidPipe) id: string,
    @Body() dto: RejectSubmissionDto,
    @CurrentUser() user: Principal,
  ): Promise<SubmissionView> {
    return submissionView(await this.service.reject(id, dto.reason, user));
  }

  /** The kampung's active profile: its verified, current profile of the latest period. */
  @Get('kampung/:kampungId/profile')
  @ApiOperation({ summary: "The kampung's active (verified, latest) profile" })
  @ApiOkResponse({ type: SubmissionView })
  async activeProfile(
    @Param('kampungId', UuidPipe) kampungId: string,
    @CurrentUser() user: Principal,
  ): Promise<SubmissionView> {
    return submissionView(await this.service.activeProfile(kampungId, user));
  }
}
