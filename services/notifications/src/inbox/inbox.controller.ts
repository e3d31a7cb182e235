import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal, OwnResource } from '@kkb/auth';
import { InboxService } from './inbox.service';
import { InboxPage, NotificationPreferencesView } from './inbox.views';
import { ListInboxQuery } from './list-inbox.query';
import { NotificationPreferencesDto } from './notification-preferences.dto';
import { UuidPipe } from '@kkb/platform';

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
  @ApiOperation({
    summary:
      'Notifications for the caller’s region (and addressed to them), newest first, with the unread count',
  })
  @ApiOkResponse({ type: InboxPage })
  list(@Query() q: ListInboxQuery, @CurrentUser() user: Principal): Promise<InboxPage> {
    return this.inbox.list(user, q);
  }

  @Post('inbox/read-all')
  @ApiOperation({ summary: 'Mark every inbox item read' })
  @HttpCode(204)
  async readAll(@CurrentUser() user: Principal): Promise<void> {
    await this.inbox.markAllRead(user);
  }

  @Post('inbox/:id/read')
  @ApiOperation({ summary: 'Mark one inbox item read' })
  @HttpCode(204)
  async read(@Param('id', UuidPipe) id: string, @CurrentUser() user: Principal): Promise<void> {
    await this.inbox.markRead(user, id);
  }

  @Get('me/notification-preferences')
  @ApiOperation({ summary: "The caller's e-mail digest preferences" })
  @ApiOkResponse({ type: NotificationPreferencesView })
  preferences(@CurrentUser() user: Principal): Promise<NotificationPreferencesView> {
    return this.inbox.preferences(user);
  }

  @Put('me/notification-preferences')
  @ApiOperation({ summary: 'Opt in to (or out of) e-mail digests; the scope is taken from the token' })
  @ApiOkResponse({ type: NotificationPreferencesView })
  setPreferences(
    @Body() dto: NotificationPreferencesDto,
    @CurrentUser() user: Principal,
  ): Promise<NotificationPreferencesView> {
    return this.inbox.setPreferences(user, dto);
  }
}
