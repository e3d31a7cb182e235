import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@kkb/auth';
import { PageQuery, type Page, UuidPipe } from '@kkb/platform';
import { ClassificationView, EvaluationPageView } from './classification.view';
import { ExplainService, type EvaluationSummary } from './explain.service';

@ApiTags('classification')
@ApiBearerAuth()
@Controller('api/v1/kampung/:id/classification')
export class ClassificationController {
  constructor(private readonly explain: ExplainService) {}

  @Get()
  @ApiOperation({
    summary:
      'The current level and why: each indicator (value, band, score), the indices, the submissions used, and what would lift it',
  })
  @ApiOkResponse({ type: ClassificationView })
  current(@Param('id', UuidPipe) id: string, @CurrentUser() user: Principal): Promise<ClassificationView> {
    return this.explain.current(id, user);
  }

  @Get('history')
  @ApiOperation({ summary: 'Every evaluation of the kampung, newest first' })
  @ApiOkResponse({ type: EvaluationPageView })
  history(
    @Param('id', UuidPipe) id: string,
    @Query() q: PageQuery,
    @CurrentUser() user: Principal,
  ): Promise<Page<EvaluationSummary>> {
    return this.explain.history(id, q, user);
  }
}
