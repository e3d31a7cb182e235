import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { assertInScope, CurrentUser, Role, Roles, type Principal } from '@kkb/auth';
import { KampungService } from './kampung.service';
import { RegisterKampungDto } from './register-kampung.dto';

@ApiTags('kampung')
@ApiBearerAuth()
@Controller('api/v1/kampung')
export class KampungController {
  constructor(private readonly kampung: KampungService) {}

  @Post()
  @Roles(Role.national, Role.province, Role.regency)
  async register(@Body() dto: RegisterKampungDto, @CurrentUser() user: Principal) {
    assertInScope(user, dto.villageCode);
    return this.kampung.register(dto);
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: Principal) {
    const k = await this.kampung.get(id);
    assertInScope(user, k.villageCode);
    return k;
  }
}
