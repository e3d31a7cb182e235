import { Body, Controller, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { InstrumentService } from './instrument.service';
import { PublishInstrumentDto } from './publish-instrument.dto';

/** Instruments are national forms: every role may read them; only the national role publishes. */
@ApiTags('instruments')
@ApiBearerAuth()
@Controller('api/v1/instruments')
export class InstrumentController {
  constructor(private readonly instruments: InstrumentService) {}

  /** Every published version of every instrument (without the definitions). */
  @Get()
  list() {
    return this.instruments.list();
  }

  /** The latest published version, with its definition. */
  @Get(':code')
  latest(@Param('code') code: string) {
    return this.instruments.latest(code);
  }

  @Get(':code/versions/:version')
  version(@Param('code') code: string, @Param('version', ParseIntPipe) version: number) {
    return this.instruments.version(code, version);
  }

  /** Publishes the next version of an instrument (a new code starts at version 1). */
  @Post(':code/versions')
  @Roles(Role.national)
  publish(@Param('code') code: string, @Body() dto: PublishInstrumentDto, @CurrentUser() user: Principal) {
    return this.instruments.publish(code, dto, user.sub);
  }
}
