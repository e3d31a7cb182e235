import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { InstrumentService } from './instrument.service';
import { InstrumentSummaryView, InstrumentView } from './instrument.views';
import { PublishInstrumentDto } from './publish-instrument.dto';
import { ParseIdPipe } from '@kkb/platform';

/** Instruments are national forms: every role may read them; only the national role publishes. */
@ApiTags('instruments')
@ApiBearerAuth()
@Controller('api/v1/instruments')
export class InstrumentController {
  constructor(private readonly instruments: InstrumentService) {}

  /** Every published version of every instrument (without the definitions). */
  @Get()
  @ApiOperation({ summary: 'Every published version of every instrument, without the definitions' })
  @ApiOkResponse({ type: [InstrumentSummaryView] })
  list(): Promise<InstrumentSummaryView[]> {
    return this.instruments.list();
  }

  /** The latest published version, with its definition. */
  @Get(':code')
  @ApiOperation({ summary: 'The latest published version of an instrument, with its definition' })
  @ApiOkResponse({ type: InstrumentView })
  latest(@Param('code') code: string): Promise<InstrumentView> {
    return this.instruments.latest(code);
  }

  @Get(':code/versions/:version')
  @ApiOperation({ summary: 'One published version of an instrument, with its definition' })
  @ApiOkResponse({ type: InstrumentView })
  version(
    @Param('code') code: string,
    @Param('version', ParseIdPipe) version: number,
  ): Promise<InstrumentView> {
    return this.instruments.version(code, version);
  }

  /** Publishes the next version of an instrument (a new code starts at version 1). */
  @Post(':code/versions')
  @ApiOperation({ summary: 'Publish the next version of an instrument (a new code starts at 1)' })
  @Roles(Role.national)
  @ApiCreatedResponse({ type: InstrumentView })
  publish(
    @Param('code') code: string,
    @Body() dto: PublishInstrumentDto,
    @CurrentUser() user: Principal,
  ): Promise<InstrumentView> {
    return this.instruments.publish(code, dto, user.sub);
  }
}
