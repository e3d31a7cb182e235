import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal, OwnResource } from '@kkb/auth';
import { type Page } from '@kkb/platform';
import { InboxService } from './inbox.service';
import type { InboxItemView } from './inbox.repository';
import { ListInboxQuery } from './list-inbox.query';
import { NotificationPreferencesDto } from './notification-preferences.dto';

/**
 * The caller's inbox and e-mail preferences. Read marks and preferences are the caller's own,
 * so any role (an integrator reading a notice about its subscription too) may set them.
 */
@ApiTags('inbox')
@ApiBearerAuth()
@OwnResource()
@Controller('api/v1')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get('inbox')
  @ApiOperation({ summary: 'Notifications for the caller’s region (and addressed to them), newest first' })
  list(
    @Query() q: ListInboxQuery,
    @CurrentUser() user: Principal,
  ): Promise<Page<InboxItemView> & { unread: number }> {
    return this.inbox.list(user, q);
  }

  @Post('inbox/read-all')
  @HttpCode(204)
  async readAll(@CurrentUser() user: Principal): Promise<void> {
    await this.inbox.markAllRead(user);
  }

  @Post('inbox/:id/read')
  @HttpCode(204)
  async read(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: Principal): Promise<void> {
    await this.inbox.markRead(user, id);
  }

  @Get('me/notification-preferences')
  preferences(@CurrentUser() user: Principal): Promise<{ email: string | null; digest: boolean }> {
    return this.inbox.preferences(user);
  }

  @Put('me/notification-preferences')
  @ApiOperation({ summary: 'Opt in to (or out of) e-mail digests; the scope is taken from the token' })
  setPreferences(
    @Body() dto: NotificationPreferencesDto,
    @CurrentUser() user: Principal,
  ): Promise<{ email: string | null; digest: boolean }> {
    return this.inbox.setPreferences(user, dto);
  }
}
